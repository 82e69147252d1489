import { z } from 'zod';
import { orderJsonSchema } from './orderkit/index.js';

/** What one route tells the OpenAPI document. The same objects drive validation in the routes. */
export interface RouteDoc {
  method: 'get' | 'post';
  /** Express-style path, `/orders/:id/ship`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Who may call it, for the reader (the lifecycle enforces it). */
  actors?: string;
  body?: z.core.$ZodType;
  query?: z.ZodObject;
  /** Success status → description; the schema is `Order` unless `responseSchema` says otherwise. */
  success: { status: number; description: string; schema?: 'Order' | 'OrderPage' | 'OrderEvents' | 'Summary' | 'Text' | 'Stream' | 'Any' };
  errors: number[];
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (does not parse) · 请求格式错误',
  401: 'Not signed in, or the session expired or is forged · 未登录或登录失效',
  403: 'This actor may not do this (FORBIDDEN) · 无权操作',
  404: 'No such order / route · 未找到',
  409: 'Not allowed in the order\'s current state, or a concurrent change won · 状态冲突',
  422: 'Well-formed but against a business rule · 违反业务规则',
  503: 'Not configured on this server · 未配置',
};

function jsonSchema(schema: z.core.$ZodType): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

const ERROR_SCHEMA = {
  type: 'object',
  description: 'Every error: OrderkitError.toJSON(). Switch on `code`; show `messages[locale]`.',
  required: ['code', 'message', 'messages', 'path', 'issues'],
  properties: {
    name: { const: 'OrderkitError' },
    code: { type: 'string', description: 'Stable UPPER_SNAKE code', examples: ['INVALID_TRANSITION'] },
    message: { type: 'string', description: 'English message' },
    messages: { type: 'object', properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } }, required: ['zh-CN', 'en'] },
    path: { type: 'array', items: { type: ['string', 'number'] } },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        properties: { code: { type: 'string' }, path: { type: 'array' }, message: { type: 'object' } },
      },
    },
    details: { type: 'object' },
  },
};

function responseSchema(kind: RouteDoc['success']['schema']): Record<string, unknown> | null {
  switch (kind ?? 'Order') {
    case 'Order':
      return { $ref: '#/components/schemas/Order' };
    case 'OrderPage':
      return {
        type: 'object',
        properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Order' } }, nextCursor: { type: ['string', 'null'] } },
      };
    case 'OrderEvents':
      return { type: 'array', items: { type: 'object' } };
    case 'Summary':
    case 'Any':
      return { type: 'object' };
    default:
      return null;
  }
}

/**
 * The OpenAPI 3.1 document of the example's routes, generated from the same zod schemas the
 * routes validate with (zod 4 `z.toJSONSchema`), so the reference can never drift from the code.
 */
export function buildOpenApi(routes: readonly RouteDoc[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const params: unknown[] = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (r.actors) {
      params.push({
        name: 'x-actor',
        in: 'header',
        required: !r.actors.startsWith('anyone'),
        description: `DEMO mode only (otherwise sign in: Authorization: Bearer <token>, or the console's session cookie): customer:<id>, merchant:<id> or admin:<id>. Allowed: ${r.actors}`,
        schema: { type: 'string', examples: ['customer:c1', 'merchant:m1'] },
      });
    }
    params.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 128 } });
    if (r.method === 'get') params.pop();
    if (r.query) {
      for (const [name, schema] of Object.entries(r.query.shape)) {
        params.push({ name, in: 'query', required: !(schema as z.ZodType).safeParse(undefined).success, schema: jsonSchema(schema as z.ZodType) });
      }
    }
    const content =
      r.success.schema === 'Text'
        ? { 'text/html': { schema: { type: 'string' } } }
        : r.success.schema === 'Stream'
          ? { 'text/event-stream': { schema: { type: 'string' } } }
          : { 'application/json': { schema: responseSchema(r.success.schema) } };
    const responses: Record<string, unknown> = { [r.success.status]: { description: r.success.description, content } };
    for (const status of r.errors) {
      responses[status] = {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    (paths[path] ??= {})[r.method] = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: r.tags,
      parameters: params,
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      responses,
    };
  }
  const order = orderJsonSchema();
  delete order.$schema;
  return {
    openapi: '3.1.0',
    info: {
      title: 'orderkit Express example',
      version: info.version,
      description:
        'A REST order service built on orderkit. Sign in with POST /auth/wechat (shoppers, wx.login code) or POST /auth/login (staff); send the token as `Authorization: Bearer`. The `x-actor` header works in DEMO mode only. ' +
        '基于 orderkit 的订单服务示例。顾客用 POST /auth/wechat（wx.login 的 code）登录，员工用 POST /auth/login；令牌放在 Authorization: Bearer 中。x-actor 请求头仅在演示模式下有效。',
    },
    paths,
    components: { schemas: { Order: order, Error: ERROR_SCHEMA } },
  };
}
