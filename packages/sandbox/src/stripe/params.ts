import { missingParam, parameterError } from './errors.js';
import type { FormRecord, FormValue } from './form.js';

/** Reads typed parameters out of a decoded form, with Stripe's validation messages. */
export interface Params {
  readonly raw: FormRecord;
  has(key: string): boolean;
  string(key: string): string | undefined;
  requiredString(key: string): string;
  /** An empty string means "unset" in Stripe's encoding. */
  nullableString(key: string): string | null | undefined;
  int(key: string): number | undefined;
  requiredInt(key: string): number;
  number(key: string): number | undefined;
  bool(key: string): boolean | undefined;
  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined;
  object(key: string): Params | undefined;
  list(key: string): Params[];
  stringList(key: string): string[] | undefined;
  /** `metadata[key]=value`; an empty value removes the key, `metadata=` clears all (Stripe's update semantics). */
  metadata(current?: Record<string, string>): Record<string, string>;
}

function describe(prefix: string, key: string): string {
  return prefix ? `${prefix}[${key}]` : key;
}

export function params(raw: FormRecord, prefix = ''): Params {
  const name = (key: string) => describe(prefix, key);
  const scalar = (key: string): string | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string')
      throw parameterError(`Invalid string: ${name(key)}`, name(key), 'parameter_invalid_string');
    return value;
  };
  const integer = (key: string): number | undefined => {
    const value = scalar(key);
    if (value === undefined || value === '') return undefined;
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw parameterError(`Invalid integer: ${value}`, name(key), 'parameter_invalid_integer');
    }
    return Number(value);
  };
  const self: Params = {
    raw,
    has: (key) => raw[key] !== undefined,
    string: (key) => {
      const value = scalar(key);
      return value === '' ? undefined : value;
    },
    requiredString(key) {
      const value = scalar(key);
      if (value === undefined || value === '') throw missingParam(name(key));
      return value;
    },
    nullableString(key) {
      const value = scalar(key);
      return value === '' ? null : value;
    },
    int: integer,
    requiredInt(key) {
      const value = integer(key);
      if (value === undefined) throw missingParam(name(key));
      return value;
    },
    number(key) {
      const value = scalar(key);
      if (value === undefined || value === '') return undefined;
      const parsed = Number(value);
      if (!Number.isFinite(parsed))
        throw parameterError(`Invalid decimal: ${value}`, name(key), 'parameter_invalid_decimal');
      return parsed;
    },
    bool(key) {
      const value = scalar(key);
      if (value === undefined || value === '') return undefined;
      if (value !== 'true' && value !== 'false') throw parameterError(`Invalid boolean: ${value}`, name(key));
      return value === 'true';
    },
    oneOf(key, values) {
      const value = self.string(key);
      if (value === undefined) return undefined;
      if (!(values as readonly string[]).includes(value)) {
        throw parameterError(`Invalid ${name(key)}: must be one of ${values.join(', ')}`, name(key));
      }
      return value as (typeof values)[number];
    },
    object(key) {
      const value = raw[key];
      if (value === undefined || value === '') return undefined;
      if (typeof value === 'string' || Array.isArray(value)) {
        throw parameterError(`Invalid object: ${name(key)}`, name(key), 'parameter_invalid_object');
      }
      return params(value, name(key));
    },
    list(key) {
      const value: FormValue | undefined = raw[key];
      if (value === undefined || value === '') return [];
      const items = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value) : null;
      if (!items) throw parameterError(`Invalid array: ${name(key)}`, name(key), 'parameter_invalid_array');
      return items.map((item, index) => {
        if (typeof item !== 'object' || Array.isArray(item)) {
          throw parameterError(`Invalid object: ${name(key)}[${index}]`, `${name(key)}[${index}]`);
        }
        return params(item, `${name(key)}[${index}]`);
      });
    },
    stringList(key) {
      const value = raw[key];
      if (value === undefined) return undefined;
      if (value === '') return [];
      const items = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value) : [value];
      return items.map((item, index) => {
        if (typeof item !== 'string')
          throw parameterError(`Invalid string: ${name(key)}[${index}]`, `${name(key)}[${index}]`);
        return item;
      });
    },
    metadata(current = {}) {
      const value = raw.metadata;
      if (value === undefined) return current;
      if (value === '') return {};
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw parameterError('Invalid object: metadata', name('metadata'), 'parameter_invalid_object');
      }
      const next = { ...current };
      for (const [key, entry] of Object.entries(value)) {
        if (typeof entry !== 'string') throw parameterError(`Invalid string: metadata[${key}]`, `metadata[${key}]`);
        if (entry === '') delete next[key];
        else next[key] = entry;
      }
      if (Object.keys(next).length > 50) {
        throw parameterError('Invalid metadata: metadata cannot have more than 50 keys', name('metadata'));
      }
      return next;
    },
  };
  return self;
}
