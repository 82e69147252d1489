/**
 * A deep copy of JSON data, equal to `JSON.parse(JSON.stringify(value))` for what an order holds
 * (plain objects, arrays, strings, numbers, booleans and null): a property whose value is
 * `undefined` is left out, an `undefined` array element becomes `null`, -0 becomes 0, and NaN and
 * the infinities become `null`. It builds the copy
 * directly instead of writing and reading back its text: on a 105 kB order (a thousand merchant
 * notes) about 0.13 ms against 1.6–2.0 ms, and 2 µs against 65 µs on a 2 kB one
 * (docs/benchmarks.md, "Storage"). Not for Dates, Maps, class instances or cycles, which orders
 * never hold (docs/storage.md: orders are JSON documents).
 *
 * @example
 * const copy = copyJson({ a: [1, { b: 'x' }], c: undefined }); // { a: [1, { b: 'x' }] }
 */
export function copyJson<T>(value: T): T {
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  // Numbers as JSON writes them: -0 is 0, NaN and the infinities are null.
  if (typeof value === 'number') return value === 0 ? 0 : Number.isFinite(value) ? value : null;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const n = value.length;
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const item: unknown = value[i];
      out[i] = item === undefined ? null : copy(item);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const item = source[key];
    if (item === undefined) continue;
    // An own `__proto__` key (JSON.parse makes one) stays a key: assigned, it would set the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copy(item), enumerable: true, writable: true, configurable: true });
    else out[key] = copy(item);
  }
  return out;
}

/**
 * Whether two JSON values are equal as their JSON texts would be, without writing the texts: the
 * same keys (in any order, `undefined` properties left out) and the same values.
 *
 * @example
 * sameJson({ a: 1, b: [2] }, { b: [2], a: 1 }) // true
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // Numbers as JSON writes them (-0 is 0, NaN and the infinities are null).
    return typeof a === 'number' && typeof b === 'number' ? copy(a) === copy(b) : false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, other[i] ?? null)) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const key of Object.keys(x)) {
    if (x[key] === undefined) continue;
    keys++;
    if (!Object.prototype.hasOwnProperty.call(y, key) || !sameJson(x[key], y[key])) return false;
  }
  for (const key of Object.keys(y)) if (y[key] !== undefined) keys--;
  return keys === 0;
}
