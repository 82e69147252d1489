/**
 * A stand-in for the `wx` global of the mini program runtime, for page tests. Every API is a
 * vitest mock with a happy default that a test can replace (`wx.requestPayment.mockImplementation`)
 * and inspect (`wx.cloud.callFunction.mock.calls`). Test double: nothing here talks to WeChat.
 */
import { vi } from 'vitest';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** Answers one `order` function call: the event data in, the function's result out. */
export type OrderFunctionHandler = (data: Record<string, unknown>) => unknown | Promise<unknown>;

export interface Watcher {
  collection: string;
  docId: string;
  /** The `where` condition the page watched (null for `doc(id).watch()`). */
  condition: Record<string, unknown> | null;
  onChange: (snapshot: Any) => void;
  onError: (err: unknown) => void;
  closed: boolean;
}

export interface WxStub {
  wx: Any;
  /** `data` of every callFunction call, in order. */
  calls(): Array<Record<string, unknown>>;
  /** Actions of every callFunction call, in order. */
  actions(): string[];
  watchers: Watcher[];
  /** Replaces the `order` function's behaviour. */
  handle(handler: OrderFunctionHandler): void;
}

export function createWxStub(handler: OrderFunctionHandler = () => ({ ok: true })): WxStub {
  let current = handler;
  const watchers: Watcher[] = [];
  const callFunction = vi.fn(async (req: { name: string; data: Record<string, unknown> }) => {
    if (req.name !== 'order') throw new Error(`no cloud function ${req.name}`);
    return { result: await current(req.data), requestID: 'stub', errMsg: 'cloud.callFunction:ok' };
  });
  const watch = (collection: string, docId: string, condition: Record<string, unknown> | null, options: { onChange: (s: Any) => void; onError: (e: unknown) => void }) => {
    const w: Watcher = { collection, docId, condition, onChange: options.onChange, onError: options.onError, closed: false };
    watchers.push(w);
    return {
      close: vi.fn(async () => {
        w.closed = true;
      }),
    };
  };
  const database = vi.fn(() => ({
    collection: (collection: string) => ({
      doc: (docId: string) => ({ watch: (options: Any) => watch(collection, docId, null, options) }),
      where: (condition: Record<string, unknown>) => ({ watch: (options: Any) => watch(collection, String(condition._id), condition, options) }),
    }),
  }));
  const wx = {
    cloud: { init: vi.fn(), callFunction, database },
    requestPayment: vi.fn((o: Any) => o.success?.({ errMsg: 'requestPayment:ok' })),
    requestSubscribeMessage: vi.fn((o: Any) => {
      const res: Record<string, string> = { errMsg: 'requestSubscribeMessage:ok' };
      for (const id of o.tmplIds as string[]) res[id] = 'accept';
      o.success?.(res);
    }),
    showToast: vi.fn(),
    showModal: vi.fn((o: Any) => o.success?.({ confirm: true, cancel: false })),
    navigateTo: vi.fn(),
    redirectTo: vi.fn(),
    navigateBack: vi.fn(),
    stopPullDownRefresh: vi.fn(),
    setClipboardData: vi.fn(),
    chooseAddress: vi.fn((o: Any) =>
      o.success?.({
        userName: '张三',
        telNumber: '13800001234',
        provinceName: '广东省',
        cityName: '深圳市',
        countyName: '南山区',
        detailInfo: '科技园路 1 号',
        postalCode: '518000',
      }),
    ),
  };
  return {
    wx,
    calls: () => callFunction.mock.calls.map((c) => c[0].data),
    actions: () => callFunction.mock.calls.map((c) => String(c[0].data.action)),
    watchers,
    handle(h) {
      current = h;
    },
  };
}

/** The last toast's title. */
export function lastToast(wx: Any): string | undefined {
  const calls = wx.showToast.mock.calls;
  return calls.length ? calls[calls.length - 1][0].title : undefined;
}
