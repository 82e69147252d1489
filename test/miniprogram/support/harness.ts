/**
 * Runs the example mini program's pages and components inside miniprogram-simulate (Tencent's
 * component test tool: j-component renders WXML into the jsdom document of the vitest `jsdom`
 * environment).
 *
 * How pages are loaded (miniprogram-simulate only knows components):
 * - Each page/component .js is run the way the mini program runtime runs it: as a function of
 *   (require, module, exports, wx, Page, Component, App, getApp), in a vm of this context, with a
 *   mini-program-style `require` that resolves paths inside miniprogram/ and caches per harness.
 *   The root package is `"type": "module"`, so Node's own `require` could not load these files.
 * - `Page(options)` and `Component(options)` are stubs that capture the options. A page becomes a
 *   component definition: `data` stays data, every function (onLoad, onReachBottom, handlers)
 *   becomes a method, so `this.setData`/`this.data` behave as in a page. Tests call the page
 *   lifecycle (`onLoad(query)`, `onReachBottom()`, `onUnload()`) on `comp.instance` themselves.
 * - Templates come from WeChat's own WXML compiler (`wcc`, shipped for Linux/macOS/Windows in the
 *   `miniprogram-compiler` package that miniprogram-simulate uses): the whole miniprogram/ folder is
 *   compiled once per process, exactly as DevTools would, and each page/component gets its
 *   generated render function, `<wxs src>` modules included. A WXML or WXS syntax error therefore
 *   fails the tests. Where the binary cannot run at all, or with MINIPROGRAM_COMPILER=simulate,
 *   j-component's JavaScript compiler is used instead; it understands inline `<wxs module>` only,
 *   so `<wxs src="…" module="m" />` is replaced by the file's content first.
 * - `usingComponents` of the page's .json are loaded the same way first and passed by id.
 * - Under Node 20, jsdom's CustomEvent/Event must be the globals or a tap fails with "parameter 1
 *   is not of type 'Event'"; `installDomEvents()` does that.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const nodeRequire = createRequire(import.meta.url);

export const MINIPROGRAM_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples/cloud-functions/miniprogram');

/** Captured before any test fakes timers: lets `settle()` wait for real turns of the event loop. */
const realSetImmediate = globalThis.setImmediate;

export function installDomEvents(): void {
  const w = globalThis.window as unknown as { CustomEvent: unknown; Event: unknown };
  (globalThis as Record<string, unknown>).CustomEvent = w.CustomEvent;
  (globalThis as Record<string, unknown>).Event = w.Event;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

let simulateModule: Any = null;
/** miniprogram-simulate, loaded lazily: it needs `window` (the jsdom environment) at import. */
export function simulate(): Any {
  if (simulateModule === null) {
    installDomEvents();
    simulateModule = nodeRequire('miniprogram-simulate');
  }
  return simulateModule;
}

/** Lets every pending promise chain (a tap's handler, a stubbed cloud call) run to its end. */
export async function settle(rounds = 12): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => realSetImmediate(r));
}

let officialGwx: ((path: string) => unknown) | null | undefined;

/**
 * The render function wcc generated for `relativeWxml` (e.g. 'pages/orders/index.wxml'), or null
 * when the official compiler is unavailable here. Syntax errors are thrown, never skipped.
 */
export function officialTemplate(relativeWxml: string): unknown {
  loadOfficial();
  return officialGwx ? officialGwx(relativeWxml) : null;
}

function loadOfficial(): void {
  if (officialGwx === undefined) {
    if (process.env.MINIPROGRAM_COMPILER === 'simulate') officialGwx = null;
    else {
      try {
        const compiler = nodeRequire('miniprogram-compiler') as { wxmlToJs(root: string): string };
        // eslint-disable-next-line no-new-func
        officialGwx = new Function(compiler.wxmlToJs(MINIPROGRAM_ROOT))() as (path: string) => unknown;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message.includes('编译')) throw error; // a real WXML/WXS error in this project
        console.warn(`[miniprogram tests] the official WXML compiler cannot run here (${message}); using the simulate compiler`);
        officialGwx = null;
      }
    }
  }
}

/** Which compiler renders the templates: 'official' (wcc) or 'simulate'. */
export function compilerInUse(): 'official' | 'simulate' {
  loadOfficial();
  return officialGwx ? 'official' : 'simulate';
}

function templateFor(absNoExt: string): unknown {
  const rel = `${relative(MINIPROGRAM_ROOT, absNoExt).split(sep).join('/')}.wxml`;
  const official = officialTemplate(rel);
  if (official) return official;
  return inlineWxs(readFileSync(`${absNoExt}.wxml`, 'utf8'), dirname(absNoExt));
}

export function readSource(relativePath: string): string {
  return readFileSync(join(MINIPROGRAM_ROOT, relativePath), 'utf8');
}

/** `<wxs src="x.wxs" module="m" />` → `<wxs module="m">…source…</wxs>`, paths relative to `fromDir`. */
export function inlineWxs(template: string, fromDir: string): string {
  return template.replace(/<wxs\s+([^>]*?)\/?>(\s*<\/wxs>)?/g, (whole, attrs: string) => {
    const src = /src="([^"]+)"/.exec(attrs);
    const mod = /module="([^"]+)"/.exec(attrs);
    if (!src || !mod) return whole;
    const file = src[1]!.startsWith('/') ? join(MINIPROGRAM_ROOT, src[1]!) : resolve(fromDir, src[1]!);
    return `<wxs module="${mod[1]}">\n${readFileSync(file, 'utf8')}\n</wxs>`;
  });
}

/**
 * Runs a .wxs file as the render layer would (a JS subset with `module.exports`) and returns its
 * exports.
 */
export function loadWxs(relativePath: string): Any {
  const source = readSource(relativePath);
  const module = { exports: {} as Any };
  const fn = vm.runInThisContext(`(function (module, exports, require) {\n${source}\n})`, { filename: relativePath });
  fn(module, module.exports, () => {
    throw new Error('WXS modules in this project do not require others');
  });
  return module.exports;
}

export interface AppStub {
  globalData: Record<string, unknown>;
}

export interface MiniProgram {
  /** Loads a mini program JS module (relative to miniprogram/, without or with .js). */
  require(path: string): Any;
  /** Renders a page (e.g. 'pages/orders/index') attached to the document; its lifecycle is not run. */
  page(route: string): Any;
  /** Renders a component (e.g. 'components/order-card/index') with properties. */
  component(path: string, properties?: Record<string, unknown>): Any;
  /**
   * What `getCurrentPages()` returns to the mini program's code: `{ route, options }` entries,
   * bottom first. Empty unless a test (or support/shopper.ts) pushes pages.
   */
  stack: Array<{ route: string; options: Record<string, string> }>;
}

/**
 * A fresh mini program: its own module cache, `wx` and `getApp()`. Pass the `wx` stub every page
 * and util will see as the global `wx`.
 */
export function createMiniProgram(wx: Any, app: AppStub = { globalData: {} }): MiniProgram {
  // Pages and utils get our `wx` as a parameter; simulate (loaded on the first render) keeps its
  // own global mock for anything j-component needs.
  const cache = new Map<string, Any>();
  const componentIds = new Map<string, string>();
  let captured: { kind: 'Page' | 'Component' | 'App'; options: Any } | null = null;
  const stack: Array<{ route: string; options: Record<string, string> }> = [];

  function resolveModule(from: string, request: string): string {
    let p = request.startsWith('/') ? join(MINIPROGRAM_ROOT, request) : resolve(dirname(from), request);
    p = normalize(p);
    return p.endsWith('.js') ? p : `${p}.js`;
  }

  function runFile(file: string): Any {
    const cached = cache.get(file);
    if (cached) return cached.exports;
    const module = { exports: {} as Any };
    cache.set(file, module);
    const source = readFileSync(file, 'utf8');
    const fn = vm.runInThisContext(
      `(function (require, module, exports, wx, Page, Component, App, getApp, getCurrentPages) {\n${source}\n})`,
      { filename: file },
    );
    fn(
      (request: string) => runFile(resolveModule(file, request)),
      module,
      module.exports,
      wx,
      (options: Any) => (captured = { kind: 'Page', options }),
      (options: Any) => (captured = { kind: 'Component', options }),
      (options: Any) => (captured = { kind: 'App', options }),
      () => app,
      () => stack.slice(),
    );
    return module.exports;
  }

  function capture(file: string): { kind: string; options: Any } {
    captured = null;
    cache.delete(file); // a page/component file registers itself each time it is evaluated
    runFile(file);
    const c = captured as { kind: string; options: Any } | null;
    if (c === null) throw new Error(`${file} called neither Page() nor Component()`);
    return c;
  }

  function usingComponents(jsonFile: string): Record<string, string> {
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as { usingComponents?: Record<string, string> };
    const out: Record<string, string> = {};
    for (const [tag, p] of Object.entries(json.usingComponents ?? {})) {
      const abs = p.startsWith('/') ? join(MINIPROGRAM_ROOT, p) : resolve(dirname(jsonFile), p);
      out[tag] = registerComponent(abs, tag);
    }
    return out;
  }

  function registerComponent(absNoExt: string, tagName: string): string {
    const known = componentIds.get(absNoExt);
    if (known) return known;
    const using = usingComponents(`${absNoExt}.json`);
    const { options } = capture(`${absNoExt}.js`);
    const template = templateFor(absNoExt);
    const id = simulate().load({ ...options, template, usingComponents: using, tagName });
    componentIds.set(absNoExt, id);
    return id;
  }

  function attach(id: string, properties?: Record<string, unknown>): Any {
    const comp = simulate().render(id, properties);
    const parent = document.createElement('parent-wrapper');
    document.body.appendChild(parent);
    comp.attach(parent);
    return comp;
  }

  return {
    require: (path: string) => runFile(resolveModule(join(MINIPROGRAM_ROOT, 'app.js'), path.startsWith('/') ? path : `/${path}`)),
    page(route: string) {
      const abs = join(MINIPROGRAM_ROOT, route);
      const using = usingComponents(`${abs}.json`);
      const { kind, options } = capture(`${abs}.js`);
      if (kind !== 'Page') throw new Error(`${route} is not a page`);
      const data: Any = {};
      const methods: Any = {};
      for (const [k, v] of Object.entries(options as Record<string, unknown>)) {
        if (k === 'data') Object.assign(data, JSON.parse(JSON.stringify(v)));
        else if (typeof v === 'function') methods[k] = v;
      }
      const template = templateFor(abs);
      const id = simulate().load({ template, data, methods, usingComponents: using });
      const comp = attach(id);
      // The page's own settings (enablePullDownRefresh…), for tests that act as the runtime would.
      comp.json = JSON.parse(readFileSync(`${abs}.json`, 'utf8'));
      return comp;
    },
    component(path: string, properties?: Record<string, unknown>) {
      const abs = join(MINIPROGRAM_ROOT, path);
      return attach(registerComponent(abs, path.split('/').slice(-2, -1)[0] ?? 'comp'), properties);
    },
    stack,
  };
}

/** Nodes of a rendered tree whose `data-key` is `key` (buttons are told apart by their key). */
export function byKey(nodes: Any[], key: string): Any[] {
  return nodes.filter((n) => n.dom.getAttribute('data-key') === key);
}

/** The text of a node, whitespace collapsed. */
export function text(node: Any): string {
  return String(node?.dom?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * The text of a node without any whitespace: the two compilers differ in the spaces they keep
 * between inline elements, so rows of several parts are compared this way.
 */
export function flat(node: Any): string {
  return String(node?.dom?.textContent ?? '').replace(/\s+/g, '');
}

/** Taps a node and waits for its handler's promise chain to finish. */
export async function tap(node: Any): Promise<void> {
  if (!node) throw new Error('nothing to tap');
  node.dispatchEvent('tap');
  await settle();
}
