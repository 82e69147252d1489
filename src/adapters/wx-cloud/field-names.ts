/**
 * Field names the cloud database refuses in stored data: empty, containing `.` (a path separator
 * in updates and queries) or starting with `$` (an operator) — the service answers `-502001`
 * (docs/wechat.md, "Layout"). The store checks orders, events and effects before writing, so bad
 * input is a typed error with its path instead of a failed request; the test double refuses the
 * same names as the service does. Returns the path of the first bad name, or null.
 */
export function invalidFieldName(value: unknown, path: Array<string | number> = []): Array<string | number> | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = invalidFieldName(value[i], [...path, i]);
      if (bad !== null) return bad;
    }
    return null;
  }
  if (value === null || typeof value !== 'object' || value instanceof Date) return null;
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return null;
  for (const k of Object.keys(value)) {
    if (k === '' || k.includes('.') || k.startsWith('$')) return [...path, k];
    const bad = invalidFieldName((value as Record<string, unknown>)[k], [...path, k]);
    if (bad !== null) return bad;
  }
  return null;
}
