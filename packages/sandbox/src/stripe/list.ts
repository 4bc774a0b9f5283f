import { parameterError, resourceMissing } from './errors.js';
import type { Params } from './params.js';
import type { ApiList } from './types.js';

/**
 * Stripe's cursor pagination (https://docs.stripe.com/api/pagination): newest first, `limit` 1-100 (default 10),
 * `starting_after` continues after an id, `ending_before` returns the page just before an id.
 */
export function paginate<T extends { id: string }>(items: T[], input: Params, url: string): ApiList<T> {
  const limit = input.int('limit') ?? 10;
  if (limit < 1 || limit > 100) {
    throw parameterError('Invalid limit: must be an integer between 1 and 100', 'limit', 'parameter_invalid_integer');
  }
  const startingAfter = input.string('starting_after');
  const endingBefore = input.string('ending_before');
  if (startingAfter && endingBefore) {
    throw parameterError(
      'You may only specify one of these parameters: ending_before, starting_after.',
      'ending_before',
    );
  }
  const indexOf = (id: string, param: string) => {
    const index = items.findIndex((item) => item.id === id);
    if (index < 0) throw resourceMissing('object', id, param);
    return index;
  };
  if (endingBefore) {
    const end = indexOf(endingBefore, 'ending_before');
    const start = Math.max(0, end - limit);
    return { object: 'list', data: items.slice(start, end), has_more: start > 0, url };
  }
  const start = startingAfter ? indexOf(startingAfter, 'starting_after') + 1 : 0;
  const data = items.slice(start, start + limit);
  return { object: 'list', data, has_more: start + limit < items.length, url };
}

/** `created` (or another timestamp) filter: an exact value or `[gt|gte|lt|lte]` bounds. */
export function timestampFilter(input: Params, key = 'created'): (value: number) => boolean {
  if (!input.has(key)) return () => true;
  const exact = typeof input.raw[key] === 'string' ? input.int(key) : undefined;
  if (exact !== undefined) return (value) => value === exact;
  const range = input.object(key);
  if (!range) return () => true;
  const gt = range.int('gt');
  const gte = range.int('gte');
  const lt = range.int('lt');
  const lte = range.int('lte');
  return (value) =>
    (gt === undefined || value > gt) &&
    (gte === undefined || value >= gte) &&
    (lt === undefined || value < lt) &&
    (lte === undefined || value <= lte);
}

export function emptyList<T>(url: string): ApiList<T> {
  return { object: 'list', data: [], has_more: false, url };
}
