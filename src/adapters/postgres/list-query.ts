import type { NormalizedListQuery } from '../../storage/codec.js';
import type { Statements } from './statements.js';

/**
 * The `list` statement for one query. Only the filters in use are written into the WHERE clause,
 * so the planner sees a plain `customer_id = $1 … ORDER BY created_at, id` and walks the matching
 * index; the cursor is a row comparison on (created_at, id), the index's own order.
 */
export function buildListQuery(sql: Statements, q: NormalizedListQuery): { text: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (q.customerId !== null) where.push(`o.customer_id = ${param(q.customerId)}`);
  if (q.statuses !== null) {
    where.push(q.statuses.length === 1 ? `o.status = ${param(q.statuses[0])}` : `o.status = ANY(${param(q.statuses)}::text[])`);
  }
  if (q.from !== null) where.push(`o.created_at >= ${param(q.from.toISOString())}`);
  if (q.to !== null) where.push(`o.created_at < ${param(q.to.toISOString())}`);
  const direction = q.newestFirst ? 'DESC' : 'ASC';
  if (q.after !== null) {
    const cmp = q.newestFirst ? '<' : '>';
    where.push(`(o.created_at, o.id) ${cmp} (${param(new Date(q.after.t).toISOString())}::timestamptz, ${param(q.after.id)}::text)`);
  }
  const text =
    `SELECT ${sql.listColumns} FROM ${sql.orders} o` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY o.created_at ${direction}, o.id ${direction} LIMIT ${param(q.limit + 1)}`;
  return { text, params };
}
