import { z } from 'zod';
import { parseEnv, portSchema } from '@fintech/kit';

const list = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

export const GatewayEnv = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: portSchema.default(8787),
  /** The public URL of the MCP endpoint (the protected resource of RFC 9728), e.g. https://mcp.example.com/mcp. */
  PUBLIC_URL: z.string().url().optional(),
  /** Browser origins allowed to call the gateway (CORS allowlist and Origin check), comma separated. */
  ALLOWED_ORIGINS: list,
  /** Host names the gateway answers to besides loopback, comma separated (DNS-rebinding protection). */
  ALLOWED_HOSTS: list,
  /** Largest request body in bytes. */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** JSON-RPC messages per minute one client address may send without a credential (sign-in is all it can do); a
   * batch counts each of its messages. 0 = no limit. */
  ANONYMOUS_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(120),
  /** Interval of SSE heartbeat comments. */
  SSE_HEARTBEAT_MS: z.coerce.number().int().positive().default(15_000),
  /** Deadline of every gRPC call the gateway makes. */
  GRPC_DEADLINE_MS: z.coerce.number().int().positive().default(5_000),
  AUTH_GRPC_ADDRESS: z.string().default('127.0.0.1:50051'),
  /** Addresses of the other services: "payments=127.0.0.1:50053,banking=…" (auth comes from AUTH_GRPC_ADDRESS). */
  SERVICE_ADDRESSES: list,
  TOKEN_ISSUER: z.string().default('https://auth.fintech.local'),
  /** The audience access tokens must carry: this gateway. */
  ACCESS_TOKEN_AUDIENCE: z.string().default('fintech-gateway'),
  /** NATS for relaying legacy-SSE POSTs between replicas; empty = single replica. */
  NATS_URL: z.string().default(''),
});

export type GatewayConfig = z.infer<typeof GatewayEnv>;

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return parseEnv(GatewayEnv, source);
}

/** Domain → gRPC address. */
export function serviceAddresses(config: GatewayConfig): Record<string, string> {
  const addresses: Record<string, string> = { auth: config.AUTH_GRPC_ADDRESS };
  for (const entry of config.SERVICE_ADDRESSES) {
    const [domain, address] = entry.split('=');
    if (!domain || !address) throw new Error(`SERVICE_ADDRESSES entry "${entry}" must be domain=host:port`);
    addresses[domain.trim()] = address.trim();
  }
  return addresses;
}
