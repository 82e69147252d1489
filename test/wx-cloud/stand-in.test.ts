import { describe, expect, it } from 'vitest';
import { createCloudDatabaseStandIn, STAND_IN_LABEL } from '../../src/adapters/wx-cloud/index.js';

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
