import type { Request } from 'express';
import { ActorSchema, OrderkitError, type Actor } from './orderkit/index.js';

/**
 * DEMO AUTHENTICATION. The actor comes from a header (`x-actor: customer:<id>` or
 * `merchant:<id>`), or from `?actor=` for an EventSource, which cannot send headers. Anyone can
 * claim to be anyone here: a real app maps its own authentication (a session, a JWT, the WeChat
 * openid from `cloud.getWXContext()`) to an `Actor` in this one function and nowhere else.
 *
 * `payment` and `system` actors are never taken from a request: payments come only through a
 * verified notification (or the clearly labelled demo payment route), timers from the sweeper.
 */
export function actorFromRequest(req: Request): Actor {
  const raw = (req.get('x-actor') ?? (typeof req.query.actor === 'string' ? req.query.actor : '')).trim();
  if (raw === '') {
    throw new OrderkitError({
      code: 'UNAUTHENTICATED',
      message: { 'zh-CN': '缺少身份：请设置请求头 x-actor（如 customer:c1 或 merchant:m1）', en: 'who is asking? set the x-actor header (customer:c1 or merchant:m1)' },
      path: ['headers', 'x-actor'],
    });
  }
  const colon = raw.indexOf(':');
  const type = colon < 0 ? raw : raw.slice(0, colon);
  const id = colon < 0 ? '' : raw.slice(colon + 1);
  const candidate = type === 'merchant' ? { type, id, roles: ['staff'] } : { type, id };
  const parsed = ActorSchema.safeParse(candidate);
  if (!parsed.success || (type !== 'customer' && type !== 'merchant')) {
    throw new OrderkitError({
      code: 'UNAUTHENTICATED',
      message: { 'zh-CN': 'x-actor 应为 customer:<id> 或 merchant:<id>', en: 'x-actor must be customer:<id> or merchant:<id>' },
      path: ['headers', 'x-actor'],
    });
  }
  return parsed.data;
}
