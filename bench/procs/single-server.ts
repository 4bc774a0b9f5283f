import Fastify, { type FastifyRequest } from 'fastify';
import { createMcpHandler, McpServer, ResourceTemplate, type AuthInfo } from '@modelcontextprotocol/server';
import { AuthEnv, startAuthService } from '@fintech/auth';
import { serveParent } from '../lib/child';

/**
 * The baselines a user would compare the fleet with, in one process: the auth service's own code (its Prisma client,
 * user repository and access-token verifier, started in-process) behind
 * - (b) a single-process MCP server built with the same SDK as the gateway (`createMcpHandler`, stateless Streamable
 *   HTTP) at POST /mcp, with the resource `users://{user_id}/profile`;
 * - (d) a plain fastify JSON route GET /users/:userId/profile.
 * Both verify the Bearer access token (cached after the first verification, as the gateway does) and run the same
 * query and decryption as the auth service's GetUserProfile.
 */
const auth = await startAuthService(AuthEnv.parse(process.env));
const { deps } = auth;

async function callerOf(header: string | undefined): Promise<AuthInfo | null> {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) return null;
  const claims = await deps.accessTokens.verify(match[1]!);
  return {
    token: match[1]!,
    clientId: String(claims.sub),
    scopes: String(claims.scope ?? '').split(' '),
    extra: { userId: claims.sub },
  };
}

async function readProfile(callerId: string, requested: string): Promise<string | null> {
  const userId = requested === 'me' ? callerId : requested;
  if (userId !== callerId) return null;
  const user = await deps.users.findById(deps.prisma, userId);
  return user ? JSON.stringify(deps.users.toProfile(user)) : null;
}

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'single-process-baseline', version: '1.0.0' });
  server.registerResource(
    'user_profile',
    new ResourceTemplate('users://{user_id}/profile', { list: undefined }),
    { mimeType: 'application/json' },
    async (uri, variables, ctx) => {
      const callerId = String(ctx.http?.authInfo?.extra?.userId ?? '');
      const text = await readProfile(callerId, String(variables.user_id));
      if (text === null) throw new Error('not found');
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text }] };
    },
  );
  return server;
});

const app = Fastify({ logger: false });

function webRequest(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string' && name !== 'content-length' && name !== 'connection') headers.set(name, value);
  }
  return new Request(`http://${request.host}${request.url}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(request.body),
  });
}

app.post('/mcp', async (request, reply) => {
  const authInfo = await callerOf(request.headers.authorization).catch(() => null);
  if (!authInfo) return reply.code(401).send({ error: 'unauthorized' });
  const response = await handler.fetch(webRequest(request), { parsedBody: request.body, authInfo });
  reply.code(response.status);
  response.headers.forEach((value, name) => void reply.header(name, value));
  return reply.send(Buffer.from(await response.arrayBuffer()));
});

app.get<{ Params: { userId: string } }>('/users/:userId/profile', async (request, reply) => {
  const authInfo = await callerOf(request.headers.authorization).catch(() => null);
  if (!authInfo) return reply.code(401).send({ error: 'unauthorized' });
  const text = await readProfile(String(authInfo.extra?.userId), request.params.userId);
  if (text === null) return reply.code(404).send({ error: 'not found' });
  return reply.type('application/json').send(text);
});

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

serveParent({ origin, mcpUrl: `${origin}/mcp` }, {}, async () => {
  await app.close();
  await handler.close();
  await auth.stop();
});
