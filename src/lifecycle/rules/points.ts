import { settlePoints as settle } from '../../refund/points.js';
import { note, type Draft, type Step } from '../step.js';

/**
 * `settlePoints`: brings the order's points to where its state says they should be
 * (docs/pricing.md "Points after the order") and emits one effect per movement —
 * `points.release` (spent points back: cancel, expiry, full refund, or the units a refund took),
 * `points.grant` (赠送积分 on completion), `points.clawback` (earned points a later refund takes).
 * Runs after the row's other actions, so a `close` in the same row counts as closing. Moves only
 * differences against `order.points`, so running it twice moves nothing the second time.
 */
export function settlePoints(draft: Draft, step: Step): void {
  const order = draft.order;
  const closing = order.status === 'closed' || order.closeReason !== undefined;
  const s = settle(order, { closing, at: step.ctx.at });
  if (s === null) return;
  order.points = s.points;
  const reason = closing ? (order.closeReason ?? 'closed') : 'refund';
  if (s.release > 0) {
    draft.effects.push({ type: 'points.release', customerId: order.customerId, points: s.release, reason });
    note(draft, 'pointsReleased', s.release);
  }
  if (s.grant > 0) {
    draft.effects.push({ type: 'points.grant', customerId: order.customerId, points: s.grant, reason: 'completed' });
    note(draft, 'pointsGranted', s.grant);
  }
  if (s.clawback > 0) {
    draft.effects.push({ type: 'points.clawback', customerId: order.customerId, points: s.clawback, reason });
    note(draft, 'pointsClawedBack', s.clawback);
  }
}
