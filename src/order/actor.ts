import * as z from '../zod.js';
import { IdSchema } from './primitives.js';

/**
 * Who sends a command. `customer` must own the order; `merchant` is a staff member with roles;
 * `system` is a timer or sweeper; `payment` is a gateway notification that has already been
 * verified (never construct it from an unverified request).
 */
export const ActorSchema = z.lazySchema(() => z.discriminatedUnion('type', [
  z.object({ type: z.literal('customer'), id: IdSchema }),
  z.object({ type: z.literal('merchant'), id: IdSchema, roles: z.optional(z.array(z.string())) }),
  z.object({ type: z.literal('system'), id: z.optional(z.string()) }),
  z.object({ type: z.literal('payment'), gateway: z.string().check(z.minLength(1)) }),
]));
export type Actor = z.output<typeof ActorSchema>;
export type ActorType = Actor['type'];
export const ACTOR_TYPES: readonly ActorType[] = ['customer', 'merchant', 'system', 'payment'];

/**
 * `ActorSchema.safeParse(value).success`, checked by hand: the service checks the actor of every
 * command, and building and first running the schema was a part of a cloud function's first
 * dispatch that this avoids (docs/benchmarks.md, "Cold start"). test/order/actor.test.ts proves
 * with fast-check that both accept exactly the same values. Reads the fields the way zod does
 * (`type` first, inherited properties included).
 */
export function isActor(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const actor = value as Record<string, unknown>;
  switch (actor['type']) {
    case 'customer':
      return isId(actor['id']);
    case 'merchant': {
      if (!isId(actor['id'])) return false;
      const roles = actor['roles'];
      if (roles === undefined) return true;
      if (!Array.isArray(roles)) return false;
      for (let i = 0; i < roles.length; i++) if (typeof roles[i] !== 'string') return false;
      return true;
    }
    case 'system': {
      const id = actor['id'];
      return id === undefined || typeof id === 'string';
    }
    case 'payment': {
      const gateway = actor['gateway'];
      return typeof gateway === 'string' && gateway.length >= 1;
    }
    default:
      return false;
  }
}

/** What `IdSchema` accepts: text of 1–128 characters. */
function isId(value: unknown): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= 128;
}
