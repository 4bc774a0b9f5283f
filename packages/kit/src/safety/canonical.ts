import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal arguments always serialise to the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * Arguments that say how a call is made, not what it does, and so are never part of its identity: the idempotency
 * key names the call, the confirmation token and the MFA code authorise it. The confirmed repeat of a call carries a
 * token the first call did not, and must still hash the same (docs/decisions/017-agent-safety-in-the-kit.md).
 */
export const CALL_CONTROL_ARGUMENTS: readonly string[] = Object.freeze([
  'idempotency_key',
  'confirmation_token',
  'mfa_code',
]);

/**
 * SHA-256 (hex) of the canonical JSON of the tool's name and its arguments, without the call-control arguments
 * ({@link CALL_CONTROL_ARGUMENTS}). Pass the arguments as the operation understands them (amounts in minor units,
 * currency upper-cased, defaults filled in), so that two spellings of one request hash the same.
 */
export function argumentsHash(tool: string, args: Record<string, unknown>): string {
  const meaningful: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    if (!CALL_CONTROL_ARGUMENTS.includes(name)) meaningful[name] = value;
  }
  return createHash('sha256')
    .update(canonicalJson({ tool, args: meaningful }))
    .digest('hex');
}
