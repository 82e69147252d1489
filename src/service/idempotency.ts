import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { OrderkitError } from '../errors/orderkit-error.js';
import { COMMAND_ACTORS, checkPermission, type PermissionTable } from '../lifecycle/permissions.js';
import type { Actor, Command } from '../order/index.js';
import type { IdempotencyRecord, IdempotencyRequest } from '../storage/port.js';
import type { ServiceResult } from './types.js';
import { ok, fail } from '../errors/result.js';

/**
 * Scoped idempotency keys (docs/storage.md, "Idempotency keys"). The key a caller sends is never
 * stored as it is: the service keeps the record under a key derived from
 *
 *   (the actor's type and id, the order id or "place", the caller's key)
 *
 * so that two actors, or two orders, or a placement and a command, can never reach each other's
 * record however their keys are chosen. Beside the result the record keeps a fingerprint of the
 * request (command type and a hash of the canonical payload): a repeat is replayed only when the
 * fingerprint matches, else it is refused with `IDEMPOTENCY_KEY_REUSED`, which names nothing but
 * the caller's own request. A replay checks the actor's permission again and returns the first
 * result, which that same actor was already allowed to see.
 *
 * Records written by versions before scoped keys are stored under the caller's raw key, which no
 * derived key equals (a derived key is `k1:` and 64 hex digits of a hash that includes the actor):
 * they are never found, hence never replayed, by anyone. Should one be found all the same (a key
 * chosen to look like a derived one), it has no fingerprint and is refused, never replayed.
 */

/** The prefix of derived keys and the version of the derivation. */
const DERIVATION = 'k1';

export interface IdempotencyScope {
  /** The key the record is stored under. */
  key: string;
  /** What the record keeps about the request (its fingerprint). */
  request: IdempotencyRequest;
  /** The order the key belongs to; undefined for a placement. */
  orderId: string | undefined;
  /** The command type ('PLACE' for a placement), for the permission check of a replay. */
  commandType: string;
}

function hashHex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** Who the actor is, as far as a key's scope goes (a merchant's roles may change between calls). */
function actorIdentity(actor: Actor): [string, string] {
  switch (actor.type) {
    case 'customer':
    case 'merchant':
      return [actor.type, actor.id];
    case 'system':
      return [actor.type, actor.id ?? ''];
    case 'payment':
      return [actor.type, actor.gateway];
    default:
      return [String((actor as { type?: unknown }).type), ''];
  }
}

/**
 * JSON with every object's keys sorted, so that one payload always hashes the same however its
 * fields were ordered. `undefined` fields are left out, as JSON.stringify does.
 *
 * @example
 * canonicalJson({ b: 1, a: { d: 2, c: 3 } }) // '{"a":{"c":3,"d":2},"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const source = v as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(source).sort()) sorted[k] = source[k];
    return sorted;
  });
  return text === undefined ? 'null' : text;
}

function derivedKey(actor: Actor, target: string, callerKey: string): string {
  // A JSON array keeps the parts apart: no choice of key or id can shift one part into another.
  return `${DERIVATION}:${hashHex(JSON.stringify([DERIVATION, ...actorIdentity(actor), target, callerKey]))}`;
}

function fingerprint(commandType: string, payload: unknown): string {
  return `${commandType}:${hashHex(canonicalJson(payload))}`;
}

/**
 * The scope of a key sent with `dispatch`.
 *
 * @example
 * dispatchScope({ type: 'customer', id: 'u1' }, 'o1', 'cancel-1', { type: 'CANCEL' }).key // 'k1:…'
 */
export function dispatchScope(actor: Actor, orderId: string, callerKey: string, command: Command): IdempotencyScope {
  return {
    key: derivedKey(actor, `order:${orderId}`, callerKey),
    request: { fingerprint: fingerprint(command.type, command) },
    orderId,
    commandType: command.type,
  };
}

/**
 * The scope of a key sent with `place`. The fingerprint leaves out `id` and `number` (a caller
 * that makes up a new id or number for each try, as the Express example does, sends the same
 * placement again, not another one) and `rules` (the shop's pricing rules are the server's
 * settings, not part of what the customer asked for).
 *
 * @example
 * placeScope({ type: 'customer', id: 'u1' }, 'checkout-1', input).key // 'k1:…'
 */
export function placeScope(actor: Actor, callerKey: string, input: object): IdempotencyScope {
  const { id: _id, number: _number, rules: _rules, ...payload } = input as Record<string, unknown>;
  return { key: derivedKey(actor, 'place', callerKey), request: { fingerprint: fingerprint('PLACE', payload) }, orderId: undefined, commandType: 'PLACE' };
}

/** The request to store with a commit: the fingerprint, and the stray-payment code if any. */
export function requestToStore(scope: IdempotencyScope, strayPayment: { code: string } | undefined): IdempotencyRequest {
  return strayPayment === undefined ? scope.request : { ...scope.request, strayPayment: { code: strayPayment.code } };
}

/**
 * `IDEMPOTENCY_KEY_REUSED`: the key was used for another request of this actor. It names nothing
 * of that request (no order id, no payload), only what the caller sent now.
 */
export function idempotencyKeyReused(commandType: string): OrderkitError {
  return new OrderkitError({
    code: 'IDEMPOTENCY_KEY_REUSED',
    message: {
      'zh-CN': '该幂等键已用于另一个请求（不同的指令或内容），请为新请求使用新的幂等键',
      en: 'this idempotency key was already used for a different request (another command or payload); use a new key for a new request',
    },
    path: ['idempotencyKey'],
    details: { commandType },
  });
}

function forbiddenReplay(): OrderkitError {
  return new OrderkitError({
    code: 'FORBIDDEN',
    message: { 'zh-CN': '无权查看该请求的结果', en: 'this actor may not see the result of that request' },
    path: ['actor'],
  });
}

/**
 * The answer to a repeated request whose scope found `record`: the first result when the request
 * is the same and the actor may still send it, else a typed refusal.
 */
export function replayOf(record: IdempotencyRecord, scope: IdempotencyScope, actor: Actor, permissions: PermissionTable<string> | undefined): ServiceResult {
  const request = record.request;
  if (request === undefined || request.fingerprint !== scope.request.fingerprint) return fail(idempotencyKeyReused(scope.commandType));
  // The scope holds the order id, so this cannot differ unless the record was tampered with.
  if (scope.orderId !== undefined && record.orderId !== scope.orderId) return fail(idempotencyKeyReused(scope.commandType));
  const owner = record.order.customerId;
  if (scope.orderId === undefined) {
    if (actor.type === 'customer' && owner !== actor.id) return fail(forbiddenReplay());
  } else {
    const table: PermissionTable<string> = permissions ?? COMMAND_ACTORS;
    const refused = checkPermission(table, scope.commandType, actor, owner);
    if (refused !== undefined) return fail(refused);
  }
  return ok({
    order: record.order,
    events: record.events,
    effects: record.effects,
    changed: true,
    replayed: true,
    ...(request.strayPayment !== undefined ? { strayPayment: { code: request.strayPayment.code } } : {}),
  });
}
