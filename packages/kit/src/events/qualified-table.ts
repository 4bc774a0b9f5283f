import { assertSchemaName, quoteIdentifier } from '../db/schema-name';

/** `"schema"."table"`, or `"table"` when no schema is given (resolved by the session's search_path). */
export function qualifiedTable(schema: string | undefined, table: string): string {
  return schema ? `${quoteIdentifier(assertSchemaName(schema))}.${quoteIdentifier(table)}` : quoteIdentifier(table);
}
