import protobuf from 'protobufjs';
import { ValidationError } from '@fintech/kit';
import { FLOAT_TYPES, INT32_TYPES, INT64_TYPES, UINT32_TYPES, fieldRules } from './field-rules';

const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;
const INTEGER = /^-?[0-9]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function checkString(field: protobuf.Field, value: string, path: string): string {
  const rules = fieldRules(field);
  if (rules.required && value.length === 0) throw new ValidationError(`${path} must not be empty`, path);
  if (rules.min_length && value.length < rules.min_length) {
    throw new ValidationError(`${path} must have at least ${rules.min_length} characters`, path);
  }
  if (rules.max_length && value.length > rules.max_length) {
    throw new ValidationError(`${path} must have at most ${rules.max_length} characters`, path);
  }
  if (rules.pattern && !new RegExp(rules.pattern, 'u').test(value)) {
    throw new ValidationError(`${path} has an invalid format`, path);
  }
  if (rules.one_of?.length && !rules.one_of.includes(value)) {
    throw new ValidationError(`${path} must be one of ${rules.one_of.join(', ')}`, path);
  }
  if (rules.format === 'date') {
    const date = new Date(`${value}T00:00:00Z`);
    if (!DATE.test(value) || Number.isNaN(date.getTime()) || !date.toISOString().startsWith(value)) {
      throw new ValidationError(`${path} must be a date YYYY-MM-DD`, path);
    }
  }
  if (rules.format === 'date-time' && Number.isNaN(Date.parse(value))) {
    throw new ValidationError(`${path} must be an RFC 3339 date-time`, path);
  }
  if (rules.format === 'email' && !EMAIL.test(value)) {
    throw new ValidationError(`${path} must be an email address`, path);
  }
  return value;
}

function convertScalar(field: protobuf.Field, value: unknown, path: string): unknown {
  const rules = fieldRules(field);
  const type = field.type;
  if (rules.decimal_amount) {
    // JSON numbers reach us as doubles; String() gives the shortest decimal that round-trips, which is the literal
    // the client wrote for any amount with up to 15 significant digits. Exponent forms are refused.
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    if (typeof text !== 'string' || !DECIMAL.test(text)) {
      throw new ValidationError(`${path} must be a decimal amount such as 12.50`, path);
    }
    return text;
  }
  if (field.resolvedType instanceof protobuf.Enum) {
    if (typeof value !== 'string' || !(value in field.resolvedType.values)) {
      throw new ValidationError(`${path} must be one of ${Object.keys(field.resolvedType.values).join(', ')}`, path);
    }
    return value;
  }
  if (type === 'string') {
    if (typeof value !== 'string') throw new ValidationError(`${path} must be a string, not ${typeName(value)}`, path);
    return checkString(field, value, path);
  }
  if (type === 'bool') {
    if (typeof value !== 'boolean') throw new ValidationError(`${path} must be a boolean`, path);
    return value;
  }
  if (INT64_TYPES.has(type)) {
    const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof text !== 'string' || !INTEGER.test(text)) throw new ValidationError(`${path} must be an integer`, path);
    return text;
  }
  if (INT32_TYPES.has(type) || UINT32_TYPES.has(type) || FLOAT_TYPES.has(type)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ValidationError(`${path} must be a number`, path);
    }
    if (!FLOAT_TYPES.has(type) && !Number.isInteger(value)) {
      throw new ValidationError(`${path} must be an integer`, path);
    }
    if (UINT32_TYPES.has(type) && value < 0) throw new ValidationError(`${path} must not be negative`, path);
    if (rules.minimum !== undefined && value < rules.minimum) {
      throw new ValidationError(`${path} must be at least ${rules.minimum}`, path);
    }
    if (rules.maximum !== undefined && value > rules.maximum) {
      throw new ValidationError(`${path} must be at most ${rules.maximum}`, path);
    }
    return value;
  }
  if (type === 'bytes') {
    if (typeof value !== 'string') throw new ValidationError(`${path} must be base64`, path);
    return Buffer.from(value, 'base64');
  }
  throw new ValidationError(`${path} has an unsupported type`, path);
}

function convertField(field: protobuf.Field, value: unknown, path: string): unknown {
  field.resolve();
  if (field instanceof protobuf.MapField) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ValidationError(`${path} must be an object`, path);
    }
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, convertScalar(field, item, join(path, key))]),
    );
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw new ValidationError(`${path} must be an array`, path);
    return value.map((item, index) => convertSingle(field, item, `${path}[${index}]`));
  }
  return convertSingle(field, value, path);
}

function convertSingle(field: protobuf.Field, value: unknown, path: string): unknown {
  if (field.resolvedType instanceof protobuf.Type) return toRequestMessage(field.resolvedType, value, path);
  return convertScalar(field, value, path);
}

/**
 * Validates tool arguments against a request message and converts them to the gRPC request: unknown fields are
 * refused (never silently dropped), types and fintech.mcp.v1.field rules are checked, and every error names the
 * offending field by its path (e.g. `profile_data.phone`).
 */
export function toRequestMessage(type: protobuf.Type, args: unknown, path = ''): Record<string, unknown> {
  if (args === undefined || args === null) args = {};
  if (typeof args !== 'object' || Array.isArray(args)) {
    throw new ValidationError(`${path || 'arguments'} must be an object`, path || undefined);
  }
  const input = args as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!type.fields[key]) throw new ValidationError(`unknown field ${join(path, key)}`, join(path, key));
  }
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const value = input[field.name];
    const fieldPath = join(path, field.name);
    if (value === undefined || value === null) {
      if (fieldRules(field).required) throw new ValidationError(`${fieldPath} is required`, fieldPath);
      continue;
    }
    out[field.name] = convertField(field, value, fieldPath);
  }
  return out;
}

/**
 * URI variables are strings; numeric and boolean request fields named by a resource template get their typed value
 * (e.g. `{?limit}` → uint32) before validation, and anything unparsable is left for validation to refuse.
 */
export function coerceUriVariables(type: protobuf.Type, variables: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(variables)) {
    const field = type.fields[name];
    if (!field || field.repeated || fieldRules(field).decimal_amount) {
      out[name] = value;
    } else if (INT32_TYPES.has(field.type) || UINT32_TYPES.has(field.type) || FLOAT_TYPES.has(field.type)) {
      out[name] = value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    } else if (field.type === 'bool') {
      out[name] = value === 'true' ? true : value === 'false' ? false : value;
    } else {
      out[name] = value;
    }
  }
  return out;
}
