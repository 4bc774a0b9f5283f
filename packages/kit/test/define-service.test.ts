import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT, exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceClient, type CallOptions, type ClientHandle } from '../src/index';
import { dropSchema } from '../src/index';
import { connectNats, fromPg, jetstreamManager, recordEvents, type NatsConnection } from '../src/index';
import { RemoteCallError } from '../src/errors';
import { serviceEnv } from '../src/env';
import { INTERNAL_AUDIENCE, INTERNAL_TOKEN_TYPE } from '../src/auth/tokens';
import type { AuthenticatedContext } from '../src/grpc/server';
import { defineService, servicePackageDefinition, type RunningService } from '../src/service/define-service';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const natsUrl = process.env.NATS_URL ?? '127.0.0.1:4222';
const suffix = randomBytes(4).toString('hex');
const domain = `probe${suffix}`;
const stream = { name: `FINTECH_PROBE_${suffix.toUpperCase()}`, subjects: [`fintech.${domain}.>`] };
const noteRecorded = `fintech.${domain}.note.recorded`;
const schema = `kit_service_${suffix}`;
const protoRoot = fileURLToPath(new URL('./proto', import.meta.url));

interface ProbeDeps {
  pool: pg.Pool;
  nats: NatsConnection;
  schema: string;
  eventsCommitted: () => void;
}
type ProbeClient = {
  recordNote(request: { note: string }, options?: CallOptions): Promise<{ event_id: string; caller: string }>;
} & ClientHandle;

let migrationsDir: string;
let running: RunningService<ReturnType<typeof probe.loadConfig>, ProbeDeps>;
let client: ProbeClient;
const keys = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'EdDSA' }] };

/** An internal token signed with the test's key, as the auth service would issue one. */
function internalToken(userId: string, issuer: string): Promise<string> {
  return new SignJWT({ scope: 'probe:write', role: 'customer' })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: INTERNAL_TOKEN_TYPE })
    .setIssuer(issuer)
    .setAudience(INTERNAL_AUDIENCE)
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(randomUUID())
    .sign(keys.privateKey);
}

/** A service declared in a few lines: one RPC that records an event, one consumer of that event. */
const probe = defineService({
  name: 'probe',
  env: serviceEnv({ schema }, {}),
  get migrationsDir() {
    return migrationsDir;
  },
  protoRoots: [protoRoot],
  stream,
  deps: ({ pool, nats, schema, eventsCommitted }): ProbeDeps => ({ pool, nats, schema, eventsCommitted }),
  jwks: () => async () => jwks,
  grpc: {
    service: {
      serviceName: 'fintech.probe.v1.ProbeService',
      methods: { recordNote: { name: 'RecordNote', path: '/fintech.probe.v1.ProbeService/RecordNote' } },
    },
    handlers: (deps) => ({
      recordNote: async (request: { note: string }, context: AuthenticatedContext) => {
        const connection = await deps.pool.connect();
        try {
          await connection.query('BEGIN');
          await connection.query('INSERT INTO "notes" ("note") VALUES ($1)', [request.note]);
          const [event] = await recordEvents(
            fromPg(connection),
            [{ type: noteRecorded, userId: context.caller.userId, data: { note: request.note } }],
            { schema: deps.schema },
          );
          await connection.query('COMMIT');
          deps.eventsCommitted();
          return { event_id: event!.id, caller: context.caller.userId };
        } finally {
          connection.release();
        }
      },
    }),
  },
  consumers: () => [
    {
      stream: stream.name,
      durable: `probe_${suffix}`,
      consumerName: 'notes-seen',
      handle: async (event, connection) => {
        await connection.query('INSERT INTO "seen" ("event_id") VALUES ($1)', [event.id]);
      },
    },
  ],
});

beforeAll(async () => {
  migrationsDir = await mkdtemp(join(tmpdir(), 'kit-service-'));
  await mkdir(join(migrationsDir, '20260101000000_init'));
  // References the kit's outbox: it only applies when the kit's migrations ran first.
  await writeFile(
    join(migrationsDir, '20260101000000_init', 'migration.sql'),
    `CREATE TABLE "notes" ("note" TEXT NOT NULL);
CREATE TABLE "seen" ("event_id" UUID PRIMARY KEY);
CREATE VIEW "unpublished" AS SELECT "id" FROM "outbox" WHERE "published_at" IS NULL;
`,
  );
  const config = probe.loadConfig({
    DATABASE_URL: connectionString,
    NATS_URL: natsUrl,
    DATABASE_POOL_MAX: '3',
    LOG_LEVEL: 'silent',
  });
  running = (await probe.start(config)) as typeof running;
  client = createServiceClient<ProbeClient>(probe.descriptor, {
    address: `127.0.0.1:${running.port}`,
    packageDefinition: servicePackageDefinition(probe.protoRoots),
  });
});

afterAll(async () => {
  client?.close();
  await running?.stop();
  await dropSchema(connectionString, schema);
  await rm(migrationsDir, { recursive: true, force: true });
  // The stream is the test's own; leave none behind on the shared server.
  const nats = await connectNats({ servers: natsUrl, name: 'kit-service-test-cleanup' });
  await (await jetstreamManager(nats)).streams.delete(stream.name).catch(() => undefined);
  await nats.close();
});

describe('defineService', () => {
  it("refuses a name that is not its proto package's domain (the gateway routes by it)", () => {
    const misnamed = () =>
      defineService({
        name: 'notes',
        env: serviceEnv({ schema }, {}),
        deps: () => ({}),
        grpc: { service: probe.descriptor, handlers: () => ({ recordNote: async () => ({}) }) },
      });
    expect(misnamed).toThrow(/fintech\.<name>\.v1/);
  });

  it("migrates the kit's tables before the service's, each in its own history", async () => {
    const { pool } = running.deps;
    const kit = await pool.query<{ migration_name: string }>(`SELECT migration_name FROM "_kit_migrations"`);
    expect(kit.rows.map((r) => r.migration_name)).toEqual([
      'outbox/20261125000000_outbox',
      'safety/20261204000000_agent_safety',
    ]);
    const own = await pool.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations"`);
    expect(own.rows.map((r) => r.migration_name)).toEqual(['20260101000000_init']);
  });

  it('sizes its pool by DATABASE_POOL_MAX', () => {
    expect(running.deps.pool.options.max).toBe(3);
  });

  it('serves the declared RPC to a verified caller; the event goes out through the relay and is consumed once', async () => {
    const token = await internalToken('user-1', running.config.TOKEN_ISSUER);
    const answer = await client.recordNote({ note: 'hello' }, { token });
    expect(answer.caller).toBe('user-1');

    const { pool } = running.deps;
    const deadline = Date.now() + 10_000;
    let seen = 0;
    while (Date.now() < deadline) {
      seen = (await pool.query('SELECT 1 FROM "seen" WHERE "event_id" = $1', [answer.event_id])).rowCount ?? 0;
      if (seen > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toBe(1);
    const outbox = await pool.query(`SELECT "published_at" FROM "outbox" WHERE "id" = $1`, [answer.event_id]);
    expect(outbox.rows[0].published_at).not.toBeNull();
    const processed = await pool.query(`SELECT "consumer" FROM "processed_events" WHERE "event_id" = $1`, [
      answer.event_id,
    ]);
    expect(processed.rows).toEqual([{ consumer: 'notes-seen' }]);
    const info = await (await jetstreamManager(running.deps.nats)).streams.info(stream.name);
    expect(info.config.subjects).toEqual(stream.subjects);
  });

  it('refuses a call without a token, or with one its key set did not sign', async () => {
    await expect(client.recordNote({ note: 'x' })).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ scope: 'probe:write' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: INTERNAL_TOKEN_TYPE })
      .setIssuer(running.config.TOKEN_ISSUER)
      .setAudience(INTERNAL_AUDIENCE)
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(other.privateKey);
    const refused = await client.recordNote({ note: 'x' }, { token: forged }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RemoteCallError);
    expect((refused as RemoteCallError).reason).toMatch(/INVALID_TOKEN|UNAUTHENTICATED/);
  });

  it('stops in order: no more calls, NATS closed, pool ended', async () => {
    const { pool, nats } = running.deps;
    await running.stop();
    expect(nats.isClosed()).toBe(true);
    expect(pool.ended).toBe(true);
    await expect(
      client.recordNote({ note: 'late' }, { token: await internalToken('u', running.config.TOKEN_ISSUER) }),
    ).rejects.toMatchObject({ reason: 'UNAVAILABLE' });
  });
});
