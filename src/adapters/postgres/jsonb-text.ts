import { createHash } from 'node:crypto';
import type { Order } from '../../order/index.js';
import { storedOrderDocument, storedOrderText } from '../../storage/schema-version.js';

/**
 * The text PostgreSQL renders for a value stored as `jsonb` (`doc::text`), computed in Node
 * (docs/storage.md, "Checksums"): object keys shortest first, then byte order; `", "` and `": "`
 * between items; strings escaped as jsonb escapes them. The value is read the way JSON.stringify
 * reads it (toJSON, undefined members left out, undefined array items as null). Null when the text
 * could differ from the server's: a number JSON writes with an exponent (numeric renders it in
 * full), a non-finite number, or a string with a lone surrogate.
 *
 * @example
 * jsonbText({ bb: 1, a: [true, 'x'] }) // '{"a": [true, "x"], "bb": 1}'
 */
export function jsonbText(value: unknown): string | null {
  try {
    return render(value);
  } catch (error) {
    if (error === INEXACT) return null;
    throw error;
  }
}

/**
 * An order's stored document as the store sends it, with the md5 of the text PostgreSQL will
 * render for it (the `doc_md5` the loader compares): the server then neither renders the document
 * again nor hashes it. When `jsonbText` cannot vouch for the rendering, the JSON text and a null
 * checksum, which the statements replace with the server's own `md5(doc::text)`.
 *
 * @example
 * const { text, md5 } = storedOrderWithChecksum(order);
 */
export function storedOrderWithChecksum(order: Order): { text: string; md5: string | null } {
  const text = jsonbText(storedOrderDocument(order));
  if (text === null) return { text: storedOrderText(order), md5: null };
  return { text, md5: createHash('md5').update(text, 'utf8').digest('hex') };
}

const INEXACT = Symbol('inexact');
const ESCAPED = /["\\\u0000-\u001f]/;
const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NON_ASCII = /[^\u0000-\u007f]/;

function render(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number': {
      if (!Number.isFinite(value)) throw INEXACT;
      const text = String(value);
      if (text.includes('e')) throw INEXACT;
      return text;
    }
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (i > 0) out += ', ';
          out += item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : render(item);
        }
        return `${out}]`;
      }
      if (value instanceof Number || value instanceof String || value instanceof Boolean) return render(value.valueOf());
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).filter((k) => {
        const v = record[k];
        return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
      });
      keys.sort(compareKeys);
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if (i > 0) out += ', ';
        out += `${quote(key)}: ${render(record[key])}`;
      }
      return `${out}}`;
    }
    default:
      // undefined, a function or a symbol at the top: JSON.stringify writes nothing.
      throw INEXACT;
  }
}

/** jsonb's key order: shorter first (in UTF-8 bytes), then byte order. */
function compareKeys(a: string, b: string): number {
  if (!NON_ASCII.test(a) && !NON_ASCII.test(b)) {
    if (a.length !== b.length) return a.length - b.length;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) return x.length - y.length;
  return Buffer.compare(x, y);
}

function quote(s: string): string {
  if (SURROGATE.test(s) && LONE_SURROGATE.test(s)) throw INEXACT;
  if (!ESCAPED.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20) out += s[i];
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}
