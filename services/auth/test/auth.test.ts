import { status } from '@grpc/grpc-js';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteCallError, runMigrations } from '@fintech/kit';
import { testDatabaseUrl } from '@fintech/testing';
import { base32Decode, totpCode } from '../src/domain/totp';
import { MIGRATIONS_DIR } from '../src/index';
import { startAuthFixture, type AuthFixture } from './helpers';

let auth: AuthFixture;

beforeAll(async () => {
  auth = await startAuthFixture({ MAX_FAILED_SIGN_INS: '3', LOCKOUT_SECONDS: '600' });
});
afterAll(async () => {
  await auth?.stop();
});

async function refused(call: Promise<unknown>): Promise<RemoteCallError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the call should have been refused').toBeInstanceOf(RemoteCallError);
  return error as RemoteCallError;
}

describe('sign-in', () => {
  it('returns an EdDSA access token for the gateway audience and an opaque refresh token', async () => {
    const user = await auth.createUser();
    const result = await auth.signIn(user.email, user.password);
    expect(result.status).toBe('authenticated');
    expect(result.user_id).toBe(user.id);
    expect(result.refresh_token).toMatch(/^rt_/);
    expect(result.expires_in).toBe(900);
    const header = decodeProtectedHeader(result.token);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    const claims = decodeJwt(result.token);
    expect(claims).toMatchObject({ sub: user.id, aud: 'fintech-gateway', role: 'customer' });
    expect(String(claims.scope).split(' ')).toContain('profile:read');
  });

  it('refuses a wrong password and an unknown email with the same message', async () => {
    const user = await auth.createUser();
    const wrong = await refused(auth.signIn(user.email, 'not the password at all'));
    const unknown = await refused(auth.signIn('nobody@example.com', 'not the password at all'));
    expect(wrong.code).toBe(status.UNAUTHENTICATED);
    expect(unknown.message).toBe(wrong.message);
  });

  it('locks the account after repeated wrong passwords, even for the right one', async () => {
    const user = await auth.createUser();
    for (let i = 0; i < 3; i++) await refused(auth.signIn(user.email, `wrong password ${i}`));
    const locked = await refused(auth.signIn(user.email, user.password));
    expect(locked.reason).toBe('ACCOUNT_LOCKED');
    auth.clock.now += 601_000;
    try {
      expect((await auth.signIn(user.email, user.password)).status).toBe('authenticated');
    } finally {
      auth.clock.now -= 601_000;
    }
  });
});

describe('refresh tokens', () => {
  it('rotate on every use; replaying a spent one fails and revokes the newer one', async () => {
    const user = await auth.createUser();
    const first = await auth.signIn(user.email, user.password);
    const second = await auth.client.refreshToken({ refresh_token: first.refresh_token });
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.token).sub).toBe(user.id);

    const replay = await refused(auth.client.refreshToken({ refresh_token: first.refresh_token }));
    expect(replay.reason).toBe('REFRESH_TOKEN_REUSED');
    const revoked = await refused(auth.client.refreshToken({ refresh_token: second.refresh_token }));
    expect(revoked.code).toBe(status.UNAUTHENTICATED);
  });

  it('refuses an unknown token', async () => {
    const error = await refused(auth.client.refreshToken({ refresh_token: 'rt_made_up' }));
    expect(error.code).toBe(status.UNAUTHENTICATED);
  });
});

describe('MFA (TOTP)', () => {
  it('enrols with a first code; sign-in then needs a current, unused code', async () => {
    const user = await auth.createUser();
    const session = await auth.signIn(user.email, user.password);
    const token = await auth.internalToken(session.token);

    const enrolment = await auth.client.enrollMfa({ user_id: 'me' }, { token });
    expect(base32Decode(enrolment.secret).length).toBeGreaterThanOrEqual(20);
    expect(enrolment.otpauth_uri).toMatch(/^otpauth:\/\/totp\//);
    const secret = base32Decode(enrolment.secret);

    const badConfirm = await refused(auth.client.confirmMfa({ user_id: 'me', code: '000000' }, { token }));
    expect(badConfirm.code).toBe(status.INVALID_ARGUMENT);
    const confirmCode = totpCode(secret, auth.clock.now);
    expect((await auth.client.confirmMfa({ user_id: 'me', code: confirmCode }, { token })).mfa_enabled).toBe(true);

    auth.clock.now += 30_000;
    const pending = await auth.signIn(user.email, user.password);
    expect(pending.status).toBe('mfa_required');
    expect(pending.token).toBe('');
    expect(pending.mfa_challenge).not.toBe('');

    const stale = totpCode(secret, auth.clock.now - 60_000);
    const staleError = await refused(auth.client.verifyMfa({ challenge: pending.mfa_challenge, code: stale }));
    expect(staleError.reason).toBe('INVALID_MFA_CODE');

    const code = totpCode(secret, auth.clock.now);
    const done = await auth.client.verifyMfa({ challenge: pending.mfa_challenge, code });
    expect(done.status).toBe('authenticated');
    expect(decodeJwt(done.token).sub).toBe(user.id);

    // The challenge is spent, and the same code is refused on a new challenge.
    await refused(auth.client.verifyMfa({ challenge: pending.mfa_challenge, code }));
    const again = await auth.signIn(user.email, user.password);
    const replay = await refused(auth.client.verifyMfa({ challenge: again.mfa_challenge, code }));
    expect(replay.message).toMatch(/already used/);

    // Step-up: a fresh code passes once.
    auth.clock.now += 30_000;
    const stepCode = totpCode(secret, auth.clock.now);
    expect(await auth.client.verifyStepUp({ user_id: user.id, code: stepCode }, { token })).toEqual({
      mfa_enrolled: true,
      verified: true,
    });
    expect((await auth.client.verifyStepUp({ user_id: user.id, code: stepCode }, { token })).verified).toBe(false);
  });
});

describe('profiles', () => {
  it('are read and updated by their owner', async () => {
    const user = await auth.createUser({ fullName: 'Ada Lovelace' });
    const token = await auth.internalToken((await auth.signIn(user.email, user.password)).token);

    const profile = await auth.client.getUserProfile({ user_id: 'me' }, { token });
    expect(profile).toMatchObject({ user_id: user.id, email: user.email, full_name: 'Ada Lovelace', role: 'customer' });

    const updated = await auth.client.updateUserProfile(
      {
        user_id: user.id,
        profile_data: {
          phone: '+14155550123',
          date_of_birth: '1990-12-10',
          address: { city: 'London', country: 'GB' },
        },
      },
      { token },
    );
    expect(updated.updated_fields.sort()).toEqual(['address', 'date_of_birth', 'phone']);
    const reread = await auth.client.getUserProfile({ user_id: user.id }, { token });
    expect(reread).toMatchObject({ phone: '+14155550123', date_of_birth: '1990-12-10' });
    expect(reread.address).toMatchObject({ city: 'London', country: 'GB' });

    const permissions = await auth.client.getUserPermissions({ user_id: 'me' }, { token });
    expect(permissions.role).toBe('customer');
    expect(permissions.scopes).toContain('payments:write');
  });

  it("refuse another user's profile and permissions", async () => {
    const owner = await auth.createUser();
    const other = await auth.createUser();
    const token = await auth.internalToken((await auth.signIn(owner.email, owner.password)).token);
    for (const call of [
      auth.client.getUserProfile({ user_id: other.id }, { token }),
      auth.client.getUserPermissions({ user_id: other.id }, { token }),
      auth.client.updateUserProfile({ user_id: other.id, profile_data: { full_name: 'Mallory' } }, { token }),
    ]) {
      expect((await refused(call)).code).toBe(status.PERMISSION_DENIED);
    }
  });

  it('let support staff read but not change another user', async () => {
    const customer = await auth.createUser();
    const support = await auth.createUser({ role: 'support' });
    const token = await auth.internalToken((await auth.signIn(support.email, support.password)).token);
    expect((await auth.client.getUserProfile({ user_id: customer.id }, { token })).email).toBe(customer.email);
    const write = await refused(
      auth.client.updateUserProfile({ user_id: customer.id, profile_data: { full_name: 'X' } }, { token }),
    );
    expect(write.code).toBe(status.PERMISSION_DENIED);
  });

  it('cannot change role or scopes, and validate the fields they can change', async () => {
    const user = await auth.createUser();
    const token = await auth.internalToken((await auth.signIn(user.email, user.password)).token);
    // role and scopes are not fields of ProfileData: protobuf drops them, nothing is left to update.
    const sneaky = await refused(
      auth.client.updateUserProfile(
        { user_id: 'me', profile_data: { role: 'admin', scopes: ['users:write_any'] } as never },
        { token },
      ),
    );
    expect(sneaky.code).toBe(status.INVALID_ARGUMENT);
    expect((await auth.client.getUserPermissions({ user_id: 'me' }, { token })).role).toBe('customer');

    const badPhone = await refused(
      auth.client.updateUserProfile({ user_id: 'me', profile_data: { phone: '555-1234' } }, { token }),
    );
    expect(badPhone.code).toBe(status.INVALID_ARGUMENT);
    expect(badPhone.field).toBe('profile_data.phone');
  });
});

describe('personal data at rest', () => {
  it('is not readable in the raw columns, and a flipped ciphertext bit fails decryption', async () => {
    const user = await auth.createUser({ fullName: 'Grace Hopper' });
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT * FROM "${auth.schema}".users WHERE id = $1`, [user.id]);
      const row = rows[0] as Record<string, unknown>;
      const raw = JSON.stringify(row);
      expect(raw).not.toContain(user.email);
      expect(raw).not.toContain('Grace Hopper');
      expect(String(row.email_index)).not.toContain('@');

      const sealed = String(row.email_encrypted);
      const aad = { table: 'users', column: 'email_encrypted', rowId: user.id };
      expect(auth.service.deps.cipher.decrypt(sealed, aad)).toBe(user.email);
      const [version, body] = sealed.split(':') as [string, string];
      const bytes = Buffer.from(body, 'base64url');
      bytes[bytes.length - 20]! ^= 0x01;
      expect(() => auth.service.deps.cipher.decrypt(`${version}:${bytes.toString('base64url')}`, aad)).toThrow();
      // Ciphertext moved to another row does not decrypt either (the row id is associated data).
      expect(() => auth.service.deps.cipher.decrypt(sealed, { ...aad, rowId: 'someone-else' })).toThrow();
    } finally {
      await client.end();
    }
  });
});

describe('migrations', () => {
  it('are a no-op on a second run', async () => {
    const applied = await runMigrations({
      connectionString: testDatabaseUrl(),
      schema: auth.schema,
      migrationsDir: MIGRATIONS_DIR,
    });
    expect(applied).toEqual([]);
  });
});
