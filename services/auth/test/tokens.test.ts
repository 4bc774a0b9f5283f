import { status } from '@grpc/grpc-js';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams, subjects } from '@fintech/contracts';
import { INTERNAL_AUDIENCE, INTERNAL_TOKEN_TYPE, connectNats } from '@fintech/kit';
import { readEvents, testNatsUrl } from '@fintech/testing';
import type { NatsConnection, RemoteCallError } from '@fintech/kit';
import { startAuthFixture, type AuthFixture } from './helpers';

let auth: AuthFixture;
let user: { id: string; email: string; password: string };
let validToken: string;

beforeAll(async () => {
  auth = await startAuthFixture();
  user = await auth.createUser();
  validToken = await auth.internalToken((await auth.signIn(user.email, user.password)).token);
});
afterAll(async () => {
  await auth?.stop();
});

async function profileWith(token: string | undefined): Promise<RemoteCallError | null> {
  return auth.client.getUserProfile({ user_id: 'me' }, token === undefined ? {} : { token }).then(
    () => null,
    (e: RemoteCallError) => e,
  );
}

/** Signs claims with the service's own active key, so only the claim under test is wrong. */
async function signWithServiceKey(
  claims: Record<string, unknown>,
  overrides: { aud?: string; iss?: string; typ?: string; exp?: number } = {},
): Promise<string> {
  const key = auth.service.deps.keys.active();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'profile:read', role: 'customer', act: { sub: 'gateway' }, ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: overrides.typ ?? INTERNAL_TOKEN_TYPE })
    .setIssuer(overrides.iss ?? auth.service.deps.config.TOKEN_ISSUER)
    .setAudience(overrides.aud ?? INTERNAL_AUDIENCE)
    .setSubject(user.id)
    .setJti(crypto.randomUUID())
    .setIssuedAt(now - 10)
    .setExpirationTime(overrides.exp ?? now + 300)
    .sign(key.privateKey);
}

describe('the internal-token check on every call', () => {
  it('accepts a token from the exchange', async () => {
    expect(await profileWith(validToken)).toBeNull();
    expect(await signWithServiceKey({}).then(profileWith)).toBeNull();
  });

  it('refuses a call with no token', async () => {
    expect((await profileWith(undefined))?.code).toBe(status.UNAUTHENTICATED);
  });

  it('refuses alg none', async () => {
    const token = new UnsecuredJWT({ scope: 'profile:read', role: 'admin' })
      .setIssuer(auth.service.deps.config.TOKEN_ISSUER)
      .setAudience(INTERNAL_AUDIENCE)
      .setSubject(user.id)
      .setJti('x')
      .setIssuedAt()
      .setExpirationTime('5m')
      .encode();
    expect((await profileWith(token))?.code).toBe(status.UNAUTHENTICATED);
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const jwks = JSON.parse((await auth.client.getJwks({})).jwks_json) as { keys: { x: string; kid: string }[] };
    const publicKey = jwks.keys[0]!;
    for (const secret of [Buffer.from(publicKey.x, 'base64url'), Buffer.from(JSON.stringify(publicKey))]) {
      const token = await new SignJWT({ scope: 'profile:read', role: 'admin' })
        .setProtectedHeader({ alg: 'HS256', kid: publicKey.kid, typ: INTERNAL_TOKEN_TYPE })
        .setIssuer(auth.service.deps.config.TOKEN_ISSUER)
        .setAudience(INTERNAL_AUDIENCE)
        .setSubject(user.id)
        .setJti('x')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(secret);
      expect((await profileWith(token))?.code).toBe(status.UNAUTHENTICATED);
    }
  });

  it('refuses a wrong audience, such as the access token itself', async () => {
    const accessToken = (await auth.signIn(user.email, user.password)).token;
    expect((await profileWith(accessToken))?.code).toBe(status.UNAUTHENTICATED);
    expect((await profileWith(await signWithServiceKey({}, { aud: 'someone-else' })))?.code).toBe(
      status.UNAUTHENTICATED,
    );
  });

  it('refuses a wrong issuer', async () => {
    const token = await signWithServiceKey({}, { iss: 'https://evil.example' });
    expect((await profileWith(token))?.code).toBe(status.UNAUTHENTICATED);
  });

  it('refuses an expired token', async () => {
    const token = await signWithServiceKey({}, { exp: Math.floor(Date.now() / 1000) - 60 });
    const error = await profileWith(token);
    expect(error?.code).toBe(status.UNAUTHENTICATED);
    expect(error?.reason).toBe('TOKEN_EXPIRED');
  });

  it('refuses a token signed by a key the JWKS does not hold', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(privateKey);
    const token = await new SignJWT({ scope: 'profile:read', role: 'customer' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'unknown-kid', typ: INTERNAL_TOKEN_TYPE })
      .setIssuer(auth.service.deps.config.TOKEN_ISSUER)
      .setAudience(INTERNAL_AUDIENCE)
      .setSubject(user.id)
      .setJti('x')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(jwk, 'EdDSA'));
    expect(publicKey).toBeDefined();
    expect((await profileWith(token))?.code).toBe(status.UNAUTHENTICATED);
    // A known kid with a foreign signature fails too.
    const forged = token.replace(
      /^[^.]+/,
      Buffer.from(
        JSON.stringify({ alg: 'EdDSA', kid: auth.service.deps.keys.active().kid, typ: INTERNAL_TOKEN_TYPE }),
      ).toString('base64url'),
    );
    expect((await profileWith(forged))?.code).toBe(status.UNAUTHENTICATED);
  });

  it('refuses a tampered payload', async () => {
    const [header, payload, signature] = validToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    claims.role = 'admin';
    claims.scope = `${String(claims.scope)} users:read_any users:write_any`;
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expect((await profileWith(tampered))?.code).toBe(status.UNAUTHENTICATED);
  });
});

describe('events', () => {
  let nats: NatsConnection;
  beforeAll(async () => {
    nats = await connectNats({ servers: testNatsUrl(), name: 'auth-events-test' });
  });
  afterAll(async () => {
    await nats?.close();
  });

  it('publishes signed_in, sign_in_failed and profile_updated through the outbox, without personal data', async () => {
    const since = new Date(Date.now() - 1000);
    const someone = await auth.createUser();
    await auth.signIn(someone.email, 'wrong password here').catch(() => undefined);
    const session = await auth.signIn(someone.email, someone.password);
    const token = await auth.internalToken(session.token);
    await auth.client.updateUserProfile({ user_id: 'me', profile_data: { phone: '+447700900123' } }, { token });

    const mine = <E extends { user_id: string | null }>(events: E[]) => events.filter((e) => e.user_id === someone.id);
    const signedIn = mine(
      await readEvents(nats, {
        stream: streams.auth.name,
        subject: subjects.auth.userSignedIn,
        since,
        done: (events) => mine(events).length >= 1,
      }),
    );
    expect(signedIn).toHaveLength(1);
    expect(signedIn[0]!.data).toMatchObject({ user_id: someone.id, mfa: false });

    const failed = mine(
      await readEvents(nats, {
        stream: streams.auth.name,
        subject: subjects.auth.userSignInFailed,
        since,
        done: (events) => mine(events).length >= 1,
      }),
    );
    expect(failed[0]!.data).toMatchObject({ reason: 'invalid_credentials', failed_attempts: 1 });

    const updated = mine(
      await readEvents(nats, {
        stream: streams.auth.name,
        subject: subjects.auth.userProfileUpdated,
        since,
        done: (events) => mine(events).length >= 1,
      }),
    );
    expect(updated[0]!.data).toEqual({ user_id: someone.id, updated_fields: ['phone'], updated_by: someone.id });
    expect(JSON.stringify([signedIn, failed, updated])).not.toContain(someone.email);
    expect(JSON.stringify(updated)).not.toContain('+447700900123');
  });
});
