import { OrderkitError } from '../errors/orderkit-error.js';

/**
 * The two options every order view needs, checked before anything reads them: a view called
 * without `actor` (who looks decides the buttons) or with a `now` that is not a valid Date throws
 * a typed INVALID_VIEW_OPTIONS naming the field, instead of a TypeError from deep inside.
 *
 * @example
 * checkViewOptions({ now: new Date() }, 'orderView') // throws INVALID_VIEW_OPTIONS at ['actor']
 */
export function checkViewOptions(options: unknown, view: string): void {
  if (options === null || typeof options !== 'object') {
    throw invalid([], `${view}(order, options)：缺少 options（需要 actor 和 now）`, `${view}(order, options): options are missing (actor and now are required)`);
  }
  const { actor, now } = options as { actor?: unknown; now?: unknown };
  if (actor === null || typeof actor !== 'object' || typeof (actor as { type?: unknown }).type !== 'string') {
    throw invalid(
      ['actor'],
      `${view}：缺少 actor（查看订单的人，例如 { type: 'customer', id: openid }；按钮由它决定）`,
      `${view}: options.actor is required (who looks at the order, e.g. { type: 'customer', id: openid }; it decides the buttons)`,
    );
  }
  if (!(now instanceof Date) || now.getTime() !== now.getTime()) {
    throw invalid(['now'], `${view}：options.now 必须是有效的 Date`, `${view}: options.now must be a valid Date`);
  }
}

function invalid(path: string[], zh: string, en: string): OrderkitError {
  return new OrderkitError({ code: 'INVALID_VIEW_OPTIONS', message: { 'zh-CN': zh, en }, path });
}
