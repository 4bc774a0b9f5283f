import { ValidationError } from '@fintech/kit';

/** Position after the last item of a page, in the (created_at desc, id desc) order of the history. */
export interface HistoryCursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.createdAt.toISOString(), id: cursor.id })).toString('base64url');
}

export function decodeCursor(text: string): HistoryCursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { t?: unknown; id?: unknown };
    const createdAt = new Date(String(value.t));
    if (typeof value.id !== 'string' || !/^[0-9a-f-]{36}$/.test(value.id) || Number.isNaN(createdAt.getTime())) {
      throw new Error('bad cursor');
    }
    return { createdAt, id: value.id };
  } catch {
    throw new ValidationError('cursor is not a cursor this service returned', 'cursor');
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Reads an inclusive UTC date range; end_date covers its whole day. */
export function parseDateRange(start: string, end: string): { from: Date | null; until: Date | null } {
  const parse = (value: string, field: string): Date | null => {
    if (value === '') return null;
    const date = new Date(`${value}T00:00:00.000Z`);
    if (!DATE.test(value) || Number.isNaN(date.getTime()) || !date.toISOString().startsWith(value)) {
      throw new ValidationError(`${field} must be a date YYYY-MM-DD`, field);
    }
    return date;
  };
  const from = parse(start, 'start_date');
  const endDay = parse(end, 'end_date');
  if (from && endDay && endDay < from) throw new ValidationError('end_date is before start_date', 'end_date');
  return { from, until: endDay ? new Date(endDay.getTime() + 24 * 3600 * 1000) : null };
}
