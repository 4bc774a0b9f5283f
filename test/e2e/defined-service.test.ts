import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authV1 } from '@fintech/contracts';
import {
  GrpcStatus,
  RemoteCallError,
  createServiceClient,
  servicePackageDefinition,
  type CallOptions,
  type ClientHandle,
} from '@fintech/kit';
import { startTestFleet, type TestFleet } from '@fintech/testing';
import { echoService } from './services/echo/service';

type EchoClient = {
  echo(request: { message: string; times?: number }, options?: CallOptions): Promise<{ text: string; caller: string }>;
} & ClientHandle;
type AuthClient = authV1.AuthServiceClient<CallOptions> & ClientHandle;

let fleet: TestFleet;
let auth: AuthClient;
let echo: EchoClient;
const mcpClients: Client[] = [];
let user: { id: string; email: string; password: string };

/** An MCP SDK client at the gateway, signed in with an access token for `scopes`. */
async function mcpClient(scopes: string[]): Promise<Client> {
  const token = await fleet.auth.deps.tokens.accessToken({ id: user.id, role: 'customer', scopes });
  const client = new Client({ name: 'defined-service-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(fleet.url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  mcpClients.push(client);
  return client;
}

/** An internal token for the user, as the gateway gets one from the auth service. */
async function internalToken(scopes: string[]): Promise<string> {
  const signIn = await auth.authenticateUser({ username: user.email, password: user.password });
  return (await auth.exchangeToken({ subject_token: signIn.token, subject_token_type: 'access_token', scopes }))
    .internal_token;
}

beforeAll(async () => {
  // The test service is a declaration in its own folder; the fixture starts it beside auth and the gateway, and the
  // gateway learns its address and proto through configuration only.
  fleet = await startTestFleet({ services: [echoService] });
  user = await fleet.createUser();
  auth = createServiceClient<AuthClient>(authV1.AuthServiceDefinition, { address: `127.0.0.1:${fleet.auth.port}` });
  echo = createServiceClient<EchoClient>(echoService.descriptor, {
    address: `127.0.0.1:${fleet.service('echo').port}`,
    packageDefinition: servicePackageDefinition(echoService.protoRoots),
  });
});

afterAll(async () => {
  for (const client of mcpClients) await client.close();
  echo?.close();
  auth?.close();
  await fleet?.stop();
});

describe('a service declared with defineService', () => {
  it('is reachable through the gateway as the MCP tool its proto declares', async () => {
    const client = await mcpClient(['profile:read']);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('echo_message');
    const result = await client.callTool({ name: 'echo_message', arguments: { message: 'hi', times: 2 } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ text: 'hi hi', caller: user.id });
  });

  it('is hidden from and refused to a caller without the scope the proto requires', async () => {
    const client = await mcpClient(['payments:read']);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).not.toContain('echo_message');
    const refused = (await client.callTool({ name: 'echo_message', arguments: { message: 'hi' } })) as {
      isError?: boolean;
      content: { text: string }[];
    };
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toMatch(/missing scope profile:read/);
  });

  it('verifies internal tokens with the auth service key set: no token or a forged one is refused', async () => {
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => null,
        (error: unknown) => error,
      );
    const none = await refusal(echo.echo({ message: 'hi' }));
    expect(none).toBeInstanceOf(RemoteCallError);
    expect((none as RemoteCallError).grpcStatus).toBe(GrpcStatus.UNAUTHENTICATED);

    const token = await internalToken(['profile:read']);
    const [header, payload] = token.split('.');
    const forged = await refusal(echo.echo({ message: 'hi' }, { token: `${header}.${payload}.${'A'.repeat(86)}` }));
    expect((forged as RemoteCallError).grpcStatus).toBe(GrpcStatus.UNAUTHENTICATED);

    expect(await echo.echo({ message: 'direct' }, { token })).toEqual({ text: 'direct', caller: user.id });
  });

  it('enforces the scope its proto declares at the service itself, for a direct internal caller too', async () => {
    const narrowed = await internalToken(['payments:read']);
    const refused = await echo.echo({ message: 'hi' }, { token: narrowed }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(RemoteCallError);
    expect((refused as RemoteCallError).grpcStatus).toBe(GrpcStatus.PERMISSION_DENIED);
    expect((refused as RemoteCallError).message).toMatch(/profile:read/);
  });

  it('answers grpc.health.v1 SERVING while up', async () => {
    type HealthClient = { check(r: { service: string }): Promise<{ status: string }> } & ClientHandle;
    const health = createServiceClient<HealthClient>(
      {
        serviceName: 'grpc.health.v1.Health',
        methods: { check: { name: 'Check', path: '/grpc.health.v1.Health/Check' } },
      },
      {
        address: `127.0.0.1:${fleet.service('echo').port}`,
        packageDefinition: servicePackageDefinition(echoService.protoRoots),
      },
    );
    try {
      expect((await health.check({ service: 'fintech.echo.v1.EchoService' })).status).toBe('SERVING');
    } finally {
      health.close();
    }
  });
});
