import { describe, expect, it } from 'vitest';
import { createCloudDatabaseStandIn, STAND_IN_LABEL } from '../../src/testing/index.js';

/** The TEST DOUBLE keeps the documented semantics the store relies on; each is pinned here. */
describe('cloud database stand-in (a test double, not the cloud database)', () => {
  it('says what it is', () => {
    expect(createCloudDatabaseStandIn().label).toBe(STAND_IN_LABEL);
    expect(STAND_IN_LABEL).toContain('TEST DOUBLE');
  });

  it('refuses a collection that was never created, like the service', async () => {
    const db = createCloudDatabaseStandIn();
    await expect(db.collection('orders').get()).rejects.toMatchObject({ errCode: -502005 });
    await db.createCollection('orders');
    await expect(db.createCollection('orders')).rejects.toMatchObject({ errCode: -501001 });
    expect((await db.collection('orders').get()).data).toEqual([]);
  });

  it('returns at most 100 records per get(), whatever the limit', async () => {
    const db = createCloudDatabaseStandIn({ collections: ['c'] });
    for (let i = 0; i < 150; i++) await db.collection('c').add({ data: { n: i } });
    expect((await db.collection('c').get()).data).toHaveLength(100);
    expect((await db.collection('c').limit(500).get()).data).toHaveLength(100);
    expect((await db.collection('c').orderBy('n', 'asc').skip(100).limit(100).get()).data.map((d) => d.n)).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
    expect((await db.collection('c').count()).total).toBe(150);
  });

  it('add refuses a taken _id; doc().get() throws for a missing record unless throwOnNotFound is false', async () => {
    const db = createCloudDatabaseStandIn({ collections: ['c'] });
    await db.collection('c').add({ data: { _id: 'a', v: 1 } });
    await expect(db.collection('c').add({ data: { _id: 'a', v: 2 } })).rejects.toMatchObject({ errCode: -502001 });
    await expect(db.collection('c').doc('missing').get()).rejects.toMatchObject({ errCode: -502004 });
    const lenient = createCloudDatabaseStandIn({ collections: ['c'], throwOnNotFound: false });
    expect((await lenient.collection('c').doc('missing').get()).data).toBeNull();
  });

  it('where().update() reports records actually changed; plain objects merge, _.set replaces, _.remove deletes', async () => {
    const db = createCloudDatabaseStandIn({ collections: ['c'] });
    const _ = db.command;
    await db.collection('c').add({ data: { _id: 'a', v: 1, style: { color: 'red', size: 2 } } });
    await db.collection('c').add({ data: { _id: 'b', v: 1 } });
    expect((await db.collection('c').where({ v: 1 }).update({ data: { v: 1 } })).stats.updated).toBe(0);
    expect((await db.collection('c').where({ _id: 'a', v: 1 }).update({ data: { v: 2 } })).stats.updated).toBe(1);
    expect((await db.collection('c').where({ _id: 'a', v: 1 }).update({ data: { v: 3 } })).stats.updated).toBe(0);
    await db.collection('c').doc('a').update({ data: { style: { color: 'blue' } } });
    expect(db.dump('c')[0]!.style).toEqual({ color: 'blue', size: 2 });
    await db.collection('c').doc('a').update({ data: { style: _.set({ color: 'green' }) } });
    expect(db.dump('c')[0]!.style).toEqual({ color: 'green' });
    await db.collection('c').doc('a').update({ data: { style: _.remove(), v: _.inc(5) } });
    expect(db.dump('c')[0]).toEqual({ _id: 'a', v: 7 });
  });

  it('queries nested fields and the comparison and logic commands; null never compares', async () => {
    const db = createCloudDatabaseStandIn({ collections: ['c'] });
    const _ = db.command;
    for (const [id, due, tag] of [['a', 5, 'x'], ['b', null, 'y'], ['c', 15, 'x']] as const) {
      await db.collection('c').add({ data: { _id: id, due, meta: { tag } } });
    }
    const ids = async (cond: object) => (await db.collection('c').where(cond).orderBy('_id', 'asc').get()).data.map((d) => d._id);
    expect(await ids({ due: _.lte(10) })).toEqual(['a']);
    expect(await ids({ due: _.gt(1).and(_.lt(20)) })).toEqual(['a', 'c']);
    expect(await ids({ 'meta.tag': 'x' })).toEqual(['a', 'c']);
    expect(await ids({ meta: { tag: 'y' } })).toEqual(['b']);
    expect(await ids(_.or([{ due: 15 }, { meta: { tag: 'y' } }]))).toEqual(['b', 'c']);
    expect(await ids({ _id: _.in(['a', 'b']), missing: _.exists(false) })).toEqual(['a', 'b']);
  });

  it('transactions allow single-record operations only, and retry on conflicts', async () => {
    const db = createCloudDatabaseStandIn({ collections: ['acct'] });
    await db.collection('acct').add({ data: { _id: 'a', amount: 100 } });
    await expect(db.runTransaction(async (tx) => tx.collection('acct').where({ amount: 100 }))).rejects.toMatchObject({ errCode: -501007 });
    let runs = 0;
    const result = await db.runTransaction(async (tx) => {
      runs += 1;
      const a = await tx.collection('acct').doc('a').get();
      if (runs === 1) await db.collection('acct').doc('a').update({ data: { amount: 50 } });
      await tx.collection('acct').doc('a').update({ data: { amount: a.data.amount - 10 } });
      return a.data.amount - 10;
    });
    expect(runs).toBe(2);
    expect(result).toBe(40);
    expect(db.dump('acct')[0]!.amount).toBe(40);
    await expect(db.runTransaction(async (tx) => tx.rollback(-100))).rejects.toBe(-100);
  });
});

/** The unkind parts, as Tencent documents them (docs/wechat.md, "The test double, rule by rule"). */
describe('cloud database stand-in: failures and limits as documented', () => {
  it('every failed request is -502001; only a taken _id carries E11000', async () => {
    let fail = false;
    const db = createCloudDatabaseStandIn({ collections: ['c'], fault: () => (fail ? 'request-failed' : null) });
    await db.collection('c').add({ data: { _id: 'a' } });
    const dup = await db.collection('c').add({ data: { _id: 'a' } }).catch((e) => e);
    expect(dup).toMatchObject({ errCode: -502001 });
    expect(String(dup.errMsg)).toContain('E11000 duplicate key');
    fail = true;
    const failed = await db.collection('c').add({ data: { _id: 'b' } }).catch((e) => e);
    expect(failed).toMatchObject({ errCode: -502001 });
    expect(String(failed.errMsg)).not.toContain('E11000');
    fail = false;
    expect(db.dump('c').map((d) => d._id)).toEqual(['a']);
  });

  it('refuses requests beyond the concurrency quota with -501004, and a timeout can come after the write applied', async () => {
    const db = createCloudDatabaseStandIn({ collections: ['c'], maxConcurrent: 20 });
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => db.collection('c').add({ data: { _id: `r${i}` } })));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBe(30);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ errCode: -501004 });
    expect(db.dump('c')).toHaveLength(20);
    expect(db.concurrency.peak).toBe(20);

    const late = createCloudDatabaseStandIn({ collections: ['c'], fault: (op) => (op.kind === 'add' ? 'timeout-after' : null) });
    await expect(late.collection('c').add({ data: { _id: 'x' } })).rejects.toMatchObject({ errCode: -501002 });
    expect(late.dump('c').map((d) => d._id)).toEqual(['x']);
    const early = createCloudDatabaseStandIn({ collections: ['c'], fault: (op) => (op.kind === 'add' ? 'timeout-before' : null) });
    await expect(early.collection('c').add({ data: { _id: 'x' } })).rejects.toMatchObject({ errCode: -501002 });
    expect(early.dump('c')).toHaveLength(0);
  });

  it('an update through null or a scalar fails instead of making {}; bad field names fail', async () => {
    const db = createCloudDatabaseStandIn({ collections: ['c'] });
    const _ = db.command;
    await db.collection('c').add({ data: { _id: 'a', meta: null, n: 1 } });
    await expect(db.collection('c').doc('a').update({ data: { meta: { k: 1 } } })).rejects.toMatchObject({ errCode: -502001 });
    await expect(db.collection('c').doc('a').update({ data: { 'n.k': 1 } })).rejects.toMatchObject({ errCode: -502001 });
    await expect(db.collection('c').doc('a').update({ data: { n: { $gt: 1 } } })).rejects.toMatchObject({ errCode: -502001 });
    await expect(db.collection('c').doc('a').update({ data: { n: _.inc(1), meta: _.set({ k: 1 }) } })).resolves.toMatchObject({ stats: { updated: 1 } });
    expect(db.dump('c')[0]).toEqual({ _id: 'a', meta: { k: 1 }, n: 2 });
    await expect(db.collection('c').add({ data: { _id: 'b', 'a.b': 1 } })).rejects.toMatchObject({ errCode: -502001 });
    await expect(db.collection('c').add({ data: { _id: 'b', x: { $where: 1 } } })).rejects.toMatchObject({ errCode: -502001 });
  });

  it('caps pages at 20, 100 or 1000', async () => {
    for (const pageCap of [20, 100, 1000] as const) {
      const db = createCloudDatabaseStandIn({ collections: ['c'], pageCap });
      for (let i = 0; i < 1100; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => db.collection('c').add({ data: { n: i + j } })));
      expect((await db.collection('c').limit(5000).get()).data).toHaveLength(pageCap);
    }
    const db = createCloudDatabaseStandIn({ collections: ['c'] });
    for (let i = 0; i < 30; i++) await db.collection('c').add({ data: { _openid: 'u1', n: i } });
    expect((await db.miniProgram({ openid: 'u1' }).collection('c').where({ _openid: '{openid}' }).limit(100).get()).data).toHaveLength(20);
  });

  it('serverDate() is the server clock, a date, usable in data and conditions', async () => {
    let now = 1_000_000;
    const db = createCloudDatabaseStandIn({ collections: ['c'], clock: () => now });
    const _ = db.command;
    await db.collection('c').add({ data: { _id: 'a', lease: db.serverDate({ offset: 500 }) } });
    expect(db.dump('c')[0]!.lease).toEqual(new Date(1_000_500));
    expect((await db.collection('c').where({ lease: _.lte(db.serverDate()) }).get()).data).toHaveLength(0);
    now += 500;
    expect((await db.collection('c').where({ lease: _.lte(db.serverDate()) }).get()).data).toHaveLength(1);
    // Type-bracketed: a number never compares with a date.
    expect((await db.collection('c').where({ lease: _.lte(Number.MAX_SAFE_INTEGER) }).get()).data).toHaveLength(0);
  });

  it('a transaction conflicts AT THE WRITE when the record changed after it began, and is aborted', async () => {
    const db = createCloudDatabaseStandIn({ collections: ['acct'] });
    await db.collection('acct').add({ data: { _id: 'a', amount: 100 } });
    const tx = await db.startTransaction();
    const seen = await tx.collection('acct').doc('a').get();
    await db.collection('acct').doc('a').update({ data: { amount: 50 } });
    // Snapshot read: the transaction still sees what it read.
    expect((await tx.collection('acct').doc('a').get()).data.amount).toBe(seen.data.amount);
    const conflict = await tx.collection('acct').doc('a').update({ data: { amount: 90 } }).catch((e) => e);
    expect(conflict).toMatchObject({ errCode: -502001 });
    expect(String(conflict.errMsg)).toContain('WriteConflict');
    await expect(tx.commit()).rejects.toMatchObject({ errCode: -502001 });
    expect(db.dump('acct')[0]!.amount).toBe(50);
  });

  it('a second transaction writing a record another open transaction wrote conflicts; writes are invisible until commit', async () => {
    const db = createCloudDatabaseStandIn({ collections: ['c'] });
    await db.collection('c').add({ data: { _id: 'k', n: 0 } });
    const a = await db.startTransaction();
    const b = await db.startTransaction();
    await a.collection('c').doc('k').update({ data: { n: 1 } });
    expect(db.dump('c')[0]!.n).toBe(0);
    await expect(b.collection('c').doc('k').update({ data: { n: 2 } })).rejects.toMatchObject({ errCode: -502001 });
    // A plain write waits for the transaction holding the record.
    const plain = db.collection('c').doc('k').update({ data: { n: 10 } });
    await a.commit();
    await plain;
    expect(db.dump('c')[0]!.n).toBe(10);
  });

  it('a transaction open longer than 30 s is rolled back', async () => {
    let now = 0;
    const db = createCloudDatabaseStandIn({ collections: ['c'], clock: () => now });
    await db.collection('c').add({ data: { _id: 'k', n: 0 } });
    const tx = await db.startTransaction();
    await tx.collection('c').doc('k').update({ data: { n: 1 } });
    now += 30_001;
    const expired = await tx.commit().catch((e) => e);
    expect(expired).toMatchObject({ errCode: -502001 });
    expect(String(expired.errMsg)).toContain('expired');
    expect(db.dump('c')[0]!.n).toBe(0);
    // Its lock is gone: a plain write goes through.
    await db.collection('c').doc('k').update({ data: { n: 2 } });
    expect(db.dump('c')[0]!.n).toBe(2);
  });

  it('mini program side: a query or watch must include the rule fields; doc(id) alone is refused', async () => {
    const db = createCloudDatabaseStandIn({ collections: ['orders'], rules: { orders: { read: 'doc.customerId == auth.openid' } } });
    await db.collection('orders').add({ data: { _id: 'o1', customerId: 'u1', status: 'pending_payment' } });
    await db.collection('orders').add({ data: { _id: 'o2', customerId: 'u2', status: 'paid' } });
    const mp = db.miniProgram({ openid: 'u1' });
    await expect(mp.collection('orders').doc('o1').get()).rejects.toMatchObject({ errCode: -502003 });
    await expect(mp.collection('orders').where({ _id: 'o2' }).get()).rejects.toMatchObject({ errCode: -502003 });
    expect((await mp.collection('orders').where({ _id: 'o2', customerId: '{openid}' }).get()).data).toEqual([]);
    expect((await mp.collection('orders').where({ _id: 'o1', customerId: '{openid}' }).get()).data.map((d) => d._id)).toEqual(['o1']);

    const refused: unknown[] = [];
    mp.collection('orders').doc('o1').watch({ onChange: () => undefined, onError: (e) => refused.push(e) });
    const snaps: Array<{ type?: string; docs: Array<Record<string, unknown>> }> = [];
    const w = mp.collection('orders').where({ _id: 'o1', customerId: '{openid}' }).watch({ onChange: (s) => snaps.push(s), onError: (e) => refused.push(e) });
    await new Promise((r) => setTimeout(r, 20));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ errCode: -502003 });
    expect(snaps.map((s) => [s.type ?? 'change', s.docs.map((d) => d.status)])).toEqual([['init', ['pending_payment']]]);
    await db.collection('orders').doc('o1').update({ data: { status: 'paid' } });
    await db.collection('orders').doc('o2').update({ data: { status: 'shipped' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(snaps.map((s) => [s.type ?? 'change', s.docs.map((d) => d.status)])).toEqual([
      ['init', ['pending_payment']],
      ['change', ['paid']],
    ]);
    await w.close();
    await db.collection('orders').doc('o1').update({ data: { status: 'shipped' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(snaps).toHaveLength(2);
  });
});
