/**
 * Acting as a shopper and as the mini program runtime around the pages (issue 24, item 6): pages
 * are opened the way the runtime opens them (pushed on the page stack `getCurrentPages()` reads,
 * then `onLoad(query)` and `onShow()`), pull-down works only when the page's JSON enables it, and
 * fields are filled by firing the component events a finger would (input, picker change, tap).
 */
import { settle, type MiniProgram } from './harness.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/**
 * Opens `route` with `query` as the runtime does: onto the stack, then onLoad and, in the same
 * turn, onShow (the runtime does not wait for what onLoad started).
 */
export async function openPage(mp: MiniProgram, route: string, query: Record<string, string> = {}): Promise<Any> {
  const page = mp.page(route);
  mp.stack.push({ route, options: query });
  page.route = route;
  const loading = page.instance.onLoad?.(query);
  const showing = page.instance.onShow?.();
  await Promise.all([loading, showing]);
  await settle();
  return page;
}

/** The runtime brings a page back to the foreground (after navigateBack, or the app returning). */
export async function showAgain(page: Any): Promise<void> {
  await page.instance.onShow?.();
  await settle();
}

/**
 * A pull-down gesture: the runtime calls onPullDownRefresh only when the page's JSON (or app.json's
 * window) sets enablePullDownRefresh; otherwise nothing happens and this says so.
 */
export async function pullDown(page: Any): Promise<void> {
  if (page.json?.enablePullDownRefresh !== true) throw new Error('pull-down refresh is not enabled in the page JSON: the gesture would do nothing');
  await page.instance.onPullDownRefresh();
  await settle();
}

/** Types into an <input>/<textarea>: its bindinput fires with `detail.value`. */
export async function typeInto(node: Any, value: string): Promise<void> {
  if (!node) throw new Error('no field to type into');
  node.dispatchEvent('input', { detail: { value } });
  await settle();
}

/** Picks row `index` of a <picker>: its bindchange fires with `detail.value` as the runtime sends it (a string). */
export async function pick(node: Any, index: number): Promise<void> {
  if (!node) throw new Error('no picker');
  node.dispatchEvent('change', { detail: { value: String(index) } });
  await settle();
}
