import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { assertSchemaName, quoteIdentifier } from './schema-name';

/** Options of {@link runMigrations}. */
export interface RunMigrationsOptions {
  /** A `postgres://` URL; the role needs CREATE on the database (for the schema) or ownership of the schema. */
  connectionString: string;
  /** The schema the migrations build; created when missing. */
  schema: string;
  /** A Prisma migrations folder: one sub-folder per migration holding `migration.sql`, applied in name order. */
  migrationsDir: string;
  /** Receives one line per applied migration. */
  logger?: Logger;
  /**
   * The table that records applied migrations (default Prisma's `_prisma_migrations`). The kit records its own
   * migration sets in `_kit_migrations`, so Prisma's history holds only the service's migrations.
   */
  historyTable?: string;
  /**
   * Prefix of the names recorded for these migrations (`outbox/` gives `outbox/20261125000000_outbox`), so several
   * sets share one history table; rows of other prefixes are left alone.
   */
  namePrefix?: string;
  /**
   * `folders` (default): Prisma's layout, `<name>/migration.sql`. `files`: `<name>.sql` files, for the kit's own
   * sets, which Prisma never reads.
   */
  layout?: 'folders' | 'files';
}

/** A migration already applied to the database no longer matches its file. The service must not start. */
export class MigrationChecksumError extends Error {
  override readonly name = 'MigrationChecksumError';
  constructor(
    readonly migrationName: string,
    readonly appliedChecksum: string,
    readonly fileChecksum: string,
  ) {
    super(
      `Migration ${migrationName} was modified after it was applied (applied checksum ${appliedChecksum}, file checksum ${fileChecksum}); ` +
        'restore the file and add a new migration instead',
    );
  }
}

/** A migration failed; its transaction was rolled back, so the schema is as it was before it. */
export class MigrationFailedError extends Error {
  override readonly name = 'MigrationFailedError';
  constructor(
    readonly migrationName: string,
    cause: unknown,
  ) {
    super(
      `Migration ${migrationName} failed and was rolled back: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * A migration recorded as started but never finished (by `prisma migrate deploy`, which runs without a transaction).
 * Like Prisma's P3009, nothing more is applied until someone resolves it.
 */
export class MigrationIncompleteError extends Error {
  override readonly name = 'MigrationIncompleteError';
  constructor(readonly migrationName: string) {
    super(
      `Migration ${migrationName} is recorded as started but not finished; ` +
        'fix the schema by hand and mark it rolled back (prisma migrate resolve) before starting',
    );
  }
}

/**
 * First key of the two-key advisory lock. It is the number Prisma's schema engine uses for its own (one-key) lock;
 * the second key is derived from the schema name, so services sharing a server migrate in parallel while replicas of
 * one service take turns.
 */
const ADVISORY_LOCK_NAMESPACE = 72707369;

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/**
 * Prisma's migration checksum: the SHA-256 of the file's bytes, lowercase hex. Recording the same value lets
 * `prisma migrate deploy`/`status` on a connected machine recognise migrations applied here.
 */
export function migrationChecksum(contents: string | Buffer): string {
  return createHash('sha256').update(contents).digest('hex');
}

/**
 * Applies the Prisma migrations of `migrationsDir` (`<name>/migration.sql`, in name order) to `schema` without the
 * Prisma CLI, which cannot run its schema engine offline.
 *
 * - Creates the schema and Prisma's `_prisma_migrations` table (same columns) when missing.
 * - Holds a Postgres advisory lock for the whole run, so replicas starting together apply each migration once.
 * - Applies each pending migration in one transaction with `search_path` set to the schema, and records it in the same
 *   transaction (checksum = SHA-256 of the file, `applied_steps_count` 1): a failure leaves neither half a migration
 *   nor its record, and throws {@link MigrationFailedError}.
 * - Refuses to run when an applied migration's file changed ({@link MigrationChecksumError}) or when one is recorded
 *   as unfinished ({@link MigrationIncompleteError}).
 *
 * A migration that cannot run inside a transaction (`CREATE INDEX CONCURRENTLY`) is not supported.
 *
 * @returns the names of the migrations this call applied, empty when the schema was up to date
 */
export async function runMigrations(options: RunMigrationsOptions): Promise<string[]> {
  const schema = assertSchemaName(options.schema);
  const files = await readMigrations(options.migrationsDir, options.layout ?? 'folders');
  const qSchema = quoteIdentifier(schema);
  const table = `${qSchema}.${quoteIdentifier(assertSchemaName(options.historyTable ?? '_prisma_migrations'))}`;
  const prefix = options.namePrefix ?? '';
  for (const file of files) file.name = prefix + file.name;
  const lockKey = createHash('sha256').update(schema).digest().readInt32BE(0);

  const client = new pg.Client({ connectionString: options.connectionString });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [ADVISORY_LOCK_NAMESPACE, lockKey]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${qSchema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL,
        "checksum" VARCHAR(64) NOT NULL,
        "finished_at" TIMESTAMPTZ,
        "migration_name" VARCHAR(255) NOT NULL,
        "logs" TEXT,
        "rolled_back_at" TIMESTAMPTZ,
        "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
        "applied_steps_count" INTEGER NOT NULL DEFAULT 0
      )`);
      const { rows } = await client.query<AppliedRow>(
        `SELECT migration_name, checksum, finished_at FROM ${table} WHERE rolled_back_at IS NULL ORDER BY started_at`,
      );
      const applied = new Map<string, AppliedRow>();
      for (const row of rows) {
        if (!row.migration_name.startsWith(prefix)) continue;
        if (row.finished_at === null) throw new MigrationIncompleteError(row.migration_name);
        applied.set(row.migration_name, row);
      }
      const fileNames = new Set(files.map((f) => f.name));
      for (const row of applied.values()) {
        if (!fileNames.has(row.migration_name)) {
          options.logger?.warn(
            { migration: row.migration_name, schema },
            'applied migration has no file in the migrations folder',
          );
        }
      }

      const appliedNow: string[] = [];
      for (const file of files) {
        const row = applied.get(file.name);
        if (row !== undefined) {
          if (row.checksum !== file.checksum) throw new MigrationChecksumError(file.name, row.checksum, file.checksum);
          continue;
        }
        await applyOne(client, schema, table, file);
        appliedNow.push(file.name);
        options.logger?.info({ migration: file.name, schema }, 'applied migration');
      }
      return appliedNow;
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1, $2)', [ADVISORY_LOCK_NAMESPACE, lockKey])
        .catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

async function applyOne(client: pg.Client, schema: string, table: string, file: MigrationFile): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
    // Sent without parameters, so pg uses the simple query protocol, which accepts several statements in one string.
    await client.query(file.sql);
    // started_at is the transaction's start (now()); finished_at is the wall clock at the end of the script.
    await client.query(
      `INSERT INTO ${table} (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, clock_timestamp(), $3, now(), 1)`,
      [randomUUID(), file.checksum, file.name],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new MigrationFailedError(file.name, err);
  }
}

async function readMigrations(dir: string, layout: 'folders' | 'files'): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  if (layout === 'files') {
    const sqlFiles = entries
      .filter((e) => e.isFile() && e.name.endsWith('.sql'))
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return Promise.all(
      sqlFiles.map(async (file) => {
        const bytes = await readFile(join(dir, file));
        return { name: file.slice(0, -'.sql'.length), sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) };
      }),
    );
  }
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files: MigrationFile[] = [];
  for (const name of names) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, name, 'migration.sql'));
    } catch (err) {
      // Prisma ignores folders without a migration.sql as well (e.g. an editor's leftovers).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    files.push({ name, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) });
  }
  return files;
}
