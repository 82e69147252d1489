import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import type { RouteDoc } from './openapi.js';
import { errorFromZod, isStorableString, OrderkitError } from './orderkit/index.js';

/**
 * Who may call a route (checked before the handler, docs/express.md "Sign-in"):
 * - `public`: anyone (pages, sign-in, the WeChat Pay notification, which verifies its signature);
 * - `signed-in`: a shopper or staff; the handler still checks that a shopper owns the order;
 * - `staff`: staff or admin; `admin`: admin only.
 */
export type Access = 'public' | 'signed-in' | 'staff' | 'admin';

/** A route: its documentation and its handler, declared together. */
export interface Route {
  doc: RouteDoc;
  handler: RequestHandler;
  /** Default `signed-in`: a route that forgets to say is never open to anonymous callers. */
  access?: Access;
}

/** The body (or `{}` when the request had none) checked against `schema`; 400 INVALID_INPUT otherwise. */
// `z.core.$ZodType`: orderkit's schemas are zod/mini schemas, the example's own are classic; both parse here.
export function parseBody<S extends z.core.$ZodType>(schema: S, req: Request): z.infer<S> {
  const raw: unknown = req.body === undefined ? {} : req.body;
  const parsed = z.safeParse(schema, raw);
  if (!parsed.success) throw errorFromZod('INVALID_INPUT', { 'zh-CN': '请求内容不正确', en: 'invalid request body' }, parsed.error, ['body']);
  return parsed.data;
}

export function parseQuery<S extends z.core.$ZodType>(schema: S, req: Request): z.infer<S> {
  const parsed = z.safeParse(schema, { ...(req.query as Record<string, unknown>) });
  if (!parsed.success) throw errorFromZod('INVALID_QUERY', { 'zh-CN': '查询参数不正确', en: 'invalid query parameters' }, parsed.error, ['query']);
  return parsed.data;
}

/** The `Idempotency-Key` header, if any (at most 128 characters). */
export function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined || key === '') return undefined;
  if (key.length > 128) {
    throw new OrderkitError({
      code: 'INVALID_INPUT',
      message: { 'zh-CN': 'Idempotency-Key 最长 128 个字符', en: 'Idempotency-Key may be at most 128 characters' },
      path: ['headers', 'idempotency-key'],
    });
  }
  return key;
}

/**
 * A path parameter (Express 5 gives strings; anything else is a routing bug). An id with a
 * character no store can keep (`%00`, a lone surrogate) cannot name anything: 400, not a lookup.
 */
export function param(req: Request, name: string): string {
  const raw = (req.params as Record<string, unknown>)[name];
  const value = typeof raw === 'string' ? raw : String(raw);
  if (!isStorableString(value)) {
    throw new OrderkitError({
      code: 'INVALID_INPUT',
      message: { 'zh-CN': `路径参数 ${name} 含有无法保存的字符（如 %00）`, en: `path parameter ${name} contains a character that cannot be stored (such as %00)` },
      path: ['params', name],
    });
  }
  return value;
}
