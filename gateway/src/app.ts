import { createServer as createNetServer } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { OAuthError, OAuthErrorCode, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { authV1, listProtoFiles, loadPackageDefinition, loadReflectionRoot, PROTO_ROOT } from '@fintech/contracts';
import {
  DomainError,
  connectNats,
  createJwksFetcher,
  createLogger,
  createServiceClient,
  type CallOptions,
  type ClientHandle,
  type Logger,
} from '@fintech/kit';
import type { NatsConnection } from '@nats-io/transport-node';
import { buildCatalog, type Catalog } from './catalog/catalog';
import { callerOf, createGatewayAuth } from './auth/caller-auth';
import { createSessionRevocations, type SessionRevocations } from './auth/session-revocations';
import {
  registerForbiddenKeys,
  registerHealthRoutes,
  registerHttpSecurity,
  registerProtectedResourceMetadata,
  protectedResourceMetadataUrl,
} from './http/index';
import { registerAnonymousRateLimit } from './policy/anonymous-rate-limit';
import { createRouter } from './routing/router';
import { createServerFactory } from './routing/mcp-server';
import { registerMcpTransports, type NatsRelayConnection } from './transports/index';
import { serviceAddresses, type GatewayConfig } from './env';

/** JSON-RPC methods an anonymous caller may send: discovery, lifecycle and the anonymous (sign-in) tools. */
const ANONYMOUS_METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'prompts/list',
  'server/discover',
]);

export interface GatewayOptions {
  logger?: Logger;
  /** Extra proto folders whose RPC options join the catalog (plugins, tests). */
  extraProtoRoots?: string[];
}

export interface Gateway {
  app: FastifyInstance;
  catalog: Catalog;
  /** The MCP endpoint URL (Streamable HTTP). */
  url: string;
  close(): Promise<void>;
}

function protoFilesUnder(roots: string[]): string[] {
  return roots.flatMap((root) => listProtoFiles(root));
}

/**
 * The gateway: security hooks → health → RFC 9728 metadata → MCP transports, over a catalog built from the protos'
 * MCP options. It holds no per-tool code.
 */
export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const extraRoots = options.extraProtoRoots ?? [];
  const files = [...listProtoFiles(), ...protoFilesUnder(extraRoots)];
  const root = loadReflectionRoot(files, [PROTO_ROOT, ...extraRoots]);
  const catalog = buildCatalog(root);
  const packageDefinition = loadPackageDefinition(files, extraRoots);

  // The fleet's one log format (packages/kit createLogger: ISO timestamps, redaction, `service`), handed to fastify
  // as its instance so request logs and the gateway's own lines share it with every service.
  const app = Fastify({
    loggerInstance: (options.logger ?? createLogger({ name: 'gateway', level: config.LOG_LEVEL })) as FastifyBaseLogger,
    forceCloseConnections: true,
    trustProxy: false,
    // `__proto__` stays an own property of the parsed body and is refused, naming it, by registerForbiddenKeys.
    onProtoPoisoning: 'ignore',
  });
  const logger = app.log as unknown as Logger;

  const authClient = createServiceClient<authV1.AuthServiceClient<CallOptions> & ClientHandle>(
    authV1.AuthServiceDefinition,
    { address: config.AUTH_GRPC_ADDRESS, deadlineMs: config.GRPC_DEADLINE_MS, packageDefinition },
  );
  const jwks = createJwksFetcher(config.AUTH_GRPC_ADDRESS);
  const auth = createGatewayAuth({
    auth: authClient,
    fetchJwks: jwks.fetchJwks,
    issuer: config.TOKEN_ISSUER,
    audience: config.ACCESS_TOKEN_AUDIENCE,
  });
  const router = createRouter({
    addresses: serviceAddresses(config),
    packageDefinition,
    deadlineMs: config.GRPC_DEADLINE_MS,
    targets: [...catalog.tools, ...catalog.resources],
  });
  const createServer = createServerFactory({
    catalog,
    router,
    auth,
    logger,
    serverInfo: { name: 'fintech-mcp-gateway', version: '0.1.0' },
    // One line per tool call and resource read: who, what, outcome and time; never arguments or results.
    onCall: (call) => logger.info(call, 'mcp call'),
  });

  let nats: NatsConnection | null = null;
  if (config.NATS_URL) nats = await connectNats({ servers: config.NATS_URL, name: 'gateway' });
  // Without NATS a revoked session's tokens stop at their next exchange (within INTERNAL_TOKEN_TTL_SECONDS).
  let revocations: SessionRevocations | null = null;
  if (nats) {
    revocations = createSessionRevocations({ nats, onRevoked: auth.revokeSession, logger });
    await revocations.start();
  }

  // The public URL names the port, so port 0 (tests) is resolved to a free port before any route is built.
  const port = config.GATEWAY_PORT === 0 ? await freePort(config.GATEWAY_HOST) : config.GATEWAY_PORT;
  const host = config.GATEWAY_HOST.includes(':') ? `[${config.GATEWAY_HOST}]` : config.GATEWAY_HOST;
  const url = `http://${host}:${port}/mcp`;
  const resource = config.PUBLIC_URL ?? url;
  await registerHttpSecurity(app, {
    allowedOrigins: config.ALLOWED_ORIGINS,
    allowedHosts: config.ALLOWED_HOSTS,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
  });
  registerForbiddenKeys(app);
  registerAnonymousRateLimit(app, { perMinute: config.ANONYMOUS_RATE_LIMIT_PER_MINUTE });
  registerHealthRoutes(app, {
    ready: async () => {
      await authClient.getJwks({}, { deadlineMs: 1_000 });
      return true;
    },
  });

  registerProtectedResourceMetadata(app, {
    resource,
    authorizationServers: [config.TOKEN_ISSUER],
    scopesSupported: [...new Set(catalog.tools.flatMap((t) => t.scopes))].sort(),
    resourceName: 'Fintech MCP gateway',
  });

  const transports = await registerMcpTransports(app, {
    createServer: () => createServer(),
    authenticate: async (request) => {
      try {
        return await auth.authenticate(request);
      } catch (error) {
        if (error instanceof DomainError && error.reason === 'UNAVAILABLE') {
          throw new OAuthError(OAuthErrorCode.TemporarilyUnavailable, 'token verification unavailable');
        }
        throw error;
      }
    },
    allowAnonymous: (message: JSONRPCMessage) => {
      if (!('method' in message)) return true;
      if (message.method.startsWith('notifications/') || ANONYMOUS_METHODS.has(message.method)) return true;
      if (message.method === 'tools/call') {
        const name = (message.params as { name?: unknown } | undefined)?.name;
        return typeof name === 'string' && catalog.tool(name)?.anonymous === true;
      }
      return false;
    },
    // A legacy SSE stream belongs to the user who opened it: the token's subject, never its OAuth client id (one client
    // id is shared by every user of that client).
    principalOf: (authInfo) => {
      const caller = callerOf(authInfo);
      if (!caller) throw new Error('a verified caller has no user id');
      return `user:${caller.userId}`;
    },
    resourceMetadataUrl: protectedResourceMetadataUrl(resource),
    heartbeatMs: config.SSE_HEARTBEAT_MS,
    nats: (nats ?? undefined) as NatsRelayConnection | undefined,
  });

  await app.listen({ host: config.GATEWAY_HOST, port });

  return {
    app,
    catalog,
    url,
    async close() {
      await transports.close();
      await app.close();
      router.close();
      authClient.close();
      jwks.close();
      await revocations?.stop();
      if (nats) await nats.drain().catch(() => nats?.close());
    },
  };
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
