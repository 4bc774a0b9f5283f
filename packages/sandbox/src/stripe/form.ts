/** A value decoded from Stripe's form encoding: strings, nested under bracketed keys. */
export type FormValue = string | FormValue[] | FormRecord;
export interface FormRecord {
  [key: string]: FormValue;
}

// Keys that would reach Object.prototype if used as property names.
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function splitKey(key: string): string[] | null {
  const first = key.indexOf('[');
  if (first < 0) return [key];
  if (first === 0) return null;
  const parts = [key.slice(0, first)];
  const rest = key.slice(first);
  const pattern = /\[([^[\]]*)\]/g;
  let consumed = 0;
  for (let match = pattern.exec(rest); match; match = pattern.exec(rest)) {
    if (match.index !== consumed) return null;
    parts.push(match[1] ?? '');
    consumed = pattern.lastIndex;
  }
  return consumed === rest.length ? parts : null;
}

function assign(target: FormRecord, path: string[], value: string): void {
  let node: FormRecord = target;
  for (let i = 0; i < path.length - 1; i += 1) {
    const segment = path[i] as string;
    const existing = node[segment];
    if (existing !== undefined && typeof existing === 'object' && !Array.isArray(existing)) {
      node = existing;
      continue;
    }
    if (existing !== undefined) return;
    const child: FormRecord = {};
    node[segment] = child;
    node = child;
  }
  const last = path[path.length - 1] as string;
  if (last === '') {
    // `expand[]=a&expand[]=b`: empty brackets append.
    const key = String(Object.keys(node).length);
    node[key] = value;
    return;
  }
  if (node[last] === undefined) node[last] = value;
}

/** Turn records whose keys are exactly 0..n-1 into arrays, recursively: `items[0][price]` → `items: [{ price }]`. */
function arrayify(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  for (const key of keys) value[key] = arrayify(value[key] as FormValue);
  const isList = keys.length > 0 && keys.every((key, index) => key === String(index));
  return isList ? keys.map((key) => value[key] as FormValue) : value;
}

/**
 * Decode `application/x-www-form-urlencoded` the way Stripe reads it: `a[b]=1` nests, `a[0]=x` indexes an array,
 * `a[]=x` appends. The SDK encodes every request body and query string this way.
 */
export function parseForm(text: string): FormRecord {
  const root: FormRecord = {};
  const params = new URLSearchParams(text);
  const byEmptyBracket = new Map<string, number>();
  for (const [rawKey, value] of params) {
    let path = splitKey(rawKey);
    if (!path || path.some((segment) => UNSAFE_KEYS.has(segment))) continue;
    if (path.length > 1 && path[path.length - 1] === '') {
      // Give each `[]` its own index so repeated keys do not collide with numbered ones.
      const base = rawKey.slice(0, -2);
      const next = byEmptyBracket.get(base) ?? 0;
      byEmptyBracket.set(base, next + 1);
      path = [...path.slice(0, -1), String(next)];
    }
    assign(root, path, value);
  }
  for (const key of Object.keys(root)) root[key] = arrayify(root[key] as FormValue);
  return root;
}
