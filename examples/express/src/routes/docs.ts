import express, { type Router } from 'express';
import type { Route } from '../http.js';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** swagger-ui-dist from node_modules: the reference page works without internet access. */
const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>orderkit example · API reference</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <style>body { margin: 0 } .demo-note { font: 14px sans-serif; padding: 8px 16px; background: #fff7e6; border-bottom: 1px solid #ffd591 }</style>
</head>
<body>
  <div class="demo-note">Sign in: <code>POST /auth/login</code> (staff, <code>mode: "token"</code> for a bearer token) or <code>POST /auth/wechat</code> (shoppers); in DEMO mode only, the <code>x-actor</code> header (<code>customer:c1</code>, <code>merchant:m1</code>).
  登录：员工 POST /auth/login，顾客 POST /auth/wechat；仅演示模式下可用 x-actor 请求头。 <a href="/console">Console 订单后台</a> · <a href="/dashboard">Dashboard 看板</a></div>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
`;

/** The reference page's routes (documented like every other route, so the route walk finds them). */
export function docsRoutes(openapi: () => Record<string, unknown>): Route[] {
  let cached: Record<string, unknown> | null = null;
  const page = (path: string, operationId: string, summary: string, type: string, body: () => unknown): Route => ({
    access: 'public',
    doc: { method: 'get', path, operationId, summary, tags: ['pages'], success: { status: 200, description: type, schema: type === 'json' ? 'Any' : 'Text' }, errors: [] },
    handler: (_req, res) => {
      const value = body();
      if (type === 'json') res.json(value);
      else res.type(type).send(value as string);
    },
  });
  return [
    page('/openapi.json', 'openApiDocument', 'This OpenAPI document 接口描述', 'json', () => (cached ??= openapi())),
    page('/docs', 'apiReferencePage', 'API reference page 接口文档页', 'html', () => PAGE),
    page('/docs/init.js', 'apiReferenceScript', 'API reference page script 接口文档页脚本', 'js', () => INIT),
  ];
}

/** swagger-ui's files from node_modules (a static folder, not a route). */
export function docsAssets(): Router {
  const router = express.Router();
  router.use('/docs/assets', express.static(SWAGGER_DIR, { index: false, maxAge: '1h' }));
  return router;
}
