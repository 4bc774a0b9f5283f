import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { ACCESS_TOKEN_TYPE, INTERNAL_AUDIENCE, INTERNAL_TOKEN_TYPE, TOKEN_ALGORITHM } from '@fintech/kit';
import type { SigningKeyStore } from './signing-keys';

export interface TokenIssuerOptions {
  keys: SigningKeyStore;
  issuer: string;
  accessAudience: string;
  accessTtlSeconds: number;
  internalTtlSeconds: number;
}

/** Signs the fleet's two kinds of JWT with the active Ed25519 key. */
export function createTokenIssuer(options: TokenIssuerOptions) {
  async function sign(
    claims: Record<string, unknown>,
    subject: string,
    audience: string,
    typ: string,
    ttlSeconds: number,
  ): Promise<string> {
    const key = options.keys.active();
    return new SignJWT(claims)
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, typ })
      .setIssuer(options.issuer)
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(key.privateKey);
  }

  return {
    accessTtlSeconds: options.accessTtlSeconds,
    internalTtlSeconds: options.internalTtlSeconds,
    /**
     * An access token for agents (RFC 9068 shape), audience = the gateway. `sid` names the session it was issued
     * from (every sign-in and refresh passes one), which makes it revocable; without it the token lives until `exp`.
     */
    accessToken(user: { id: string; role: string; scopes: string[]; sessionId?: string }): Promise<string> {
      return sign(
        {
          scope: user.scopes.join(' '),
          role: user.role,
          client_id: 'fintech-mcp',
          ...(user.sessionId ? { sid: user.sessionId } : {}),
        },
        user.id,
        options.accessAudience,
        ACCESS_TOKEN_TYPE,
        options.accessTtlSeconds,
      );
    },
    /** The internal token services accept; `act` names who acts for the user (RFC 8693 §4.1). */
    internalToken(user: { id: string; role: string; scopes: string[] }, actor: string): Promise<string> {
      return sign(
        { scope: user.scopes.join(' '), role: user.role, act: { sub: actor } },
        user.id,
        INTERNAL_AUDIENCE,
        INTERNAL_TOKEN_TYPE,
        options.internalTtlSeconds,
      );
    },
  };
}

export type TokenIssuer = ReturnType<typeof createTokenIssuer>;
