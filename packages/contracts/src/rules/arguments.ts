import protobuf from 'protobufjs';
import { FLOAT_TYPES, INT32_TYPES, INT64_TYPES, UINT32_TYPES, fieldRules, type FieldRules } from './field-rules';

const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;
const INTEGER = /^-?[0-9]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** With the `u` flag a surrogate class matches only unpaired halves: a pair is one code point. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A request that breaks the contract's field rules. `field` is the offending field's path (e.g.
 * `profile_data.phone`, `items[2].amount`). The kit turns it into its VALIDATION_FAILED error.
 */
export class FieldRuleError extends Error {
  override readonly name = 'FieldRuleError';
  constructor(
    message: string,
    readonly field: string | undefined,
  ) {
    super(message);
  }
}

const compiled = new Map<string, RegExp>();

/** Patterns come from the protos, a fixed set: each is compiled once (`u`: code points, as JSON Schema's pattern). */
function patternOf(source: string): RegExp {
  let regex = compiled.get(source);
  if (!regex) {
    regex = new RegExp(source, 'u');
    compiled.set(source, regex);
  }
  return regex;
}

function fail(path: string, message: string): never {
  throw new FieldRuleError(message, path || undefined);
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Own properties only: `toString`, `constructor` or `__proto__` are never taken for fields (or for field values). */
function own(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

/**
 * Text every string argument must be, whatever its rules: no NUL (Postgres refuses it in text, and it truncates C
 * strings downstream) and no unpaired UTF-16 surrogate (not encodable as UTF-8, RFC 3629 §3: it would be replaced
 * silently on the way to the service and stored altered).
 */
function checkText(value: string, path: string): void {
  if (value.includes('\u0000')) fail(path, `${path} must not contain a NUL character`);
  if (LONE_SURROGATE.test(value)) fail(path, `${path} must not contain an unpaired surrogate (invalid Unicode)`);
}

function checkString(rules: FieldRules, value: string, path: string): string {
  checkText(value, path);
  if (rules.required && value.length === 0) fail(path, `${path} must not be empty`);
  if (rules.min_length && value.length < rules.min_length) {
    fail(path, `${path} must have at least ${rules.min_length} characters`);
  }
  if (rules.max_length && value.length > rules.max_length) {
    fail(path, `${path} must have at most ${rules.max_length} characters`);
  }
  if (rules.pattern && !patternOf(rules.pattern).test(value)) fail(path, `${path} has an invalid format`);
  if (rules.one_of?.length && !rules.one_of.includes(value)) {
    fail(path, `${path} must be one of ${rules.one_of.join(', ')}`);
  }
  if (rules.format === 'date') {
    const date = new Date(`${value}T00:00:00Z`);
    if (!DATE.test(value) || Number.isNaN(date.getTime()) || !date.toISOString().startsWith(value)) {
      fail(path, `${path} must be a date YYYY-MM-DD`);
    }
  }
  if (rules.format === 'date-time' && Number.isNaN(Date.parse(value))) {
    fail(path, `${path} must be an RFC 3339 date-time`);
  }
  if (rules.format === 'email' && !EMAIL.test(value)) fail(path, `${path} must be an email address`);
  return value;
}

function checkNumber(field: protobuf.Field, rules: FieldRules, value: number, path: string): number {
  if (!Number.isFinite(value)) fail(path, `${path} must be a number`);
  if (!FLOAT_TYPES.has(field.type) && !Number.isInteger(value)) fail(path, `${path} must be an integer`);
  if (UINT32_TYPES.has(field.type) && value < 0) fail(path, `${path} must not be negative`);
  if (rules.minimum !== undefined && value < rules.minimum) fail(path, `${path} must be at least ${rules.minimum}`);
  if (rules.maximum !== undefined && value > rules.maximum) fail(path, `${path} must be at most ${rules.maximum}`);
  return value;
}

function isNumeric(type: string): boolean {
  return INT32_TYPES.has(type) || UINT32_TYPES.has(type) || FLOAT_TYPES.has(type);
}

function convertScalar(field: protobuf.Field, value: unknown, path: string): unknown {
  const rules = fieldRules(field);
  const type = field.type;
  if (value === null) fail(path, `${path} must not be null (omit it instead)`);
  if (rules.decimal_amount) {
    // JSON numbers reach us as doubles; String() gives the shortest decimal that round-trips, which is the literal
    // the client wrote for any amount with up to 15 significant digits. Exponent forms are refused.
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    if (typeof text !== 'string' || !DECIMAL.test(text)) fail(path, `${path} must be a decimal amount such as 12.50`);
    return text;
  }
  if (field.resolvedType instanceof protobuf.Enum) {
    if (typeof value !== 'string' || !own(field.resolvedType.values, value)) {
      fail(path, `${path} must be one of ${Object.keys(field.resolvedType.values).join(', ')}`);
    }
    return value;
  }
  if (type === 'string') {
    if (typeof value !== 'string') fail(path, `${path} must be a string, not ${typeName(value)}`);
    return checkString(rules, value, path);
  }
  if (type === 'bool') {
    if (typeof value !== 'boolean') fail(path, `${path} must be a boolean`);
    return value;
  }
  if (INT64_TYPES.has(type)) {
    const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof text !== 'string' || !INTEGER.test(text)) fail(path, `${path} must be an integer`);
    return text;
  }
  if (isNumeric(type)) {
    if (typeof value !== 'number') fail(path, `${path} must be a number`);
    return checkNumber(field, rules, value, path);
  }
  if (type === 'bytes') {
    if (typeof value !== 'string') fail(path, `${path} must be base64`);
    return Buffer.from(value, 'base64');
  }
  fail(path, `${path} has an unsupported type`);
}

function convertSingle(field: protobuf.Field, value: unknown, path: string): unknown {
  if (field.resolvedType instanceof protobuf.Type) {
    if (value === null) fail(path, `${path} must not be null (omit it instead)`);
    return toRequestMessage(field.resolvedType, value, path);
  }
  return convertScalar(field, value, path);
}

function convertField(field: protobuf.Field, value: unknown, path: string): unknown {
  field.resolve();
  if (value === null) fail(path, `${path} must not be null (omit it instead)`);
  if (field instanceof protobuf.MapField) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, `${path} must be an object`);
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        checkText(key, path);
        return [key, convertSingle(field, item, join(path, key))];
      }),
    );
  }
  if (field.repeated) {
    if (!Array.isArray(value)) fail(path, `${path} must be an array`);
    return value.map((item, index) => convertSingle(field, item, `${path}[${index}]`));
  }
  return convertSingle(field, value, path);
}

/**
 * Validates JSON arguments (an MCP tool call's, or a resource URI's variables) against a request message and
 * converts them to the gRPC request. The rules, for every field of every tool:
 * - an unknown field is refused by name, never dropped; only own properties count, so `toString`, `constructor`
 *   or `__proto__` are unknown fields like any other;
 * - `null` is refused for every field (JSON turns NaN and Infinity into null, so a null must never mean "omitted":
 *   an optional field is left out to take its default, e.g. a refund of "whatever is left");
 * - every string, nested or not, is refused with a NUL or an unpaired surrogate;
 * - types and fintech.mcp.v1.field rules are checked, and every error names the field by its path.
 * Throws FieldRuleError.
 */
export function toRequestMessage(type: protobuf.Type, args: unknown, path = ''): Record<string, unknown> {
  if (args === undefined && !path) args = {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    fail(path, `${path || 'arguments'} must be an object`);
  }
  const input = args as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!own(type.fields, key)) fail(join(path, key), `unknown field ${join(path, key)}`);
  }
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const fieldPath = join(path, field.name);
    if (!own(input, field.name) || input[field.name] === undefined) {
      if (fieldRules(field).required) fail(fieldPath, `${fieldPath} is required`);
      continue;
    }
    out[field.name] = convertField(field, input[field.name], fieldPath);
  }
  return out;
}

/** Whether a decoded field carries a value: proto3 has no presence for plain scalars, so their default is "unset". */
function isSet(field: protobuf.Field, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (field.partOf) return true; // proto3 `optional` and oneof members have presence
  if (field.repeated || field instanceof protobuf.MapField) return true;
  if (typeof value === 'string') return value.length > 0 && !(INT64_TYPES.has(field.type) && value === '0');
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'boolean') return value;
  if (Buffer.isBuffer(value)) return value.length > 0;
  return true;
}

function checkDecodedSingle(field: protobuf.Field, value: unknown, path: string): void {
  if (field.resolvedType instanceof protobuf.Type) {
    if (value !== null && value !== undefined) checkRequestMessage(field.resolvedType, value, path);
    return;
  }
  if (field.resolvedType instanceof protobuf.Enum) return; // decoded enums are always one of their values
  const rules = fieldRules(field);
  if (typeof value === 'string') {
    if (rules.decimal_amount) {
      checkText(value, path);
      if (!DECIMAL.test(value)) fail(path, `${path} must be a decimal amount such as 12.50`);
    } else if (INT64_TYPES.has(field.type)) {
      if (!INTEGER.test(value)) fail(path, `${path} must be an integer`);
    } else checkString(rules, value, path);
  } else if (typeof value === 'number' && isNumeric(field.type)) {
    checkNumber(field, rules, value, path);
  }
}

/**
 * Checks a request as a gRPC service decoded it (proto-loader with defaults) against the same fintech.mcp.v1.field
 * rules as toRequestMessage: required fields set, strings free of NUL and unpaired surrogates and within their
 * rules, numbers within bounds, nested messages and lists too. A plain proto3 scalar at its default value is unset
 * (the wire cannot tell them apart), so rules apply to values that are set. Throws FieldRuleError.
 */
export function checkRequestMessage(type: protobuf.Type, message: unknown, path = ''): void {
  if (typeof message !== 'object' || message === null) fail(path, `${path || 'request'} must be a message`);
  const input = message as Record<string, unknown>;
  for (const field of type.fieldsArray) {
    field.resolve();
    const fieldPath = join(path, field.name);
    const value = own(input, field.name) ? input[field.name] : undefined;
    if (!isSet(field, value)) {
      if (fieldRules(field).required) fail(fieldPath, `${fieldPath} is required`);
      continue;
    }
    if (field instanceof protobuf.MapField) {
      for (const [key, item] of Object.entries(value as object)) {
        checkText(key, fieldPath);
        checkDecodedSingle(field, item, join(fieldPath, key));
      }
    } else if (field.repeated) {
      if (!Array.isArray(value)) fail(fieldPath, `${fieldPath} must be a list`);
      value.forEach((item, index) => checkDecodedSingle(field, item, `${fieldPath}[${index}]`));
    } else {
      checkDecodedSingle(field, value, fieldPath);
    }
  }
}

/**
 * URI variables are strings; numeric and boolean request fields named by a resource template get their typed value
 * (e.g. `{?limit}` → uint32) before validation, and anything unparsable is left for validation to refuse.
 */
export function coerceUriVariables(type: protobuf.Type, variables: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(variables)) {
    const field = own(type.fields, name) ? type.fields[name] : undefined;
    if (!field || field.repeated || fieldRules(field).decimal_amount) {
      out[name] = value;
    } else if (isNumeric(field.type)) {
      out[name] = value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    } else if (field.type === 'bool') {
      out[name] = value === 'true' ? true : value === 'false' ? false : value;
    } else {
      out[name] = value;
    }
  }
  return out;
}
