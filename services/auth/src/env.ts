import { z } from 'zod';
import { parseEnv, serviceEnv } from '@fintech/kit';

export const AuthEnv = serviceEnv(
  { schema: 'auth', grpcListen: '127.0.0.1:50051' },
  {
    /** AES-256-GCM keys for PII columns and private signing keys: "v1:<base64 32 bytes>,v2:…"; the last is current. */
    FIELD_ENCRYPTION_KEYS: z.string().min(1),
    /** Audience of access tokens: the gateway that agents call. */
    ACCESS_TOKEN_AUDIENCE: z.string().default('fintech-gateway'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
    INTERNAL_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(300),
    REFRESH_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(30 * 24 * 3600),
    /** Wrong passwords (or MFA codes) in a row before the account locks. */
    MAX_FAILED_SIGN_INS: z.coerce.number().int().positive().default(5),
    LOCKOUT_SECONDS: z.coerce.number().int().positive().default(900),
    MFA_CHALLENGE_TTL_SECONDS: z.coerce.number().int().positive().default(300),
    /** Issuer name shown in authenticator apps. */
    MFA_ISSUER: z.string().default('Fintech MCP'),
  },
);

export type AuthConfig = z.infer<typeof AuthEnv>;

export function loadAuthConfig(source: NodeJS.ProcessEnv = process.env): AuthConfig {
  return parseEnv(AuthEnv, source);
}
