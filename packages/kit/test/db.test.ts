import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  KIT_MIGRATION_SETS,
  MigrationChecksumError,
  MigrationFailedError,
  createPool,
  createPrismaAdapter,
  dropSchema,
  migrateServiceSchema,
  runMigrations,
} from '../src/index';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const suffix = randomBytes(4).toString('hex');
const schemas: string[] = [];
let root: string;
let admin: pg.Pool;

function newSchema(): string {
  const schema = `kit_db_${suffix}_${schemas.length}`;
  schemas.push(schema);
  return schema;
}

async function newMigrationsDir(migrations: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(root, 'migrations-'));
  for (const [name, sql] of Object.entries(migrations)) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

async function tables(schema: string): Promise<string[]> {
  const { rows } = await admin.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [schema],
  );
  return rows.map((r) => r.table_name);
}

const INIT = `CREATE TABLE "account" ("id" UUID NOT NULL PRIMARY KEY, "email" TEXT NOT NULL);
CREATE UNIQUE INDEX "account_email_key" ON "account"("email");
`;
const SECOND = `ALTER TABLE "account" ADD COLUMN "name" TEXT;
CREATE TABLE "session" ("id" UUID NOT NULL PRIMARY KEY, "account_id" UUID NOT NULL REFERENCES "account"("id"));
`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kit-db-'));
  admin = new pg.Pool({ connectionString, max: 2 });
});

afterAll(async () => {
  for (const schema of schemas) await dropSchema(connectionString, schema);
  await admin.end();
  await rm(root, { recursive: true, force: true });
});

describe('runMigrations', () => {
  let schema: string;
  beforeEach(() => {
    schema = newSchema();
  });

  it('creates the schema, applies migrations in name order and records Prisma checksums', async () => {
    // Folder names sort so that 2 comes after 1 even though they are written in the other order.
    const dir = await newMigrationsDir({ '20260102000000_second': SECOND, '20260101000000_init': INIT });
    const applied = await runMigrations({ connectionString, schema, migrationsDir: dir });
    expect(applied).toEqual(['20260101000000_init', '20260102000000_second']);
    expect(await tables(schema)).toEqual(['_prisma_migrations', 'account', 'session']);

    const { rows } = await admin.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "${schema}"."_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const file = await readFile(join(dir, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('applies nothing on a second run, and only the new migration after one is added', async () => {
    const dir = await newMigrationsDir({ '20260101000000_init': INIT });
    expect(await runMigrations({ connectionString, schema, migrationsDir: dir })).toEqual(['20260101000000_init']);
    expect(await runMigrations({ connectionString, schema, migrationsDir: dir })).toEqual([]);

    await mkdir(join(dir, '20260102000000_second'));
    await writeFile(join(dir, '20260102000000_second', 'migration.sql'), SECOND);
    expect(await runMigrations({ connectionString, schema, migrationsDir: dir })).toEqual(['20260102000000_second']);
    const { rows } = await admin.query(`SELECT 1 FROM "${schema}"."_prisma_migrations"`);
    expect(rows).toHaveLength(2);
  });

  it('applies each migration once when replicas start at the same time', async () => {
    // pg_sleep widens the window in which a second runner would apply the same migration without the lock.
    const dir = await newMigrationsDir({
      '20260101000000_init': `SELECT pg_sleep(0.2);\n${INIT}`,
      '20260102000000_second': SECOND,
    });
    const results = await Promise.all(
      [0, 1, 2].map(() => runMigrations({ connectionString, schema, migrationsDir: dir })),
    );
    expect(results.flat().sort()).toEqual(['20260101000000_init', '20260102000000_second']);
    const { rows } = await admin.query(`SELECT migration_name FROM "${schema}"."_prisma_migrations"`);
    expect(rows).toHaveLength(2);
  });

  it('refuses to start when an applied migration was modified', async () => {
    const dir = await newMigrationsDir({ '20260101000000_init': INIT });
    await runMigrations({ connectionString, schema, migrationsDir: dir });
    await writeFile(join(dir, '20260101000000_init', 'migration.sql'), `${INIT}-- edited\n`);
    await expect(runMigrations({ connectionString, schema, migrationsDir: dir })).rejects.toThrow(
      MigrationChecksumError,
    );
    await expect(runMigrations({ connectionString, schema, migrationsDir: dir })).rejects.toThrow(
      /20260101000000_init.*modified/,
    );
  });

  it('rolls a failing migration back entirely and names it', async () => {
    const dir = await newMigrationsDir({
      '20260101000000_init': INIT,
      // The first statement succeeds, the second fails: neither the table nor a record may remain.
      '20260102000000_broken': 'CREATE TABLE "half" ("id" INT);\nALTER TABLE "missing" ADD COLUMN "x" INT;\n',
    });
    const run = runMigrations({ connectionString, schema, migrationsDir: dir });
    await expect(run).rejects.toThrow(MigrationFailedError);
    await expect(run).rejects.toThrow(/20260102000000_broken/);
    expect(await tables(schema)).toEqual(['_prisma_migrations', 'account']);
    const { rows } = await admin.query<{ migration_name: string }>(
      `SELECT migration_name FROM "${schema}"."_prisma_migrations"`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(['20260101000000_init']);

    // Once the file is fixed, the next start applies it.
    await writeFile(join(dir, '20260102000000_broken', 'migration.sql'), 'CREATE TABLE "half" ("id" INT);\n');
    expect(await runMigrations({ connectionString, schema, migrationsDir: dir })).toEqual(['20260102000000_broken']);
  });

  it('rejects schema names that are not plain lowercase identifiers', async () => {
    const dir = await newMigrationsDir({});
    await expect(runMigrations({ connectionString, schema: 'Auth"; DROP', migrationsDir: dir })).rejects.toThrow(
      /Invalid schema name/,
    );
  });
});

describe('migrateServiceSchema', () => {
  it("applies the kit's sets first, each recorded apart from the service's Prisma history, once", async () => {
    const schema = newSchema();
    const extraDir = await mkdtemp(join(root, 'kit-set-'));
    // A kit set in the flat layout (`<name>.sql`) beside the outbox set in Prisma's layout.
    await writeFile(join(extraDir, '0001_extra.sql'), 'CREATE TABLE IF NOT EXISTS "extra" ("id" INT PRIMARY KEY);\n');
    const own = await newMigrationsDir({
      // Depends on both kit sets: it only applies after them.
      '20260101000000_init': `${INIT}CREATE VIEW "pending" AS SELECT o."id" FROM "outbox" o, "extra" e;\n`,
    });
    const kitMigrations = [...KIT_MIGRATION_SETS, { name: 'extra', dir: extraDir, layout: 'files' as const }];
    const first = await migrateServiceSchema({ connectionString, schema, migrationsDir: own, kitMigrations });
    expect(first).toEqual([
      'outbox/20261125000000_outbox',
      'safety/20261204000000_agent_safety',
      'extra/0001_extra',
      '20260101000000_init',
    ]);
    expect(await tables(schema)).toEqual(
      expect.arrayContaining([
        '_kit_migrations',
        '_prisma_migrations',
        'outbox',
        'processed_events',
        'idempotency_records',
        'confirmations',
        'extra',
        'account',
      ]),
    );
    const prisma = await admin.query<{ migration_name: string }>(
      `SELECT migration_name FROM "${schema}"."_prisma_migrations"`,
    );
    expect(prisma.rows.map((r) => r.migration_name)).toEqual(['20260101000000_init']);
    expect(await migrateServiceSchema({ connectionString, schema, migrationsDir: own, kitMigrations })).toEqual([]);
  });

  it('adopts outbox tables that a service migration created before the kit owned them', async () => {
    const schema = newSchema();
    const old = await newMigrationsDir({
      '20250101000000_init': `CREATE TABLE "outbox" ("id" UUID NOT NULL, "subject" TEXT NOT NULL, "envelope" JSONB NOT NULL, "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "published_at" TIMESTAMPTZ(3), "attempts" INTEGER NOT NULL DEFAULT 0, "last_error" TEXT, CONSTRAINT "outbox_pkey" PRIMARY KEY ("id"));\n`,
    });
    await runMigrations({ connectionString, schema, migrationsDir: old });
    expect(await migrateServiceSchema({ connectionString, schema })).toEqual([
      'outbox/20261125000000_outbox',
      'safety/20261204000000_agent_safety',
    ]);
    expect(await tables(schema)).toEqual(expect.arrayContaining(['outbox', 'processed_events', 'idempotency_records']));
  });
});

describe('createPool', () => {
  it('resolves unqualified names in the service schema', async () => {
    const schema = newSchema();
    const dir = await newMigrationsDir({ '20260101000000_init': INIT });
    await runMigrations({ connectionString, schema, migrationsDir: dir });
    const pool = createPool({ connectionString, schema, max: 2 });
    try {
      const { rows } = await pool.query<{ search_path: string }>('SHOW search_path');
      expect(rows[0]?.search_path).toBe(`"${schema}"`);
      await pool.query('INSERT INTO account (id, email) VALUES (gen_random_uuid(), $1)', ['a@example.com']);
      const count = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".account`);
      expect(count.rows[0]?.n).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('refuses an unsafe schema name', () => {
    expect(() => createPool({ connectionString, schema: 'a b' })).toThrow(/Invalid schema name/);
    expect(() => createPrismaAdapter({ connectionString, schema: '1abc' })).toThrow(/Invalid schema name/);
  });
});

describe('createPrismaAdapter', () => {
  it('connects with the schema as search_path and reports it to Prisma', async () => {
    const schema = newSchema();
    const adapter = await createPrismaAdapter({ connectionString, schema }).connect();
    try {
      expect(adapter.getConnectionInfo().schemaName).toBe(schema);
      const result = await adapter.queryRaw({ sql: 'SHOW search_path', args: [], argTypes: [] });
      expect(result.rows[0]?.[0]).toBe(`"${schema}"`);
    } finally {
      await adapter.dispose();
    }
  });
});
