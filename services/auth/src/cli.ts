import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  createFieldCipher,
  createLogger,
  createPrismaAdapter,
  DomainError,
  parseEnv,
  parseFieldKeys,
  migrateServiceSchema,
} from '@fintech/kit';
import { createUserRepository } from './db/user-repository';
import { PrismaClient } from './generated/prisma/client';
import { MIGRATIONS_DIR } from './service';
import { createUser } from './users/create-user';
import { normalizeEmail } from './domain/credentials';

const usage = `usage: user:create --email EMAIL --password PASSWORD [--role customer|support|fraud_analyst|admin] [--name "Full Name"] [--if-missing]

Creates a user in the auth service's database (DATABASE_URL, DATABASE_SCHEMA, FIELD_ENCRYPTION_KEYS).`;

const CliEnv = z.object({
  DATABASE_URL: z.string().min(1),
  DATABASE_SCHEMA: z.string().default('auth'),
  FIELD_ENCRYPTION_KEYS: z.string().min(1),
});

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'user:create') {
    console.error(usage);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string', default: 'customer' },
      name: { type: 'string' },
      'if-missing': { type: 'boolean', default: false },
    },
  });
  if (!values.email || !values.password) {
    console.error(usage);
    return 2;
  }
  const env = parseEnv(CliEnv);
  const logger = createLogger({ name: 'auth-cli', level: 'warn' });
  await migrateServiceSchema({
    connectionString: env.DATABASE_URL,
    schema: env.DATABASE_SCHEMA,
    migrationsDir: MIGRATIONS_DIR,
    logger,
  });
  const prisma = new PrismaClient({
    adapter: createPrismaAdapter({ connectionString: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, max: 2 }),
  });
  const keys = parseFieldKeys(env.FIELD_ENCRYPTION_KEYS);
  const users = createUserRepository(createFieldCipher({ keys: keys.keys, current: keys.current }));
  try {
    const existing = await users.findByEmail(prisma, normalizeEmail(values.email));
    if (existing && values['if-missing']) {
      console.log(JSON.stringify({ user_id: existing.id, created: false }));
      return 0;
    }
    const id = await createUser(
      { prisma, users },
      {
        email: values.email,
        password: values.password,
        role: values.role,
        fullName: values.name,
      },
    );
    console.log(JSON.stringify({ user_id: id, created: true }));
    return 0;
  } catch (error) {
    if (error instanceof DomainError) {
      console.error(`error: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await prisma.$disconnect();
  }
}

process.exitCode = await main(process.argv.slice(2));
