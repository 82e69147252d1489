import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZodMiniObject } from 'zod/mini';
import * as z from '../../src/zod.js';
import { errorFromZod } from '../../src/errors/index.js';
import { defineCommand } from '../../src/lifecycle/index.js';
import { COMMAND_TYPES, CommandSchema, OrderSchema, parseCommand } from '../../src/order/index.js';

/**
 * Schemas are built on first use (`lazySchema` in src/zod.ts, docs/benchmarks.md "Cold start"),
 * and `parseCommand` parses a known type with that command's own schema plus the union's check
 * instead of the whole union. Both must change nothing a caller can see.
 */

const T = '2026-11-25T04:00:00.000Z';
/** One valid command of a few shapes (nested arrays and objects, defaults, optional fields). */
const SAMPLES: Array<Record<string, unknown>> = [
  { type: 'PAYMENT_SUCCEEDED', amount: 100, transactionId: 'tx-1', outTradeNo: 'N1', paidAt: T },
  { type: 'CANCEL', reason: 'changed my mind' },
  { type: 'SHIP', items: [{ lineId: 'a', quantity: 1 }], trackingNo: 'SF1', expressCompany: '顺丰' },
  { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 2 }], reason: '坏了' },
  { type: 'REFUND_FAILED', refundId: 'N1R1', reason: 'closed account', gatewayStatus: 'ABNORMAL' },
  { type: 'CHANGE_ADDRESS', address: { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '黄浦区', detail: '人民路 1 号' } },
  { type: 'REQUEST_EXCHANGE', afterSaleId: 'as3', items: [{ lineId: 'a', quantity: 1, sku: 'TEE-M', unitPrice: 100 }], reason: '换尺码' },
  { type: 'CONFIRM_RECEIPT' },
];

/** What `parseCommand` answered before: the whole discriminated union, then `errorFromZod`. */
function throughUnion(input: unknown) {
  const parsed = CommandSchema.safeParse(input);
  if (parsed.success) return { ok: true, command: parsed.data };
  const error = errorFromZod('INVALID_COMMAND', { 'zh-CN': '指令格式不正确', en: 'invalid command' }, parsed.error);
  return { ok: false, code: error.code, path: error.path, issues: error.issues, messages: error.messages };
}

function throughParseCommand(input: unknown) {
  const r = parseCommand(input);
  if (r.ok) return { ok: true, command: r.command };
  return { ok: false, code: r.error.code, path: r.error.path, issues: r.error.issues, messages: r.error.messages };
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A sample with one field changed: removed, replaced by any JSON value, an unknown key added, a NUL in a string, or another type. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SAMPLES),
    fc.oneof(
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) }),
      fc.record({ kind: fc.constant('extra' as const), key: fc.string({ minLength: 1, maxLength: 8 }), value: fc.jsonValue({ maxDepth: 1 }) }),
      fc.record({ kind: fc.constant('nul' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('type' as const), type: fc.oneof(fc.constantFrom(...COMMAND_TYPES), fc.string({ maxLength: 20 }), fc.constantFrom('constructor', '__proto__', 'toString')) }),
    ),
  )
  .map(([sample, m]) => {
    const c = clone(sample);
    const keys = Object.keys(c);
    const key = 'pick' in m ? keys[m.pick % keys.length]! : '';
    if (m.kind === 'remove') delete c[key];
    else if (m.kind === 'replace') c[key] = m.value;
    else if (m.kind === 'extra') Object.defineProperty(c, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    else if (m.kind === 'nul') {
      const strings = keys.filter((k) => typeof c[k] === 'string' && k !== 'type');
      if (strings.length > 0) c[strings[m.pick % strings.length]!] = `a\u0000${String(c[strings[m.pick % strings.length]!])}`;
    } else c.type = m.type;
    return c;
  });

describe('parseCommand parses a known type with its own schema and the union check', () => {
  it('gives the same command or the same issues as the whole union, for any changed sample', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, fc.jsonValue({ maxDepth: 2 })), (input) => {
        expect(throughParseCommand(clone(input))).toEqual(throughUnion(clone(input)));
      }),
      { numRuns: 400 },
    );
  });

  it('accepts every sample as the union does', () => {
    for (const sample of SAMPLES) {
      const r = throughParseCommand(clone(sample));
      expect(r.ok).toBe(true);
      expect(r).toEqual(throughUnion(clone(sample)));
    }
  });
});

describe('lazySchema', () => {
  it('builds once, on first use, and stands for the built schema', () => {
    let builds = 0;
    const lazy = z.lazySchema(() => {
      builds += 1;
      return z.strictObject({ id: z.string().check(z.minLength(1)), n: z.optional(z.int()) });
    });
    expect(z.isLazySchema(lazy)).toBe(true);
    expect(builds).toBe(0);
    expect(lazy.safeParse({ id: 'a' }).success).toBe(true);
    expect(lazy.safeParse({ id: '' }).success).toBe(false);
    expect(builds).toBe(1);
    expect(lazy instanceof ZodMiniObject).toBe(true);
    expect(Object.keys(lazy.shape)).toEqual(['id', 'n']);
    const eager = z.strictObject({ id: z.string().check(z.minLength(1)), n: z.optional(z.int()) });
    expect(z.toJSONSchema(lazy)).toEqual(z.toJSONSchema(eager));
    // Inside another schema, and extended, it behaves as the built one.
    expect(z.toJSONSchema(z.object({ inner: z.array(lazy) }))).toEqual(z.toJSONSchema(z.object({ inner: z.array(eager) })));
    const extended = z.extend(lazy, { extra: z.boolean() });
    expect(extended.safeParse({ id: 'a', extra: true }).success).toBe(true);
    expect(extended.safeParse({ id: 'a' }).success).toBe(false);
    expect(builds).toBe(1);
    expect(z.isLazySchema(eager)).toBe(false);
  });

  it('keeps orderkit’s schemas what they were: the union lists the commands in COMMAND_TYPES order', () => {
    const literals = CommandSchema._zod.def.options.map((o) => o.shape.type._zod.def.values[0]);
    expect(literals).toEqual([...COMMAND_TYPES]);
    expect(z.isLazySchema(OrderSchema)).toBe(true);
    expect(Object.keys(OrderSchema.shape)).toContain('pricing');
  });

  it('defineCommand takes a lazy schema without building it, and still refuses a non-schema', () => {
    let builds = 0;
    const schema = z.lazySchema(() => {
      builds += 1;
      return z.strictObject({ type: z.literal('PICKED_UP') });
    });
    const def = defineCommand({ type: 'PICKED_UP', schema, actors: ['merchant'], rows: [{ from: 'paid', to: 'completed', actions: ['complete'] }], label: { 'zh-CN': '已自提', en: 'Picked up' } });
    expect(def.schema).toBe(schema);
    expect(builds).toBe(0);
    expect(() => defineCommand({ type: 'PICKED_UP', schema: {} as never, actors: ['merchant'], rows: [{ from: 'paid', to: 'completed' }], label: { 'zh-CN': '已自提', en: 'Picked up' } })).toThrow(/schema/);
  });
});
