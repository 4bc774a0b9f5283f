import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listProtoFiles, loadPackageDefinition } from '@fintech/contracts';
import {
  createGrpcServer,
  createInternalTokenVerifier,
  createJwksCache,
  createJwksFetcher,
  createLogger,
  type AuthenticatedContext,
  type Caller,
  type GrpcServer,
} from '@fintech/kit';
import { startTestFleet, type TestFleet } from './fleet';

const TEST_PROTO_ROOT = fileURLToPath(new URL('./proto', import.meta.url));

let fleet: TestFleet;
let echo: GrpcServer;
let client: Client;
let jwks: ReturnType<typeof createJwksFetcher> | undefined;

beforeAll(async () => {
  // The test service starts first, on a port of its own; the gateway then learns of it through configuration only
  // (SERVICE_ADDRESSES and the extra proto folder): no gateway code knows it.
  const files = [...listProtoFiles(), ...listProtoFiles(TEST_PROTO_ROOT)];
  const packageDefinition = loadPackageDefinition(files, [TEST_PROTO_ROOT]);
  const tokens: { verify?: (token: string) => Promise<Caller> } = {};
  echo = createGrpcServer({
    logger: createLogger({ name: 'echo', level: 'silent' }),
    verifyToken: (token) => tokens.verify!(token),
    packageDefinition,
  });
  echo.addService(
    {
      serviceName: 'fintech.echo.v1.EchoService',
      methods: {
        echo: { name: 'Echo', path: '/fintech.echo.v1.EchoService/Echo' },
        getGreeting: { name: 'GetGreeting', path: '/fintech.echo.v1.EchoService/GetGreeting' },
      },
    },
    {
      echo: async (request: { message: string; times: number }, context: AuthenticatedContext) => ({
        text: Array.from({ length: request.times || 1 }, () => request.message).join(' '),
        caller: context.caller.userId,
      }),
      getGreeting: async (request: { user_id: string; style: string }, context: AuthenticatedContext) => ({
        text: request.style === 'loud' ? 'HELLO!' : 'hello',
        caller: `${context.caller.userId}:${request.user_id}`,
      }),
    },
  );
  const port = await echo.listen('127.0.0.1:0');
  fleet = await startTestFleet({
    extraProtoRoots: [TEST_PROTO_ROOT],
    gatewayEnv: { SERVICE_ADDRESSES: `echo=127.0.0.1:${port}` },
  });
  const fetcher = createJwksFetcher(`127.0.0.1:${fleet.auth.port}`);
  jwks = fetcher;
  tokens.verify = createInternalTokenVerifier({
    getKey: createJwksCache({ fetchJwks: fetcher.fetchJwks }).getKey,
    issuer: fleet.auth.deps.config.TOKEN_ISSUER,
  }).verify;

  const user = await fleet.createUser();
  const signIn = await fleet.auth.deps.tokens.accessToken({
    id: user.id,
    role: 'customer',
    scopes: ['profile:read', 'profile:write'],
  });
  client = new Client({ name: 'catalog-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(fleet.url), {
      requestInit: { headers: { Authorization: `Bearer ${signIn}` } },
    }),
  );
});

afterAll(async () => {
  await client?.close();
  await fleet?.stop();
  await echo?.shutdown(1_000);
  jwks?.close();
});

describe('a new RPC with an MCP option', () => {
  it('appears as a tool with its schema and annotations, and is callable', async () => {
    const { tools } = await client.listTools();
    const tool = tools.find((t) => t.name === 'echo_message');
    expect(tool).toMatchObject({
      title: 'Echo',
      description: "Repeats a message back to its caller, with the caller's id.",
      annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
      inputSchema: {
        type: 'object',
        required: ['message'],
        properties: { message: { type: 'string', maxLength: 100 }, times: { type: 'integer', minimum: 1, maximum: 3 } },
      },
    });
    const result = await client.callTool({ name: 'echo_message', arguments: { message: 'hi', times: 2 } });
    expect(result.structuredContent).toMatchObject({ text: 'hi hi' });

    const invalid = await client.callTool({ name: 'echo_message', arguments: { message: 'hi', times: 9 } });
    expect(invalid.isError).toBe(true);
    expect(invalid.structuredContent).toMatchObject({ error: { reason: 'VALIDATION_FAILED', field: 'times' } });
  });

  it('appears as a resource template, with URI and query variables mapped to the request', async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('echo://{user_id}/greeting{?style}');
    const read = await client.readResource({ uri: 'echo://me/greeting?style=loud' });
    const body = JSON.parse((read.contents[0] as { text: string }).text) as { text: string; caller: string };
    expect(body.text).toBe('HELLO!');
    const [caller, requested] = body.caller.split(':');
    expect(requested).toBe(caller);
    await expect(client.readResource({ uri: 'echo://me/greeting?style=whisper' })).rejects.toThrow(/style/);
    await expect(client.readResource({ uri: 'echo://me/greeting?color=red' })).rejects.toThrow(/not found/i);
  });
});
