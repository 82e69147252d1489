import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderSequence } from '../../examples/express/src/order-sequence.js';
import type { OrderChange } from '../../src/index.js';

const change = (version: number): OrderChange => ({ orderId: 'o1', version, status: 'paid', at: `t${version}`, position: `p${version}` });

describe('OrderSequence: one order\'s changes from early word and the ordered feed', () => {
  it('sends every version after the start exactly once, in order, whatever early word arrives and whenever the start is known', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 12 }),
        // Early word: any versions, repeated, in any order (some never come).
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 30 }),
        // Where the ordered feed's changes and `start` fall among the early ones.
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        fc.nat(),
        (start, more, early, slots, startSlot) => {
          const last = start + more;
          const sent: number[] = [];
          const seq = new OrderSequence((c) => sent.push(c.version));
          // The ordered feed: every version 1..last once, in order (it may also have some before the start).
          const ordered = Array.from({ length: last }, (_, i) => i + 1);
          const events: Array<['early' | 'feed', number] | ['start']> = early.filter((v) => v <= last).map((v) => ['early', v] as ['early', number]);
          for (let i = 0; i < ordered.length; i++) {
            const at = Math.min(events.length, slots[i]! % (events.length + 1));
            // Keep the feed's own order: never before the feed's previous change.
            const prev = events.findIndex((e) => e[0] === 'feed' && e[1] === ordered[i - 1]);
            events.splice(Math.max(at, prev + 1), 0, ['feed', ordered[i]!]);
          }
          events.splice(startSlot % (events.length + 1), 0, ['start']);
          for (const e of events) {
            if (e[0] === 'start') seq.start(start);
            else seq.offer(change(e[1]));
          }
          expect(sent).toEqual(Array.from({ length: more }, (_, i) => start + i + 1));
          expect(seq.pending).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds a change after a gap until the missing one comes, and drops what is not newer than the start', () => {
    const sent: OrderChange[] = [];
    const seq = new OrderSequence((c) => sent.push(c));
    seq.offer(change(3));
    seq.start(1);
    expect(sent).toEqual([]);
    seq.offer(change(4));
    seq.offer(change(1));
    expect(sent).toEqual([]);
    expect(seq.pending).toBe(2);
    seq.offer(change(2));
    expect(sent.map((c) => c.version)).toEqual([2, 3, 4]);
    expect(sent[1]).toEqual(change(3));
    seq.offer(change(3));
    expect(sent).toHaveLength(3);
  });
});
