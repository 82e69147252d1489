import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { CloudDatabase } from '../../../src/adapters/wx-cloud/index.js';

/**
 * Runs the example cloud functions as deployed: their own index.js / handler.js files, with
 * `wx-orderkit` resolved to this repository's CommonJS build (dist/*.cjs, which `npm test` rebuilds
 * when stale) and `wx-server-sdk` replaced by a stub whose database is the cloud database TEST
 * DOUBLE and whose openapi / cloudPay calls are recorded.
 */
const root = resolve(__dirname, '../../..');
const functionsDir = join(root, 'examples/cloud-functions/cloudfunctions');
const require_ = createRequire(import.meta.url);

const DIST: Record<string, string> = {
  'wx-orderkit': join(root, 'dist/index.cjs'),
  'wx-orderkit/wechatpay': join(root, 'dist/wechatpay.cjs'),
  'wx-orderkit/wx-cloud': join(root, 'dist/wx-cloud.cjs'),
  'wx-orderkit/advanced': join(root, 'dist/advanced.cjs'),
  'wx-orderkit/tracking': join(root, 'dist/tracking.cjs'),
};

export function assertBuilt(): void {
  for (const file of Object.values(DIST)) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (npm test builds when dist is stale)`);
  }
}

/** orderkit's CommonJS entry points, as a deployed function gets them. */
export function orderkitBuild() {
  assertBuilt();
  return {
    orderkit: require_(DIST['wx-orderkit']!),
    wechatpay: require_(DIST['wx-orderkit/wechatpay']!),
    wxCloud: require_(DIST['wx-orderkit/wx-cloud']!),
  };
}

/** Loads `cloudfunctions/<name>/<file>` fresh, with the require hook in place while it loads. */
export function loadFunctionFile(name: string, file: string, wxServerSdk: unknown): any {
  assertBuilt();
  const dir = join(functionsDir, name);
  for (const key of Object.keys(require_.cache)) if (key.startsWith(dir)) delete require_.cache[key];
  const M = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = M._load;
  M._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === 'wx-server-sdk') return wxServerSdk;
    if (DIST[request]) return original.call(this, DIST[request]!, parent, isMain);
    return original.call(this, request, parent, isMain);
  };
  try {
    return require_(join(dir, file));
  } finally {
    M._load = original;
  }
}

export interface WxContext {
  OPENID?: string;
  APPID?: string;
  ENV?: string;
  CLIENTIP?: string;
  SOURCE?: string;
}

/** A stand-in for the `cloud` object of wx-server-sdk: the parts the examples use, recorded. */
export function stubCloud(db: CloudDatabase) {
  let context: WxContext = {};
  const calls = {
    subscribeMessage: [] as unknown[],
    uploadShippingInfo: [] as unknown[],
    unifiedOrder: [] as unknown[],
    refund: [] as unknown[],
    closeOrder: [] as unknown[],
    queryOrder: [] as unknown[],
  };
  const behaviour = {
    subscribeMessage: async (_p: unknown): Promise<unknown> => ({ errcode: 0, errmsg: 'openapi.subscribeMessage.send:ok' }),
    queryOrder: async (_p: unknown): Promise<unknown> => ({ returnCode: 'SUCCESS', resultCode: 'SUCCESS', tradeState: 'NOTPAY' }),
  };
  let transactions = 0;
  const cloud = {
    DYNAMIC_CURRENT_ENV: Symbol('DYNAMIC_CURRENT_ENV'),
    initialised: null as unknown,
    init(options: unknown) {
      cloud.initialised = options;
    },
    database: () => db,
    getWXContext: () => ({ ENV: 'test-env-1a2b', APPID: 'wxd678efh567hg6787', ...context }),
    openapi: {
      subscribeMessage: {
        send: async (p: unknown) => {
          calls.subscribeMessage.push(p);
          return behaviour.subscribeMessage(p);
        },
      },
      wxa: {
        sec: {
          order: {
            uploadShippingInfo: async (p: unknown) => {
              calls.uploadShippingInfo.push(p);
              return { errcode: 0, errmsg: 'ok' };
            },
          },
        },
      },
    },
    cloudPay: {
      unifiedOrder: async (p: { nonceStr: string }) => {
        calls.unifiedOrder.push(p);
        return {
          returnCode: 'SUCCESS',
          resultCode: 'SUCCESS',
          payment: { appId: 'wxd678efh567hg6787', timeStamp: '1764043200', nonceStr: p.nonceStr, package: `prepay_id=wx${++transactions}`, signType: 'MD5', paySign: 'stub' },
        };
      },
      refund: async (p: unknown) => {
        calls.refund.push(p);
        return { returnCode: 'SUCCESS', resultCode: 'SUCCESS' };
      },
      closeOrder: async (p: unknown) => {
        calls.closeOrder.push(p);
        return { returnCode: 'SUCCESS', resultCode: 'SUCCESS' };
      },
      queryOrder: async (p: unknown) => {
        calls.queryOrder.push(p);
        return behaviour.queryOrder(p);
      },
    },
  };
  return {
    cloud,
    calls,
    behaviour,
    /** Sets what `getWXContext()` reports for the next invocations. */
    as(ctx: WxContext) {
      context = ctx;
    },
  };
}
