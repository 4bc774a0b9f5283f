import pg from 'pg';
import { assertSchemaName, quoteIdentifier } from './schema-name';

/**
 * Drops `schema` and everything in it, if it exists. Meant for test fixtures that create a schema per test file.
 */
export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(assertSchemaName(schema))} CASCADE`);
  } finally {
    await client.end();
  }
}
