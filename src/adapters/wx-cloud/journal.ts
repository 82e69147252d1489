import type { CloudCollection, CloudCommand, CloudDatabase } from './database.js';
import { isDuplicateKey } from './database.js';
import { eventDocId, idempotencyDocId, type CollectionNames, type EventDoc, type Journal, type OutboxDoc } from './documents.js';

/**
 * The cloud database has no transaction that can also run the conditional `where().update()` a
 * compare-and-set needs, so one commit cannot write the order, its events and its outbox effects
 * atomically across collections. orderkit makes the single-record write carry everything instead:
 * the compare-and-set writes the new order together with a journal of the commit's events and
 * effects into the order record. Copying the journal into the events and outbox collections
 * ("publishing") comes after, is idempotent (deterministic `_id`s, insert-if-absent), and can be
 * done by anyone who finds the journal: the committer, the next commit on that order (which must
 * publish before it may overwrite the journal), `findIdempotency`, or `claim`'s repair pass. A
 * function killed at any point therefore loses nothing that was accepted: either the
 * compare-and-set happened (and the journal will be published) or nothing did.
 */
export interface StoreContext {
  db: CloudDatabase;
  _: CloudCommand;
  names: CollectionNames;
  /** Told when publishing fails; the journal stays in the order record and is retried later. */
  onPublishError?: (error: unknown, orderId: string) => void;
}

/** Adds a record unless one with its `_id` exists: the cloud database's unique-key insert. */
export async function insertIfAbsent(collection: CloudCollection, data: { _id: string } & Record<string, unknown>): Promise<'inserted' | 'present'> {
  try {
    await collection.add({ data });
    return 'inserted';
  } catch (error) {
    if (isDuplicateKey(error)) return 'present';
    // Some errors hide the duplicate: look before failing.
    const found = await collection.where({ _id: data._id }).count().catch(() => ({ total: 0 }));
    if (found.total > 0) return 'present';
    throw error;
  }
}

/** Copies a journal into the events and outbox collections, confirms its key, and clears it. */
export async function publishJournal(ctx: StoreContext, orderId: string, journal: Journal): Promise<void> {
  const { db, _, names } = ctx;
  const events = db.collection(names.events);
  const outbox = db.collection(names.outbox);
  await Promise.all(
    journal.events.map((event, index) => {
      const doc: EventDoc = { ...event, _id: eventDocId(event, index), ok_index: index };
      const { _id, ...data } = doc;
      // `set` is idempotent: publishing twice writes the same record twice.
      return events.doc(_id).set({ data });
    }),
  );
  await Promise.all(
    journal.effects.map((effect, index) => {
      const doc: OutboxDoc = {
        _id: effect.id,
        orderId,
        effect,
        available: journal.available,
        lease: 0,
        attempts: 0,
        done: false,
        ok_seq: journal.version * 1000 + index,
      };
      // Never `set`: a second publish must not reset an effect a worker already claimed or completed.
      return insertIfAbsent(outbox, doc as unknown as { _id: string } & Record<string, unknown>);
    }),
  );
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
    ctx.onPublishError?.(error, orderId);
    return false;
  }
}
