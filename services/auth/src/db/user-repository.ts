import type { authV1 } from '@fintech/contracts';
import type { FieldCipher } from '@fintech/kit';
import type { PrismaClient, User } from '../generated/prisma/client';
import type { ProfileChange } from '../domain/profile';

type Db = Pick<PrismaClient, 'user'>;

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

    sealMfaSecret: (id: string, base32Secret: string) => seal(id, 'mfaSecret', base32Secret),
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
