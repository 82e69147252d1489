import { ok } from '../errors/result.js';
import { A_STRING, badArgument } from './errors.js';
/**
 * Small, dependency-free helpers the WeChat module shares: reading HTTP headers whatever shape the
 * framework hands them in, keeping the raw body as bytes, and cutting text on whole characters
 * (WeChat counts characters, and a cut through a surrogate pair would send broken UTF-8).
 */

/** Headers as Node (`req.headers`), Express, Koa or a Fetch `Headers` object give them. */
export type HeaderBag =
  | Record<string, string | string[] | number | undefined | null>
  | { get(name: string): string | null | undefined };

export type HeaderLookup = { ok: true; value: string } | { ok: false; reason: 'missing' | 'malformed' };

/** Case-insensitive header lookup that never throws, whatever `headers` is. */
export function readHeader(headers: unknown, name: string): HeaderLookup {
  if (headers === null || typeof headers !== 'object') return { ok: false, reason: 'missing' };
  let raw: unknown;
  try {
    const getter = (headers as { get?: unknown }).get;
    if (typeof getter === 'function') {
      raw = (getter as (n: string) => unknown).call(headers, name);
    } else {
      const wanted = name.toLowerCase();
      for (const key of Object.keys(headers)) {
        if (key.toLowerCase() === wanted) {
          raw = (headers as Record<string, unknown>)[key];
          break;
        }
      }
    }
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (raw === undefined || raw === null) return { ok: false, reason: 'missing' };
  if (Array.isArray(raw)) {
    // Two different values for a signature header cannot both be right.
    if (raw.length !== 1 || typeof raw[0] !== 'string') return { ok: false, reason: 'malformed' };
    raw = raw[0];
  }
  if (typeof raw === 'number') raw = String(raw);
  if (typeof raw !== 'string') return { ok: false, reason: 'malformed' };
  const value = raw.trim();
  if (value === '') return { ok: false, reason: 'missing' };
  return ok({ value });
}

/** The body exactly as received, as bytes; null when it is not a string or bytes. */
export function bodyBytes(rawBody: unknown): Buffer | null {
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8');
  if (Buffer.isBuffer(rawBody)) return rawBody;
  if (rawBody instanceof Uint8Array) return Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  return null;
}

/** Number of characters (Unicode code points), the way WeChat's length limits count. */
export function charLength(text: string): number {
  if (typeof text !== 'string') throw badArgument('charLength', 'text', A_STRING);
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * `text` cut to at most `max` characters without splitting a character; when it had to cut, the
 * last kept character is replaced by `ellipsis` (default '…') so a reader can see it was cut.
 *
 * @example
 * cutChars('微信红包抱枕*1个', 4) // '微信红…'
 */
export function cutChars(text: string, max: number, ellipsis = '…'): string {
  if (typeof text !== 'string') throw badArgument('cutChars', 'text', A_STRING);
  if (!Number.isSafeInteger(max) || max < 0) throw badArgument('cutChars', 'max', { 'zh-CN': '非负整数', en: 'a non-negative integer' });
  if (typeof ellipsis !== 'string') throw badArgument('cutChars', 'ellipsis', A_STRING);
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const tail = Array.from(ellipsis);
  if (max <= tail.length) return chars.slice(0, max).join('');
  return chars.slice(0, max - tail.length).join('') + ellipsis;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short, printable description of an unknown value for error details (never the whole value). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
