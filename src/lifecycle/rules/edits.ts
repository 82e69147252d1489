import { AddressSchema, type CommandOf, type Note } from '../../order/index.js';
import { editErrors } from '../edit-errors.js';
import { defineGuard, note, type Draft, type Step } from '../step.js';

/**
 * 改地址 and 备注. The address may change until anything ships (the chart offers CHANGE_ADDRESS
 * only while `pending_payment` or `paid`; afterwards the refusal is ADDRESS_LOCKED). A merchant
 * note is appended, never edited. Both keep the old value in the audit event's data.
 */

type ChangingAddress = CommandOf<'CHANGE_ADDRESS'>;
type AddingRemark = CommandOf<'ADD_REMARK'>;

/** Nothing has shipped, and the new address is well-formed (checked again: commands may come unparsed). */
export const addressChangeable = defineGuard(
  (step: Step<ChangingAddress>) => {
    if (step.order.shipments.length > 0) return editErrors.addressLocked(step.order.status);
    const parsed = AddressSchema.safeParse(step.command.address);
    if (!parsed.success) return editErrors.invalidAddress(['address', ...(parsed.error.issues[0]?.path ?? []).map((p) => (typeof p === 'symbol' ? String(p) : p))]);
    return undefined;
  },
  (probe) => probe.order.shipments.length === 0,
);

/** Sets the new address; the event keeps the old one. */
export function changeAddress(draft: Draft, step: Step<ChangingAddress>): void {
  const old = step.order.address;
  draft.order.address = step.command.address;
  note(draft, 'oldAddress', old ?? null);
  note(draft, 'address', step.command.address);
}

/** A note of 1–200 characters. */
export const validRemark = defineGuard((step: Step<AddingRemark>) => {
  const text = step.command.text as unknown;
  return typeof text === 'string' && text.trim().length > 0 && text.length <= 200 ? undefined : editErrors.invalidRemark();
});

/** Appends the merchant's note; the event keeps the note before it. */
export function addRemark(draft: Draft, step: Step<AddingRemark>): void {
  const notes = step.order.merchantNotes;
  const entry: Note = { text: step.command.text, by: step.ctx.actor, at: step.ctx.at };
  draft.order.merchantNotes = notes.concat(entry);
  note(draft, 'previousNote', notes.length > 0 ? notes[notes.length - 1]!.text : null);
  note(draft, 'text', entry.text);
}
