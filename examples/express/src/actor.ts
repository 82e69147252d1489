import type { Request } from 'express';
import { requireActor } from './auth/index.js';
import type { Actor } from './orderkit/index.js';

/**
 * Who is asking, as an orderkit actor: found by the sign-in middleware (auth/index.ts) from a
 * session token (bearer or the console's cookie) or, in DEMO mode only, from `x-actor`. A shopper
 * is a `customer` (id = their openid), staff and admins are `merchant`s with roles. 401 when
 * nobody signed in, or the session is expired or forged.
 *
 * `payment` and `system` actors are never taken from a request: payments come only through a
 * verified notification (or the demo payment route, in demo mode), timers from the sweeper.
 */
export function actorFromRequest(req: Request): Actor {
  return requireActor(req);
}
