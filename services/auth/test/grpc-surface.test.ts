import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { loadPackageDefinition } from '@fintech/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthFixture, type AuthFixture } from './helpers';

/** What ops tooling sees of a service: grpc.health.v1 for probes and server reflection for grpcurl and friends. */
let auth: AuthFixture;
let health: Client & { Check: (r: object, cb: (e: ServiceError | null, res: { status: string }) => void) => void };
let reflection: Client & { ServerReflectionInfo: () => NodeJS.ReadWriteStream };

beforeAll(async () => {
  auth = await startAuthFixture();
  const address = `127.0.0.1:${auth.service.port}`;
  // The reflection protos ship with @grpc/reflection (a dependency of the kit).
  const kitRequire = createRequire(createRequire(import.meta.url).resolve('@fintech/kit'));
  const reflectionRoot = join(dirname(kitRequire.resolve('@grpc/reflection/package.json')), 'build/proto');
  type Constructors = Record<
    string,
    Record<string, Record<string, Record<string, new (...args: unknown[]) => Client>>>
  >;
  const loaded = grpc.loadPackageDefinition(
    loadPackageDefinition(['grpc/health/v1/health.proto', 'grpc/reflection/v1/reflection.proto'], [reflectionRoot]),
  ) as unknown as Constructors;
  health = new loaded.grpc!.health!.v1!.Health!(address, grpc.credentials.createInsecure()) as typeof health;
  reflection = new loaded.grpc!.reflection!.v1!.ServerReflection!(
    address,
    grpc.credentials.createInsecure(),
  ) as typeof reflection;
});

afterAll(async () => {
  health?.close();
  reflection?.close();
  await auth?.stop();
});

function check(service: string): Promise<string> {
  return new Promise((resolve, reject) =>
    health.Check({ service }, (error, response) => (error ? reject(error) : resolve(response.status))),
  );
}

describe('the gRPC surface of a service', () => {
  it('reports SERVING for the server and for each service it registered', async () => {
    expect(await check('')).toBe('SERVING');
    expect(await check('fintech.auth.v1.AuthService')).toBe('SERVING');
    await expect(check('no.such.Service')).rejects.toMatchObject({ code: 5 });
  });

  it('lists its services through server reflection', async () => {
    const stream = reflection.ServerReflectionInfo();
    const response = await new Promise<{ list_services_response?: { service: { name: string }[] } }>(
      (resolve, reject) => {
        stream.once('data', resolve);
        stream.once('error', reject);
        stream.write({ list_services: '' } as never);
      },
    );
    stream.end();
    const names = response.list_services_response?.service.map((s) => s.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(['fintech.auth.v1.AuthService', 'grpc.health.v1.Health']));
  });
});

describe('a service at capacity', () => {
  it('refuses calls beyond GRPC_MAX_IN_FLIGHT at once with RESOURCE_EXHAUSTED, and serves again after', async () => {
    const small = await startAuthFixture({ GRPC_MAX_IN_FLIGHT: '1' });
    try {
      const user = await small.createUser();
      // Each sign-in verifies an argon2id hash (tens of ms): five at once cannot all fit in one slot.
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, () => small.signIn(user.email, user.password)),
      );
      const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason);
      expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);
      expect(refused.length).toBeGreaterThan(0);
      for (const error of refused) expect(error).toMatchObject({ code: 8, reason: 'OVERLOADED' });
      expect((await small.signIn(user.email, user.password)).status).toBe('authenticated');
    } finally {
      await small.stop();
    }
  });
});
