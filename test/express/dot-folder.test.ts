import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The dashboard must work wherever the project lives, including under a folder whose name starts
 * with a dot (`~/.projects/shop`): `res.sendFile` refuses such absolute paths unless told otherwise
 * and the page answered 404/500. This runs the example app from a copy of the repository's
 * sources and the example under `.tmp/.dot-project-<pid>/` (inside the repository, so its
 * node_modules still resolve) and fetches every file the dashboard serves.
 */
const root = resolve(__dirname, '../..');
const copy = join(root, '.tmp', `.dot-project-${process.pid}`);

type AppModule = typeof import('../../examples/express/src/app.js');
type FiguresModule = typeof import('../../examples/express/src/figures.js');
type OrderkitModule = typeof import('../../src/index.js');

let app: Awaited<ReturnType<AppModule['createApp']>>;

beforeAll(async () => {
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(join(copy, 'examples'), { recursive: true });
  cpSync(join(root, 'src'), join(copy, 'src'), { recursive: true });
  cpSync(join(root, 'examples', 'express'), join(copy, 'examples', 'express'), { recursive: true });
  const { createApp }: AppModule = await import(join(copy, 'examples/express/src/app.ts'));
  const { storeFigures }: FiguresModule = await import(join(copy, 'examples/express/src/figures.ts'));
  const orderkit: OrderkitModule = await import(join(copy, 'src/index.ts'));
  const store = new orderkit.MemoryOrderStore();
  app = await createApp({ service: orderkit.createOrderService({ store }), figures: storeFigures(store), log: () => undefined });
});

afterAll(async () => {
  await app?.close();
  rmSync(copy, { recursive: true, force: true });
});

describe('the dashboard, console and API reference from a project under a dot-folder', () => {
  it.each([
    ['/dashboard', /html/],
    ['/dashboard/dashboard.js', /javascript/],
    ['/dashboard/dashboard.css', /css/],
    ['/vendor/echarts.min.js', /javascript/],
    // The order console and the API reference serve files the same way.
    ['/console', /html/],
    ['/console/console.js', /javascript/],
    ['/console/console.css', /css/],
    ['/vendor/htm-preact.js', /javascript/],
    ['/docs/assets/swagger-ui.css', /css/],
    ['/insights', /html/],
    ['/insights/insights.js', /javascript/],
    ['/insights/insights.css', /css/],
  ])('GET %s answers 200 with the file', async (path, type) => {
    const res = await request(app.app).get(path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(type);
    expect(Number(res.headers['content-length'] ?? res.text?.length ?? 0)).toBeGreaterThan(100);
  });
});
