import { status } from '@grpc/grpc-js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionRevokedSchema, streams, subjects } from '@fintech/contracts';
import { RemoteCallError, connectNats, type NatsConnection } from '@fintech/kit';
import { readEvents, testNatsUrl } from '@fintech/testing';
import { startAuthFixture, type AuthFixture } from './helpers';

let auth: AuthFixture;
let nats: NatsConnection;

beforeAll(async () => {
  auth = await startAuthFixture();
  nats = await connectNats({ servers: testNatsUrl(), name: 'auth-sessions-test' });
});
afterAll(async () => {
  await nats?.drain();
  await auth?.stop();
});

async function failure(call: Promise<unknown>): Promise<RemoteCallError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the call should have been refused').toBeInstanceOf(RemoteCallError);
  return error as RemoteCallError;
}

describe('sessions', () => {
  it('name the sign-in in every access token (sid), across rotations', async () => {
    const user = await auth.createUser();
    const first = await auth.signIn(user.email, user.password);
    const sid = decodeJwt(first.token).sid;
    expect(sid).toMatch(/^[0-9a-f-]{36}$/);
    const rotated = await auth.client.refreshToken({ refresh_token: first.refresh_token });
    expect(decodeJwt(rotated.token).sid).toBe(sid);
    const other = await auth.signIn(user.email, user.password);
    expect(decodeJwt(other.token).sid).not.toBe(sid);
  });

  it('reuse of a refresh token revokes the sign-in: exchange refuses its access tokens and session.revoked is published once', async () => {
    const since = new Date(Date.now() - 1000);
    const user = await auth.createUser();
    const first = await auth.signIn(user.email, user.password);
    const second = await auth.signIn(user.email, user.password);
    await auth.internalToken(first.token);
    const rotated = await auth.client.refreshToken({ refresh_token: first.refresh_token });

    const reuse = await failure(auth.client.refreshToken({ refresh_token: first.refresh_token }));
    expect(reuse.reason).toBe('REFRESH_TOKEN_REUSED');
    // Replayed again: already revoked, no second revocation.
    expect((await failure(auth.client.refreshToken({ refresh_token: first.refresh_token }))).code).toBe(
      status.UNAUTHENTICATED,
    );

    for (const token of [first.token, rotated.token]) {
      const refused = await failure(auth.internalToken(token));
      expect(refused.reason).toBe('SESSION_REVOKED');
    }
    // The user's other sign-in is not affected.
    expect(await auth.internalToken(second.token)).toBeTruthy();

    const sid = String(decodeJwt(first.token).sid);
    const events = await readEvents(nats, {
      stream: streams.auth.name,
      subject: subjects.auth.sessionRevoked,
      since,
      // Reads on for a while after the first: a second event for the session would fail the test.
      done: () => false,
      timeoutMs: 2_000,
    });
    const ours = events.filter((e) => e.data.session_id === sid);
    expect(ours).toHaveLength(1);
    const data = sessionRevokedSchema.parse(ours[0]!.data);
    expect(data).toMatchObject({ user_id: user.id, session_id: sid, reason: 'refresh_token_reused' });
    expect(Date.parse(data.access_tokens_expire_by)).toBeGreaterThanOrEqual(
      (decodeJwt(rotated.token).exp ?? 0) * 1000 - 1000,
    );
    expect(JSON.stringify(ours[0])).not.toContain(user.email);
  });

  it('two concurrent refreshes with one token: one rotates, the other is reuse and revokes the session', async () => {
    const user = await auth.createUser();
    const session = await auth.signIn(user.email, user.password);
    const results = await Promise.allSettled([
      auth.client.refreshToken({ refresh_token: session.refresh_token }),
      auth.client.refreshToken({ refresh_token: session.refresh_token }),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    const newer = (ok[0] as PromiseFulfilledResult<{ token: string; refresh_token: string }>).value;
    expect((await failure(auth.client.refreshToken({ refresh_token: newer.refresh_token }))).reason).toBe(
      'INVALID_REFRESH_TOKEN',
    );
    expect((await failure(auth.internalToken(newer.token))).reason).toBe('SESSION_REVOKED');
  });
});
