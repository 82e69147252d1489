import { isOrderkitError } from '../../errors/orderkit-error.js';
import type { CloudCollection, CloudCommand, CloudDatabase } from './database.js';
import { mapSettled } from './concurrency.js';
import { eventDocId, idempotencyDocId, FREE, type CollectionNames, type EventDoc, type Journal, type OutboxDoc } from './documents.js';
import { classifyCloudError, CloudDatabaseError } from './errors.js';

/**
 * A commit writes the new order together with a journal of its events and effects into the order
 * record, in one transaction with the change-feed counter (see `writes.ts`). Copying the journal
 * into the events and outbox collections ("publishing") comes after, is idempotent (deterministic
 * `_id`s, insert-if-absent), and can be done by anyone who finds the journal: the committer, the
 * next commit on that order (which must publish before it may overwrite the journal),
 * `findIdempotency`, or `claim`'s repair pass. A function killed at any point therefore loses
 * nothing that was accepted. A publish that fails leaves the journal in place (it is cleared
 * last), reports through `onPublishError`, and is repaired later.
 */
export interface StoreContext {
  db: CloudDatabase;
  _: CloudCommand;
  names: CollectionNames;
  /** Most requests one call keeps in flight at once. */
  parallel: number;
  /** Told when publishing fails; the journal stays in the order record and is retried later. */
  onPublishError?: (error: unknown, orderId: string) => void;
}

/** Wraps anything but an orderkit error into a typed `CloudDatabaseError`. */
export function typed(operation: string, error: unknown, mayHaveApplied?: boolean): Error {
  if (isOrderkitError(error)) return error;
  return new CloudDatabaseError(operation, error, mayHaveApplied);
}

async function readById(collection: CloudCollection, id: string): Promise<Record<string, unknown> | null> {
  const res = await collection.where({ _id: id }).limit(1).get();
  return (res.data[0] as Record<string, unknown> | undefined) ?? null;
}

/**
 * Adds a record unless one with its `_id` exists: the cloud database's unique-key insert. Only an
 * E11000 answer means "present". Any other failure is explained by reading the record back: there
 * (the write applied and its answer was lost, or another writer won) → 'present' / 'inserted' by
 * `mine`; absent → a typed error saying whether the write may still apply.
 */
export async function insertIfAbsent(
  collection: CloudCollection,
  data: { _id: string } & Record<string, unknown>,
  mine: (found: Record<string, unknown>) => boolean = () => false,
): Promise<'inserted' | 'present'> {
  try {
    await collection.add({ data });
    return 'inserted';
  } catch (error) {
    const failure = classifyCloudError(error);
    if (failure.kind === 'duplicate') return 'present';
    let found: Record<string, unknown> | null;
    try {
      found = await readById(collection, data._id);
    } catch {
      throw typed(`add ${data._id}`, error, true);
    }
    if (found) return mine(found) ? 'inserted' : 'present';
    throw typed(`add ${data._id}`, error, failure.kind === 'timeout');
  }
}

/** Copies a journal into the events and outbox collections, confirms its key, and clears it. */
export async function publishJournal(ctx: StoreContext, orderId: string, journal: Journal): Promise<void> {
  const { db, _, names } = ctx;
  const events = db.collection(names.events);
  const outbox = db.collection(names.outbox);
  const written = await mapSettled(journal.events, ctx.parallel, (event, index) => {
    const doc: EventDoc = { ...event, _id: eventDocId(event, index), ok_index: index };
    const { _id, ...data } = doc;
    // `set` is idempotent: publishing twice writes the same record twice.
    return events.doc(_id).set({ data });
  });
  const failed = written.find((w) => !w.ok);
  if (failed && !failed.ok) throw typed(`publish events of ${orderId}`, failed.error, true);
  // One at a time, in order: an effect never exists in the outbox before the ones written before it.
  for (let index = 0; index < journal.effects.length; index++) {
    const effect = journal.effects[index]!;
    const doc: OutboxDoc = {
      _id: effect.id,
      orderId,
      effect,
      available: journal.available,
      lease: FREE(),
      attempts: 0,
      done: false,
      ok_seq: journal.version * 1000 + index,
    };
    // Never `set`: a second publish must not reset an effect a worker already claimed or completed.
    await insertIfAbsent(outbox, doc as unknown as { _id: string } & Record<string, unknown>);
  }
  if (journal.key !== undefined && journal.token !== undefined) {
    await db.collection(names.keys).where({ _id: idempotencyDocId(journal.key), token: journal.token }).update({ data: { state: 'done' } });
  }
  // Only this version's journal: a newer commit's journal is never removed by an older publisher.
  await db.collection(names.orders).where({ _id: orderId, version: journal.version }).update({ data: { ok_journal: _.remove(), ok_journal_at: _.remove() } });
}

/** Publishes, reporting (not throwing) a failure: the commit already happened and will be repaired. */
export async function publishQuietly(ctx: StoreContext, orderId: string, journal: Journal): Promise<boolean> {
  try {
    await publishJournal(ctx, orderId, journal);
    return true;
  } catch (error) {
    ctx.onPublishError?.(typed(`publish ${orderId}`, error, true), orderId);
    return false;
  }
}
