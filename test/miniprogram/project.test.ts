// @vitest-environment jsdom
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MINIPROGRAM_ROOT, compilerInUse, createMiniProgram } from './support/harness.js';
import { createWxStub } from './support/wx-stub.js';

const require = createRequire(import.meta.url);
const PROJECT = join(MINIPROGRAM_ROOT, '..');

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

describe('the WeChat DevTools project (examples/cloud-functions)', () => {
  it('project.config.json points DevTools at both halves', () => {
    const cfg = JSON.parse(readFileSync(join(PROJECT, 'project.config.json'), 'utf8'));
    expect(cfg).toMatchObject({ miniprogramRoot: 'miniprogram/', cloudfunctionRoot: 'cloudfunctions/', compileType: 'miniprogram', appid: 'touristappid' });
    for (const fn of ['order', 'payCallback', 'sweeper']) expect(existsSync(join(PROJECT, cfg.cloudfunctionRoot, fn, 'index.js'))).toBe(true);
  });

  it('app.json lists pages that exist, with their four files, and components that exist', () => {
    const app = JSON.parse(readFileSync(join(MINIPROGRAM_ROOT, 'app.json'), 'utf8'));
    expect(app.pages).toEqual(['pages/orders/index', 'pages/order-detail/index', 'pages/checkout/index', 'pages/after-sale/index']);
    expect(existsSync(join(MINIPROGRAM_ROOT, app.sitemapLocation))).toBe(true);
    const units = [...app.pages];
    for (const page of app.pages) {
      const json = JSON.parse(readFileSync(join(MINIPROGRAM_ROOT, `${page}.json`), 'utf8'));
      for (const p of Object.values<string>(json.usingComponents ?? {})) units.push(p.replace(/^\//, ''));
    }
    for (const u of units) for (const ext of ['js', 'json', 'wxml', 'wxss']) expect(existsSync(join(MINIPROGRAM_ROOT, `${u}.${ext}`)), `${u}.${ext}`).toBe(true);
  });

  it('every product image the sample catalogue names is in the mini program', () => {
    const shop = require(join(PROJECT, 'cloudfunctions/order/shop.js')) as { catalogue: Record<string, { image?: string }> };
    const images = Object.values(shop.catalogue).map((p) => p.image).filter((i): i is string => typeof i === 'string');
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      const file = join(MINIPROGRAM_ROOT, image);
      expect(existsSync(file), image).toBe(true);
      expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it("WeChat's own compilers accept every WXML, WXS and WXSS file (syntax errors would fail here)", () => {
    if (process.platform === 'linux' && process.arch === 'x64') expect(compilerInUse()).toBe('official');
    const compiler = require('miniprogram-compiler') as { wxmlToJs(root: string): string; wxssToJs(root: string): string };
    expect(compiler.wxmlToJs(MINIPROGRAM_ROOT)).toContain('$gwx');
    expect(compiler.wxssToJs(MINIPROGRAM_ROOT).length).toBeGreaterThan(1000);
  });

  it('page code is plain mini program JavaScript: no npm, no build step, no syntax newer than the runtime takes', () => {
    const sources = files(MINIPROGRAM_ROOT).filter((f) => f.endsWith('.js'));
    expect(sources.length).toBeGreaterThanOrEqual(11);
    for (const file of sources) {
      const src = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
      const name = relative(MINIPROGRAM_ROOT, file);
      expect(src, name).not.toMatch(/\b(import|export)\s/);
      expect(src, name).not.toMatch(/\basync\b|\bawait\b|\?\.|\?\?|=>/);
      for (const m of src.matchAll(/require\('([^']+)'\)/g)) expect(m[1], `${name} requires ${m[1]}`).toMatch(/^\.{1,2}\//);
    }
  });

  it('app.js initialises the cloud with the placeholder environment id and traceUser', () => {
    const stub = createWxStub();
    const mp = createMiniProgram(stub.wx);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let options: any = null;
    // app.js calls App(): evaluate it with an App stub that keeps the options.
    const src = readFileSync(join(MINIPROGRAM_ROOT, 'app.js'), 'utf8');
    // eslint-disable-next-line no-new-func
    new Function('require', 'App', 'wx', 'console', src)((p: string) => mp.require(p), (o: unknown) => (options = o), stub.wx, console);
    options.onLaunch.call(options);
    expect(stub.wx.cloud.init).toHaveBeenCalledWith({ env: 'YOUR-CLOUD-ENV-ID', traceUser: true });
    expect(warn.mock.calls[0]![0]).toContain('envId');
    expect(options.globalData.cart.length).toBeGreaterThan(0);
    warn.mockRestore();
  });
});
