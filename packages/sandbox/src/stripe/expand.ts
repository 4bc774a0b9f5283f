import { parameterError } from './errors.js';

type Lookup = (id: string) => object | undefined;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expandPath(value: unknown, segments: string[], lookup: Lookup, path: string): unknown {
  const [head, ...rest] = segments;
  if (head === undefined || !isRecord(value)) return value;
  if (value.object === 'list' && head === 'data' && Array.isArray(value.data)) {
    return { ...value, data: value.data.map((item: unknown) => expandPath(item, rest, lookup, path)) };
  }
  if (!(head in value)) throw parameterError(`This property cannot be expanded (${path}).`, 'expand');
  let field = value[head];
  if (typeof field === 'string') {
    const found = lookup(field);
    if (found) field = structuredClone(found);
  }
  return { ...value, [head]: expandPath(field, rest, lookup, path) };
}

/** Apply `expand[]` paths (https://docs.stripe.com/api/expanding_objects): replace ids with their objects. */
export function expandResponse(value: object, paths: string[], lookup: Lookup): object {
  let result: unknown = value;
  for (const path of paths) {
    if (path.split('.').length > 4) {
      throw parameterError(`You cannot expand more than 4 levels of a property. Property: ${path}`, 'expand');
    }
    result = expandPath(result, path.split('.'), lookup, path);
  }
  return result as object;
}
