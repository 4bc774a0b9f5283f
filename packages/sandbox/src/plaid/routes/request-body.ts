import { plaidErrors } from '../errors.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Typed reads of a JSON request body that fail the way Plaid does: an absent required field is MISSING_FIELDS, a
 * field of the wrong type or out of range is INVALID_FIELD. Nested objects keep their dotted path in messages.
 */
export class RequestBody {
  private constructor(
    private readonly fields: Record<string, unknown>,
    private readonly prefix: string,
  ) {}

  static from(body: unknown): RequestBody {
    if (body === undefined || body === null) return new RequestBody({}, '');
    if (!isRecord(body)) throw plaidErrors.invalidBody();
    return new RequestBody(body, '');
  }

  private name(field: string): string {
    return `${this.prefix}${field}`;
  }

  private present(field: string): unknown {
    const value = this.fields[field];
    return value === null ? undefined : value;
  }

  /** The raw value, for fields (like the credentials) read before the body is validated. */
  raw(field: string): unknown {
    return this.fields[field];
  }

  string(field: string): string {
    const value = this.optionalString(field);
    if (value === undefined || value === '') throw plaidErrors.missingFields([this.name(field)]);
    return value;
  }

  optionalString(field: string): string | undefined {
    const value = this.present(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw plaidErrors.invalidField(`${this.name(field)} must be a string`);
    return value;
  }

  /** A field where an explicit null means something (e.g. removing a webhook). */
  nullableString(field: string): string | null | undefined {
    if (this.fields[field] === null) return null;
    return this.optionalString(field);
  }

  optionalBoolean(field: string): boolean | undefined {
    const value = this.present(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw plaidErrors.invalidField(`${this.name(field)} must be a boolean`);
    return value;
  }

  int(field: string, min: number, max: number): number {
    const value = this.optionalInt(field, min, max);
    if (value === undefined) throw plaidErrors.missingFields([this.name(field)]);
    return value;
  }

  optionalInt(field: string, min: number, max: number): number | undefined {
    const value = this.present(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw plaidErrors.invalidField(`${this.name(field)} must be an integer from ${min} to ${max}`);
    return value;
  }

  stringArray(field: string): string[] {
    const value = this.optionalStringArray(field);
    if (value === undefined || value.length === 0) throw plaidErrors.missingFields([this.name(field)]);
    return value;
  }

  optionalStringArray(field: string): string[] | undefined {
    const value = this.present(field);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string'))
      throw plaidErrors.invalidField(`${this.name(field)} must be an array of strings`);
    return value;
  }

  optionalDate(field: string): string | undefined {
    const value = this.optionalString(field);
    if (value === undefined) return undefined;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
      throw plaidErrors.invalidField(`${this.name(field)} must be a date in YYYY-MM-DD format`);
    return value;
  }

  date(field: string): string {
    const value = this.optionalDate(field);
    if (value === undefined) throw plaidErrors.missingFields([this.name(field)]);
    return value;
  }

  /** A nested object; absent reads as empty. */
  object(field: string): RequestBody {
    const value = this.present(field);
    if (value === undefined) return new RequestBody({}, `${this.name(field)}.`);
    if (!isRecord(value)) throw plaidErrors.invalidField(`${this.name(field)} must be an object`);
    return new RequestBody(value, `${this.name(field)}.`);
  }
}
