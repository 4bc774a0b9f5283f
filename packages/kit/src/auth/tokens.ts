import {
  createLocalJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { DomainError, UnauthenticatedError } from '../errors';
import type { Caller } from './caller';

/** Audience of the internal tokens that every service accepts. */
export const INTERNAL_AUDIENCE = 'fintech-internal';
/** JOSE `typ` of internal tokens, so an access token is never taken for one (RFC 8725 §3.11). */
export const INTERNAL_TOKEN_TYPE = 'internal+jwt';
/** JOSE `typ` of access tokens (RFC 9068). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** The only signature algorithm the fleet signs or accepts: `none`, HMAC and RSA are refused by construction. */
export const TOKEN_ALGORITHM = 'EdDSA';

/**
 * A JWKS held in memory and refreshed when a token names an unknown `kid` (key rotation), at most once per
 * `minRefreshIntervalMs` so a flood of tokens with made-up kids cannot hammer the auth service.
 */
export function createJwksCache(options: { fetchJwks: () => Promise<JSONWebKeySet>; minRefreshIntervalMs?: number }): {
  getKey: JWTVerifyGetKey;
  refresh(): Promise<void>;
} {
  const minInterval = options.minRefreshIntervalMs ?? 30_000;
  let keySet: JWTVerifyGetKey | null = null;
  let lastRefresh = 0;
  let inFlight: Promise<void> | null = null;

  const refresh = (): Promise<void> => {
    inFlight ??= options
      .fetchJwks()
      .then((jwks) => {
        keySet = createLocalJWKSet(jwks);
        lastRefresh = Date.now();
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (!keySet) await refresh();
    try {
      return await keySet!(header, token);
    } catch (error) {
      if (error instanceof joseErrors.JWKSNoMatchingKey && Date.now() - lastRefresh >= minInterval) {
        await refresh();
        return keySet!(header, token);
      }
      throw error;
    }
  };
  return { getKey, refresh };
}

export interface TokenVerifierOptions {
  getKey: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  typ: string;
  /** Verified tokens are remembered until they expire; bounded. */
  cacheSize?: number;
}

export interface TokenVerifier {
  verify(token: string): Promise<JWTPayload>;
}

/**
 * Verifies EdDSA JWTs against a key set, with issuer, audience, type and expiry checked (RFC 8725). Verified
 * payloads are cached by token until expiry so a hot path verifies each token once.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const cacheSize = options.cacheSize ?? 10_000;
  const cache = new Map<string, JWTPayload>();
  return {
    async verify(token) {
      const cached = cache.get(token);
      if (cached && typeof cached.exp === 'number' && cached.exp * 1000 > Date.now()) return cached;
      if (cached) cache.delete(token);
      try {
        const { payload } = await jwtVerify(token, options.getKey, {
          algorithms: [TOKEN_ALGORITHM],
          issuer: options.issuer,
          audience: options.audience,
          typ: options.typ,
          requiredClaims: ['exp', 'iat', 'sub', 'jti'],
          clockTolerance: 5,
        });
        if (cache.size >= cacheSize) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
        cache.set(token, payload);
        return payload;
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('token expired', 'TOKEN_EXPIRED');
        if (error instanceof joseErrors.JOSEError || error instanceof TypeError) {
          throw new UnauthenticatedError('invalid token', 'INVALID_TOKEN');
        }
        // The key set could not be fetched: the token may be fine, so this is not a refusal.
        throw new DomainError('UNAVAILABLE', 'token keys are unavailable', { cause: error });
      }
    },
  };
}

/** Reads the fleet's claims (scope, role, act) into a Caller. */
export function callerFromClaims(payload: JWTPayload): Caller {
  const scope = typeof payload.scope === 'string' ? payload.scope : '';
  const act = payload.act as { sub?: unknown } | undefined;
  return {
    userId: String(payload.sub),
    role: typeof payload.role === 'string' ? payload.role : 'customer',
    scopes: new Set(scope.split(' ').filter(Boolean)),
    actor: act && typeof act.sub === 'string' ? act.sub : null,
    tokenId: String(payload.jti),
    expiresAt: Number(payload.exp),
  };
}

/** Verifies an internal token (audience fintech-internal) and returns its Caller. */
export function createInternalTokenVerifier(options: { getKey: JWTVerifyGetKey; issuer: string; cacheSize?: number }): {
  verify(token: string): Promise<Caller>;
} {
  const verifier = createTokenVerifier({
    getKey: options.getKey,
    issuer: options.issuer,
    audience: INTERNAL_AUDIENCE,
    typ: INTERNAL_TOKEN_TYPE,
    cacheSize: options.cacheSize,
  });
  return { verify: async (token) => callerFromClaims(await verifier.verify(token)) };
}
