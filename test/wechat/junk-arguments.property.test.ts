import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderkitError } from '../../src/errors/orderkit-error.js';
import * as wechatpay from '../../src/wechat/index.js';

/**
 * Every function `wx-orderkit/wechatpay` exports answers arguments of the wrong type — undefined,
 * null, numbers, strings, arrays, objects of any shape — with a typed error (a stable code and a
 * zh-CN and an en message), returned as `{ ok: false, error }` or, for a function that returns no
 * Result, thrown as an OrderkitError (docs/wechat.md "Arguments of the wrong type"); never with a
 * TypeError from inside.
 */
const functions = (Object.entries(wechatpay) as Array<[string, unknown]>).filter((e): e is [string, (...args: unknown[]) => unknown] => typeof e[1] === 'function');

/** Whose answer to a missing argument is documented as a plain value, not an error. */
const PLAIN_ANSWERS: Record<string, string> = {
  createNonce: 'takes no required argument',
  cloudPayAck: 'takes no argument',
  parseRfc3339: 'null for anything that is not an RFC 3339 time',
  parseBeijingCompact: 'null for anything that is not yyyyMMddHHmmss',
  parseBeijingDateTime: 'null for anything that is not yyyy-MM-dd HH:mm:ss',
  isNoSubscriptionError: 'false for anything that is not such an error',
};

function isTyped(e: unknown): boolean {
  return (
    e instanceof OrderkitError &&
    typeof e.code === 'string' &&
    /^[A-Z][A-Z0-9_]+$/.test(e.code) &&
    typeof e.messages['zh-CN'] === 'string' &&
    e.messages['zh-CN'].length > 0 &&
    typeof e.messages.en === 'string' &&
    e.messages.en.length > 0
  );
}

type Outcome = { kind: 'threw'; error: unknown } | { kind: 'returned'; value: unknown };

async function call(fn: (...args: unknown[]) => unknown, args: unknown[]): Promise<Outcome> {
  try {
    let value = fn(...args);
    if (value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function') value = await value;
    return { kind: 'returned', value };
  } catch (error) {
    return { kind: 'threw', error };
  }
}

function describeOutcome(o: Outcome): string {
  if (o.kind === 'threw') return o.error instanceof Error ? `${o.error.name}: ${o.error.message.slice(0, 100)}` : String(o.error);
  return 'returned';
}

/** A failure, returned or thrown, is typed; anything returned is fine otherwise. */
function answersTyped(o: Outcome): boolean {
  if (o.kind === 'threw') return isTyped(o.error);
  const v = o.value as { ok?: unknown; error?: unknown; reason?: unknown } | null;
  if (v !== null && typeof v === 'object' && v.ok === false && 'error' in v) return isTyped(v.error);
  return true;
}

/** The answer is a typed error (returned `{ ok: false, error }` or thrown). */
function isTypedError(o: Outcome): boolean {
  if (o.kind === 'threw') return isTyped(o.error);
  const v = o.value as { ok?: unknown; error?: unknown } | null;
  return v !== null && typeof v === 'object' && v.ok === false && isTyped(v.error);
}

const junk = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, 0, -1, 1.5, Number.NaN, '', 'x', true, false, [], {}, new Date(Number.NaN), Symbol('s'), 10n, () => 1),
  fc.anything(),
);

describe('wechatpay exports: arguments of the wrong type', () => {
  it('the module exports functions to check', () => {
    expect(functions.length).toBeGreaterThan(50);
  });

  for (const [name, fn] of functions) {
    if (PLAIN_ANSWERS[name] === undefined) {
      it(`${name}(undefined) and ${name}(null) answer a typed error`, async () => {
        for (const first of [undefined, null]) {
          const o = await call(fn, [first]);
          expect(isTypedError(o), `${name}(${String(first)}): ${describeOutcome(o)}`).toBe(true);
        }
      });
    }

    it(`${name}: any junk arguments answer a typed error or a value, never a TypeError (property)`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(junk, { maxLength: 4 }), async (args) => {
          const o = await call(fn, args);
          if (!answersTyped(o)) throw new Error(`${name}: ${describeOutcome(o)}`);
        }),
        { numRuns: 60, seed: 20261125 },
      );
    });
  }
});
