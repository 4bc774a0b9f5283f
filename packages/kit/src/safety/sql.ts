/**
 * What the safety stores need from a database handle: a `pg` Pool, a `PoolClient` holding a transaction, or any
 * wrapper with the same `query` (a service's own transaction helper). Statements use positional parameters.
 */
export interface SafetyQueryable {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}
