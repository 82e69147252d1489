import { invalidFeedPosition } from '../../storage/errors.js';

/**
 * Change-feed positions of the PostgreSQL store: the writing transaction's id and the change's
 * sequence number, each as 16 hex digits joined by a dot, so that they also sort as strings.
 * docs/storage.md ("Change feed") explains why the transaction id leads.
 */
const POSITION = /^([0-9a-f]{16})\.([0-9a-f]{16})$/;

/** The position of a change row (xid and seq as the database prints them, in decimal). */
export function toPosition(xid: string, seq: string): string {
  return `${BigInt(xid).toString(16).padStart(16, '0')}.${BigInt(seq).toString(16).padStart(16, '0')}`;
}

/** A position back into the statement parameters (decimal xid and seq); null is the start. */
export function fromPosition(position: string | null): [string, string] {
  if (position === null) return ['0', '0'];
  const m = typeof position === 'string' ? POSITION.exec(position) : null;
  if (!m) throw invalidFeedPosition(position);
  return [BigInt(`0x${m[1]}`).toString(), BigInt(`0x${m[2]}`).toString()];
}
