import type * as FastCheck from 'fast-check';
import { OrderkitError } from '../errors/orderkit-error.js';

/** The fast-check API the contract's model-based test uses. */
export type FastCheckApi = typeof FastCheck;

let loading: Promise<FastCheckApi> | undefined;

/**
 * fast-check, loaded when the model-based test first runs rather than when `wx-orderkit/testing` is
 * imported: it is an optional peer dependency (a dev dependency of the user's project), so a
 * project without it gets MISSING_PEER_DEPENDENCY naming the package and the command that installs
 * it, instead of MODULE_NOT_FOUND from inside our bundle.
 */
export function loadFastCheck(): Promise<FastCheckApi> {
  loading ??= import('fast-check').then(
    (mod) => {
      // ESM gives the namespace; the CommonJS build's interop may put the API under `default`.
      const candidate = mod as FastCheckApi & { default?: FastCheckApi };
      return typeof candidate.asyncProperty === 'function' ? candidate : (candidate.default as FastCheckApi);
    },
    (cause: unknown) => {
      loading = undefined;
      throw isNotFound(cause, 'fast-check') ? missingPeer('fast-check', 'wx-orderkit/testing', cause) : cause;
    },
  );
  return loading;
}

function isNotFound(error: unknown, name: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = e?.code;
  return (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && String(e?.message ?? '').includes(name);
}

/** The typed error for an optional peer dependency that is not installed. */
export function missingPeer(name: string, subpath: string, cause?: unknown): OrderkitError {
  return new OrderkitError({
    code: 'MISSING_PEER_DEPENDENCY',
    message: {
      'zh-CN': `${subpath} 需要安装可选的对等依赖 ${name}：npm install --save-dev ${name}`,
      en: `${subpath} needs the optional peer dependency ${name}: npm install --save-dev ${name}`,
    },
    details: { package: name, subpath, cause: cause instanceof Error ? cause.message : String(cause) },
  });
}
