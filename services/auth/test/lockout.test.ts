import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteCallError } from '@fintech/kit';
import { base32Decode, totpCode } from '../src/domain/totp';
import { startAuthFixture, type AuthFixture } from './helpers';

// The attacks of the lockout: many guesses at once, so that each would pass a "not locked yet" check read before
// any failure is written. Counting must hold however the calls interleave.
const MAX = 5;
const LOCKOUT_SECONDS = 600;

let auth: AuthFixture;

beforeAll(async () => {
  auth = await startAuthFixture({ MAX_FAILED_SIGN_INS: String(MAX), LOCKOUT_SECONDS: String(LOCKOUT_SECONDS) });
});
afterAll(async () => {
  await auth?.stop();
});

/** The reason of each call's failure ('OK' for a success). */
async function outcomes(calls: Promise<unknown>[]): Promise<string[]> {
  const settled = await Promise.allSettled(calls);
  return settled.map((s) => {
    if (s.status === 'fulfilled') return 'OK';
    expect(s.reason).toBeInstanceOf(RemoteCallError);
    return (s.reason as RemoteCallError).reason;
  });
}

function tally(reasons: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const reason of reasons) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}

async function failure(call: Promise<unknown>): Promise<RemoteCallError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the call should have been refused').toBeInstanceOf(RemoteCallError);
  return error as RemoteCallError;
}

/** Six digits that are not a valid code of `secret` in the verifier's window around `atMs`. */
function wrongCode(secret: Uint8Array, atMs: number, seed: number): string {
  const valid = new Set([-1, 0, 1].map((step) => totpCode(secret, atMs + step * 30_000)));
  for (let n = seed; ; n++) {
    const code = String(n % 1_000_000).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

/** A user with TOTP enrolled and confirmed; returns the secret and an internal token of a password-only session. */
async function userWithMfa() {
  const user = await auth.createUser();
  const session = await auth.signIn(user.email, user.password);
  const token = await auth.internalToken(session.token);
  const secret = base32Decode((await auth.client.enrollMfa({ user_id: 'me' }, { token })).secret);
  await auth.client.confirmMfa({ user_id: 'me', code: totpCode(secret, auth.clock.now) }, { token });
  // Later codes must fall in a later time step than the confirming one (RFC 6238 §5.2: a code is accepted once).
  auth.clock.now += 30_000;
  return { ...user, secret, token };
}

describe('passwords guessed concurrently', () => {
  it('evaluates at most MAX_FAILED_SIGN_INS of 40 simultaneous wrong passwords; the rest and then the right password are ACCOUNT_LOCKED', async () => {
    const user = await auth.createUser();
    const reasons = await outcomes(
      Array.from({ length: 40 }, (_, i) => auth.signIn(user.email, `wrong password number ${i}`)),
    );
    const counts = tally(reasons);
    // Every refusal is one of the two; the wrong-password answers are the evaluated guesses.
    expect(Object.keys(counts).sort()).toEqual(['ACCOUNT_LOCKED', 'UNAUTHENTICATED']);
    expect(counts.UNAUTHENTICATED).toBeLessThanOrEqual(MAX);
    expect(counts.ACCOUNT_LOCKED).toBeGreaterThanOrEqual(40 - MAX);

    const right = await failure(auth.signIn(user.email, user.password));
    expect(right.reason).toBe('ACCOUNT_LOCKED');
    expect(right.code).toBe(status.UNAUTHENTICATED);

    // The lock lapses; the right password then signs in and a new run of failures starts from zero.
    auth.clock.now += (LOCKOUT_SECONDS + 1) * 1000;
    expect((await auth.signIn(user.email, user.password)).status).toBe('authenticated');
    expect((await failure(auth.signIn(user.email, 'wrong again'))).reason).toBe('UNAUTHENTICATED');
    expect((await auth.signIn(user.email, user.password)).status).toBe('authenticated');
  });

  it('a right password sent among concurrent wrong ones is evaluated only within the budget', async () => {
    const user = await auth.createUser();
    const calls = Array.from({ length: 30 }, (_, i) =>
      auth.signIn(user.email, i === 29 ? user.password : `wrong password number ${i}`),
    );
    const reasons = await outcomes(calls);
    const counts = tally(reasons);
    // Either the right one got a slot (and signed in) or it was refused as locked; never more than MAX evaluated.
    expect((counts.UNAUTHENTICATED ?? 0) + (counts.OK ?? 0)).toBeLessThanOrEqual(MAX);
    expect(counts.ACCOUNT_LOCKED).toBeGreaterThanOrEqual(30 - MAX);
  });
});

describe('the attempt that takes the last slot', () => {
  it('signs in when it is the right password, and leaves the account unlocked', async () => {
    const user = await auth.createUser();
    for (let i = 0; i < MAX - 1; i++) {
      expect((await failure(auth.signIn(user.email, `wrong ${i}`))).reason).toBe('UNAUTHENTICATED');
    }
    expect((await auth.signIn(user.email, user.password)).status).toBe('authenticated');
    expect((await auth.signIn(user.email, user.password)).status).toBe('authenticated');
    // The run starts over: MAX more wrong passwords are needed to lock.
    for (let i = 0; i < MAX - 1; i++) await failure(auth.signIn(user.email, `wrong again ${i}`));
    expect((await auth.signIn(user.email, user.password)).status).toBe('authenticated');
  });

  it('with MFA: the right password and then the right code complete the sign-in and unlock', async () => {
    const user = await userWithMfa();
    for (let i = 0; i < MAX - 1; i++) await failure(auth.signIn(user.email, `wrong ${i}`));
    const pending = await auth.signIn(user.email, user.password);
    expect(pending.status).toBe('mfa_required');
    const done = await auth.client.verifyMfa({
      challenge: pending.mfa_challenge,
      code: totpCode(user.secret, auth.clock.now),
    });
    expect(done.status).toBe('authenticated');
    expect((await auth.signIn(user.email, user.password)).status).toBe('mfa_required');
  });
});

describe('one-time codes guessed concurrently', () => {
  it('counts codes against the account: 40 wrong codes on several challenges at once get at most MAX evaluations, then the right code is refused', async () => {
    const user = await userWithMfa();
    // A challenge kept aside, to try the right code with after the attack.
    const spare = await auth.signIn(user.email, user.password);
    const challenges = await Promise.all([1, 2, 3].map(() => auth.signIn(user.email, user.password)));
    for (const c of [spare, ...challenges]) expect(c.status).toBe('mfa_required');

    const reasons = await outcomes(
      Array.from({ length: 40 }, (_, i) =>
        auth.client.verifyMfa({
          challenge: challenges[i % 3]!.mfa_challenge,
          code: wrongCode(user.secret, auth.clock.now, 100_000 + i * 7919),
        }),
      ),
    );
    const counts = tally(reasons);
    // Four password slots were taken by the sign-ins above (right passwords count until the code completes them).
    expect(counts.INVALID_MFA_CODE ?? 0).toBeLessThanOrEqual(MAX - 4);
    expect((counts.ACCOUNT_LOCKED ?? 0) + (counts.MFA_CHALLENGE_INVALID ?? 0)).toBeGreaterThanOrEqual(40 - MAX);

    const rightCode = totpCode(user.secret, auth.clock.now);
    const refusedCode = await failure(auth.client.verifyMfa({ challenge: spare.mfa_challenge, code: rightCode }));
    expect(refusedCode.reason).toBe('ACCOUNT_LOCKED');
    expect((await failure(auth.signIn(user.email, user.password))).reason).toBe('ACCOUNT_LOCKED');
  });

  it('knowing the password buys no fresh code guesses: signing in again does not reset the count', async () => {
    const user = await userWithMfa();
    const first = await auth.signIn(user.email, user.password);
    for (let i = 0; i < MAX - 2; i++) {
      const wrong = wrongCode(user.secret, auth.clock.now, 200_000 + i * 104_729);
      const error = await failure(auth.client.verifyMfa({ challenge: first.mfa_challenge, code: wrong }));
      expect(error.reason).toBe('INVALID_MFA_CODE');
    }
    // A second right password takes the last slot, and the next wrong code locks the account.
    const second = await auth.signIn(user.email, user.password);
    expect(second.status).toBe('mfa_required');
    const last = wrongCode(user.secret, auth.clock.now, 300_000);
    expect((await failure(auth.client.verifyMfa({ challenge: second.mfa_challenge, code: last }))).reason).toBe(
      'INVALID_MFA_CODE',
    );
    const right = totpCode(user.secret, auth.clock.now);
    expect((await failure(auth.client.verifyMfa({ challenge: second.mfa_challenge, code: right }))).reason).toBe(
      'ACCOUNT_LOCKED',
    );
  });

  it('a challenge allows five codes however many arrive at once', async () => {
    // A generous account budget isolates the per-challenge bound.
    const budget = await startAuthFixture({ MAX_FAILED_SIGN_INS: '1000' });
    try {
      const u = await budget.createUser();
      const session = await budget.signIn(u.email, u.password);
      const token = await budget.internalToken(session.token);
      const secret = base32Decode((await budget.client.enrollMfa({ user_id: 'me' }, { token })).secret);
      await budget.client.confirmMfa({ user_id: 'me', code: totpCode(secret, budget.clock.now) }, { token });
      budget.clock.now += 30_000;
      const challenge = (await budget.signIn(u.email, u.password)).mfa_challenge;
      const reasons = await outcomes(
        Array.from({ length: 30 }, (_, i) =>
          budget.client.verifyMfa({ challenge, code: wrongCode(secret, budget.clock.now, 400_000 + i * 13) }),
        ),
      );
      const counts = tally(reasons);
      expect(counts.INVALID_MFA_CODE).toBe(5);
      expect(counts.MFA_CHALLENGE_INVALID).toBe(25);
      const right = totpCode(secret, budget.clock.now);
      expect((await failure(budget.client.verifyMfa({ challenge, code: right }))).reason).toBe('MFA_CHALLENGE_INVALID');
    } finally {
      await budget.stop();
    }
  });

  it('step-up codes count too: 40 concurrent wrong codes with a stolen token get at most MAX evaluations, then the right code is refused', async () => {
    const user = await userWithMfa();
    const reasons = await outcomes(
      Array.from({ length: 40 }, (_, i) =>
        auth.client.verifyStepUp(
          { user_id: user.id, code: wrongCode(user.secret, auth.clock.now, 500_000 + i * 31) },
          { token: user.token },
        ),
      ),
    );
    const counts = tally(reasons);
    // A wrong step-up code answers verified: false (OK here); a locked account refuses without checking.
    expect(counts.OK ?? 0).toBeLessThanOrEqual(MAX);
    expect(counts.ACCOUNT_LOCKED).toBeGreaterThanOrEqual(40 - MAX);

    const right = totpCode(user.secret, auth.clock.now);
    const locked = await failure(auth.client.verifyStepUp({ user_id: user.id, code: right }, { token: user.token }));
    expect(locked.reason).toBe('ACCOUNT_LOCKED');
    expect(locked.code).toBe(status.FAILED_PRECONDITION);
    expect((await failure(auth.signIn(user.email, user.password))).reason).toBe('ACCOUNT_LOCKED');
  });
});
