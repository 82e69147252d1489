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
