/**
 * Postgres schema names this runtime accepts: lowercase letters, digits and underscores, not starting with a
 * digit. The rule keeps names portable between Prisma (`?schema=`), the `search_path` connection option and SQL,
 * where an unquoted identifier is folded to lowercase anyway.
 */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;

/** Postgres truncates identifiers longer than NAMEDATALEN - 1 = 63 bytes; a silently shortened name would alias. */
const MAX_IDENTIFIER_LENGTH = 63;

/**
 * Throws unless `schema` is a schema name this runtime accepts ({@link SCHEMA_NAME_PATTERN}, at most 63 characters).
 * @returns the same name, for chaining
 */
export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME_PATTERN.test(schema) || schema.length > MAX_IDENTIFIER_LENGTH) {
    throw new Error(
      `Invalid schema name ${JSON.stringify(schema)}: expected ${SCHEMA_NAME_PATTERN.source}, at most 63 characters`,
    );
  }
  return schema;
}

/**
 * Quotes an SQL identifier: wraps it in double quotes and doubles any embedded quote, as the Postgres lexer expects
 * (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS).
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The libpq `options` value that makes every session of a connection use `schema` for unqualified names
 * (`-c search_path="auth"`). Postgres splits this string on whitespace; validated schema names contain none.
 */
export function searchPathOption(schema: string): string {
  return `-c search_path=${quoteIdentifier(assertSchemaName(schema))}`;
}
