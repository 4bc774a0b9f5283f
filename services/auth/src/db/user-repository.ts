import type { authV1 } from '@fintech/contracts';
import type { FieldCipher } from '@fintech/kit';
import type { PrismaClient, User } from '../generated/prisma/client';
import type { ProfileChange } from '../domain/profile';
import { lockEnd, type CountedAttempt, type LockoutPolicy } from '../domain/lockout';

type Db = Pick<PrismaClient, 'user'>;
/** Raw SQL through Prisma (the adapter's search_path selects the service's schema). */
type SqlDb = Pick<PrismaClient, '$queryRaw' | '$executeRaw'>;

/** The columns that hold AES-256-GCM ciphertext, each bound to its row (AAD = users.<column>.<id>). */
const PII_COLUMNS = {
  email: 'email_encrypted',
  fullName: 'full_name_encrypted',
  phone: 'phone_encrypted',
  address: 'address_encrypted',
  dateOfBirth: 'date_of_birth_encrypted',
  mfaSecret: 'mfa_secret_encrypted',
} as const;

/**
 * Users with their personal data encrypted at rest. Everything that reads or writes a PII column goes through here,
 * so plaintext exists only in memory of this process.
 */
export function createUserRepository(cipher: FieldCipher) {
  const seal = (id: string, column: keyof typeof PII_COLUMNS, value: string): string =>
    cipher.encrypt(value, { table: 'users', column: PII_COLUMNS[column], rowId: id });
  const open = (id: string, column: keyof typeof PII_COLUMNS, value: string | null): string | null =>
    value === null ? null : cipher.decrypt(value, { table: 'users', column: PII_COLUMNS[column], rowId: id });

  return {
    emailIndex: (normalizedEmail: string) => cipher.blindIndex(normalizedEmail, 'email'),

    findByEmail(db: Db, normalizedEmail: string): Promise<User | null> {
      return db.user.findUnique({ where: { emailIndex: cipher.blindIndex(normalizedEmail, 'email') } });
    },

    findById(db: Db, id: string): Promise<User | null> {
      return db.user.findUnique({ where: { id } });
    },

    /** Only the id and role (token exchange, permissions): no personal data read. */
    findRole(db: Db, id: string): Promise<{ id: string; role: string } | null> {
      return db.user.findUnique({ where: { id }, select: { id: true, role: true } });
    },

    exists(db: Db, id: string): Promise<boolean> {
      return db.user.findUnique({ where: { id }, select: { id: true } }).then((row) => row !== null);
    },

    create(
      db: Db,
      input: { id: string; email: string; passwordHash: string; role: string; fullName?: string },
    ): Promise<User> {
      return db.user.create({
        data: {
          id: input.id,
          emailIndex: cipher.blindIndex(input.email, 'email'),
          emailEncrypted: seal(input.id, 'email', input.email),
          fullNameEncrypted: input.fullName ? seal(input.id, 'fullName', input.fullName) : null,
          passwordHash: input.passwordHash,
          role: input.role,
        },
      });
    },

    /** Writes the changed fields; returns their proto names. */
    async updateProfile(db: Db, id: string, change: ProfileChange): Promise<{ user: User; updatedFields: string[] }> {
      const data: Record<string, string> = {};
      const updatedFields: string[] = [];
      if (change.fullName !== undefined) {
        data.fullNameEncrypted = seal(id, 'fullName', change.fullName);
        updatedFields.push('full_name');
      }
      if (change.phone !== undefined) {
        data.phoneEncrypted = seal(id, 'phone', change.phone);
        updatedFields.push('phone');
      }
      if (change.address !== undefined) {
        data.addressEncrypted = seal(id, 'address', JSON.stringify(change.address));
        updatedFields.push('address');
      }
      if (change.dateOfBirth !== undefined) {
        data.dateOfBirthEncrypted = seal(id, 'dateOfBirth', change.dateOfBirth);
        updatedFields.push('date_of_birth');
      }
      const user = await db.user.update({ where: { id }, data });
      return { user, updatedFields };
    },

    /**
     * Counts a sign-in or one-time-code attempt before it is evaluated, in one statement: the row lock of the UPDATE
     * orders concurrent attempts, each gets its own count back, and the attempt that takes the last slot locks the
     * account in the same statement. Null when the account is locked (nothing may be evaluated). A lock that has
     * lapsed starts a new run at 1. See docs/decisions/015.
     */
    async countAttempt(db: SqlDb, id: string, now: Date, policy: LockoutPolicy): Promise<CountedAttempt | null> {
      const rows = await db.$queryRaw<{ count: number; locked_until: Date | null }[]>`
        UPDATE "users" SET
          "failed_sign_ins" = CASE WHEN "locked_until" IS NULL THEN "failed_sign_ins" + 1 ELSE 1 END,
          "locked_until" = CASE
            WHEN (CASE WHEN "locked_until" IS NULL THEN "failed_sign_ins" + 1 ELSE 1 END) >= ${policy.maxFailures}
            THEN ${lockEnd(now, policy)}::timestamptz
            ELSE NULL
          END
        WHERE "id" = ${id}::uuid AND ("locked_until" IS NULL OR "locked_until" <= ${now}::timestamptz)
        RETURNING "failed_sign_ins" AS "count", "locked_until"`;
      const row = rows[0];
      return row ? { count: Number(row.count), lockedUntil: row.locked_until } : null;
    },

    /**
     * A fully successful sign-in (or step-up): the run of failures ends. The lock is lifted only if this attempt
     * placed it (it took the last slot and turned out right); a lock placed by another attempt stands.
     */
    async clearAttempts(db: SqlDb, id: string, attempt: CountedAttempt): Promise<void> {
      await db.$executeRaw`
        UPDATE "users" SET
          "failed_sign_ins" = 0,
          "locked_until" = CASE WHEN "locked_until" = ${attempt.lockedUntil}::timestamptz THEN NULL ELSE "locked_until" END
        WHERE "id" = ${id}::uuid`;
    },

    /**
     * The right password of a user who still owes a one-time code: the attempt stays counted (only a completed
     * sign-in ends the run, so knowing the password buys no extra code guesses), but a lock this attempt placed
     * is lifted, since the password it evaluated was right.
     */
    async releaseOwnLock(db: SqlDb, id: string, attempt: CountedAttempt): Promise<void> {
      if (!attempt.lockedUntil) return;
      await db.$executeRaw`
        UPDATE "users" SET "locked_until" = NULL
        WHERE "id" = ${id}::uuid AND "locked_until" = ${attempt.lockedUntil}::timestamptz`;
    },

    /** Records a TOTP time step as used if it is later than the last one; false when it is not (a replay). */
    async claimTotpStep(db: Db, id: string, step: bigint): Promise<boolean> {
      const claimed = await db.user.updateMany({
        where: { id, OR: [{ mfaLastStep: null }, { mfaLastStep: { lt: step } }] },
        data: { mfaLastStep: step },
      });
      return claimed.count === 1;
    },

    /** Stores a new, not yet confirmed TOTP secret; its time-step history starts over. */
    async startMfaEnrolment(db: Db, id: string, base32Secret: string): Promise<void> {
      await db.user.update({
        where: { id },
        data: { mfaSecretEncrypted: seal(id, 'mfaSecret', base32Secret), mfaLastStep: null },
      });
    },

    async enableMfa(db: Db, id: string): Promise<void> {
      await db.user.update({ where: { id }, data: { mfaEnabled: true } });
    },

    openMfaSecret: (user: User) => open(user.id, 'mfaSecret', user.mfaSecretEncrypted),

    /** The decrypted profile as the contract shapes it. */
    toProfile(user: User): authV1.UserProfile {
      const address = open(user.id, 'address', user.addressEncrypted);
      return {
        user_id: user.id,
        email: open(user.id, 'email', user.emailEncrypted) ?? '',
        full_name: open(user.id, 'fullName', user.fullNameEncrypted) ?? '',
        phone: open(user.id, 'phone', user.phoneEncrypted) ?? '',
        address: address ? (JSON.parse(address) as authV1.Address) : null,
        date_of_birth: open(user.id, 'dateOfBirth', user.dateOfBirthEncrypted) ?? '',
        role: user.role,
        mfa_enabled: user.mfaEnabled,
        created_at: user.createdAt.toISOString(),
        updated_at: user.updatedAt.toISOString(),
      };
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
