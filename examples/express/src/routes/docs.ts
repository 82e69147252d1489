import express, { type Router } from 'express';
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
  <div class="demo-note">DEMO authentication: put <code>customer:c1</code> or <code>merchant:m1</code> in the <code>x-actor</code> header.
  演示身份：在 x-actor 请求头填写 customer:c1 或 merchant:m1。 <a href="/dashboard">Dashboard 看板</a></div>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
  </script>
</body>
</html>`;

export function docsRouter(openapi: () => Record<string, unknown>): Router {
  const router = express.Router();
  let cached: Record<string, unknown> | null = null;
  router.get('/openapi.json', (_req, res) => {
    cached ??= openapi();
    res.json(cached);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.use('/docs/assets', express.static(SWAGGER_DIR, { index: false, maxAge: '1h' }));
  return router;
}
