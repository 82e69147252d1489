import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/index.js';
import type { AppContext } from '../context.js';
import { parseBody, parseQuery, type Route } from '../http.js';
import { ORDER_STATUSES, OrderkitError, type Order } from '../orderkit/index.js';
import { maskAddress, orderView } from '../views.js';
import { PUBLIC_DIR } from './dashboard.js';

/** htm + preact in one file from node_modules: the console loads nothing from the internet. */
const HTM_PREACT = join(dirname(createRequire(import.meta.url).resolve('htm')), '..', 'preact', 'standalone.module.js');
const SEND_OPTIONS = { dotfiles: 'allow' } as const;

/** How many recent orders a console search reads at most (the example filters in memory; docs/express.md). */
export const SCAN_LIMIT = 5000;

const ConsoleQuerySchema = z.strictObject({
  status: z.enum(ORDER_STATUSES).optional(),
  /** Order number (exact or prefix). */
  number: z.string().max(40).optional(),
  /** Phone, full or its last four digits. */
  phone: z.string().regex(/^\+?\d{4,20}$/).optional(),
  sku: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** Only orders with an after-sale still to be worked on (the after-sale queue). */
  afterSales: z.enum(['open']).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  /** Admin only, for the CSV export: phones and addresses in full. */
  full: z.enum(['1']).optional(),
});
type ConsoleQuery = z.infer<typeof ConsoleQuerySchema>;

const OPEN_AFTER_SALE = new Set(['requested', 'approved', 'awaiting_return', 'returned', 'refunding']);

function matches(o: Order, q: ConsoleQuery): boolean {
  if (q.number && !o.number.startsWith(q.number) && o.id !== q.number) return false;
  if (q.phone && !(o.address && (o.address.phone === q.phone || (q.phone.length === 4 && o.address.phone.endsWith(q.phone))))) return false;
  if (q.sku && !o.lines.some((l) => l.sku === q.sku)) return false;
  if (q.afterSales && !o.afterSales.some((a) => OPEN_AFTER_SALE.has(a.status))) return false;
  return true;
}

/** Recent orders matching the search, newest first, and the count per status over the same search. */
async function search(ctx: AppContext, q: ConsoleQuery): Promise<{ items: Order[]; counts: Record<string, number>; scanned: number; truncated: boolean }> {
  const counts: Record<string, number> = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0]));
  const items: Order[] = [];
  const limit = q.limit ?? 50;
  let cursor: string | undefined;
  let scanned = 0;
  do {
    const page = await ctx.service.list({ limit: 200, ...(cursor ? { cursor } : {}), ...(q.from ? { from: new Date(q.from) } : {}), ...(q.to ? { to: new Date(q.to) } : {}) });
    for (const o of page.items) {
      scanned++;
      if (!matches(o, q)) continue;
      counts[o.status] = (counts[o.status] ?? 0) + 1;
      if ((!q.status || o.status === q.status) && items.length < limit) items.push(o);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor && scanned < SCAN_LIMIT);
  return { items, counts, scanned, truncated: cursor !== undefined };
}

const CSV_HEADER = ['number', 'status', 'createdAt', 'paidAt', 'customerId', 'name', 'phone', 'region', 'address', 'skus', 'total_fen', 'paid_fen', 'refunded_fen', 'trackingNo'];

/** One CSV field: quoted when needed, and never read as a formula by a spreadsheet. */
export function csvField(value: unknown): string {
  let s = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvRow(o: Order, full: boolean): string {
  const a = o.address ? (full ? o.address : maskAddress(o.address)) : undefined;
  const refunded = o.refunds.filter((r) => r.status === 'succeeded').reduce((s, r) => s + r.amount, 0);
  return [
    o.number,
    o.status,
    o.createdAt,
    o.paidAt ?? '',
    o.customerId,
    a?.name,
    a?.phone,
    a ? `${a.province}${a.city}${a.district}` : '',
    a?.detail,
    o.lines.map((l) => `${l.sku}×${l.quantity}`).join(' '),
    o.pricing.total,
    o.payment.paidAmount,
    refunded,
    o.shipments.map((s) => s.trackingNo ?? '').filter(Boolean).join(' '),
  ]
    .map(csvField)
    .join(',');
}

const ImportBodySchema = z.strictObject({ csv: z.string().min(1).max(200_000) });
const MAX_IMPORT_ROWS = 500;

interface ImportRow {
  row: number;
  number: string;
  trackingNo: string;
  expressCompany: string;
}

/** Splits one CSV line (quotes allowed); the import format is `number,trackingNo,expressCompany`. */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

function refusal(row: number, number: string, code: string, zh: string, en: string) {
  return { row, number, code, messages: { 'zh-CN': zh, en } };
}

function csvError(zh: string, en: string): OrderkitError {
  return new OrderkitError({ code: 'INVALID_CSV', message: { 'zh-CN': zh, en }, path: ['body', 'csv'] });
}

export function consoleRoutes(ctx: AppContext): Route[] {
  const file = (path: string, type: string): RequestHandler => (_req, res) => {
    res.type(type).set('Cache-Control', 'no-cache').sendFile(path, SEND_OPTIONS);
  };
  const page = (path: string, operationId: string, summary: string, filePath: string, type: string): Route => ({
    access: 'public',
    doc: { method: 'get', path, operationId, summary, tags: ['console'], success: { status: 200, description: type, schema: 'Text' }, errors: [] },
    handler: file(filePath, type),
  });
  const viewer = (req: Request) => {
    const p = principalOf(req)!;
    return { type: 'merchant' as const, id: p.id, roles: p.role === 'admin' ? ['staff', 'admin'] : ['staff'] };
  };
  return [
    page('/console', 'consolePage', 'Order console 订单管理后台', join(PUBLIC_DIR, 'console.html'), 'html'),
    page('/console/console.js', 'consoleScript', 'Console script 后台脚本', join(PUBLIC_DIR, 'console.js'), 'js'),
    page('/console/console.css', 'consoleStyles', 'Console styles 后台样式', join(PUBLIC_DIR, 'console.css'), 'css'),
    page('/vendor/htm-preact.js', 'htmPreactScript', 'htm + preact (from node_modules) 界面库', HTM_PREACT, 'js'),
    {
      access: 'staff',
      doc: {
        method: 'get',
        path: '/console/orders',
        operationId: 'consoleOrders',
        summary: 'Console order search 后台订单查询',
        description: `Newest first; by status, order number, phone (full or last four digits), SKU and date range, with the count per status over the same search. Reads at most the ${SCAN_LIMIT} most recent orders of the range. Addresses are masked.`,
        tags: ['console'],
        query: ConsoleQuerySchema,
        success: { status: 200, description: '{ items, counts, scanned, truncated }', schema: 'Any' },
        errors: [400, 401, 403],
      },
      handler: async (req, res) => {
        const q = parseQuery(ConsoleQuerySchema, req);
        const found = await search(ctx, q);
        const who = viewer(req);
        res.json({ ...found, items: found.items.map((o) => orderView(o, who, { masked: true })) });
      },
    },
    {
      access: 'staff',
      doc: {
        method: 'get',
        path: '/console/orders.csv',
        operationId: 'consoleExport',
        summary: 'CSV export of the current list 导出订单 CSV',
        description: 'The same search as /console/orders (up to 5,000 rows), UTF-8 with BOM for Excel. Phones and addresses masked; `full=1` (admin only) gives them in full.',
        tags: ['console'],
        query: ConsoleQuerySchema,
        success: { status: 200, description: 'text/csv', schema: 'Text' },
        errors: [400, 401, 403],
      },
      handler: async (req, res) => {
        const q = parseQuery(ConsoleQuerySchema, req);
        const full = q.full === '1';
        if (full && principalOf(req)?.role !== 'admin') {
          throw new OrderkitError({ code: 'FORBIDDEN', message: { 'zh-CN': '只有管理员可以导出完整手机号和地址', en: 'only an admin may export full phones and addresses' }, path: ['query', 'full'] });
        }
        const all = await searchAll(ctx, q);
        const lines = [CSV_HEADER.join(','), ...all.map((o) => csvRow(o, full))];
        ctx.log(`console export by ${principalOf(req)!.id}: ${all.length} orders${full ? ' (full personal data)' : ''}`);
        res
          .type('text/csv; charset=utf-8')
          .set('Content-Disposition', 'attachment; filename="orders.csv"')
          .send(`\uFEFF${lines.join('\r\n')}\r\n`);
      },
    },
    {
      access: 'staff',
      doc: {
        method: 'post',
        path: '/console/ship-import',
        operationId: 'consoleShipImport',
        summary: 'Ship many by CSV 批量发货导入',
        description: `Body { csv }: a header line \`number,trackingNo,expressCompany\` then one order per line (at most ${MAX_IMPORT_ROWS}). Each good row ships its order (SHIP, every unshipped line); each refused row is reported with its line number, code and reason, and changes nothing. 422 INVALID_CSV when the file itself is unreadable or no row could ship.`,
        tags: ['console'],
        body: ImportBodySchema,
        success: { status: 200, description: '{ shipped: [{row, number}], refused: [{row, number, code, messages}] }', schema: 'Any' },
        errors: [400, 401, 403, 422],
      },
      handler: async (req, res) => {
        const { csv } = parseBody(ImportBodySchema, req);
        const lines = csv.replace(/^\uFEFF/, '').split(/\r?\n/);
        const header = splitCsvLine(lines[0] ?? '').map((h) => h.toLowerCase());
        const at = (name: string) => header.indexOf(name.toLowerCase());
        if (at('number') < 0 || at('trackingNo') < 0 || at('expressCompany') < 0) {
          throw csvError('第一行须为表头：number,trackingNo,expressCompany', 'the first line must be the header number,trackingNo,expressCompany');
        }
        const rows: ImportRow[] = [];
        for (let i = 1; i < lines.length; i++) {
          if (lines[i]!.trim() === '') continue;
          const cells = splitCsvLine(lines[i]!);
          rows.push({ row: i + 1, number: cells[at('number')] ?? '', trackingNo: cells[at('trackingNo')] ?? '', expressCompany: cells[at('expressCompany')] ?? '' });
        }
        if (rows.length === 0) throw csvError('文件中没有数据行', 'the file has no data rows');
        if (rows.length > MAX_IMPORT_ROWS) throw csvError(`一次最多导入 ${MAX_IMPORT_ROWS} 行`, `at most ${MAX_IMPORT_ROWS} rows per import`);
        const actor = viewer(req);
        const shipped: Array<{ row: number; number: string }> = [];
        const refused: ReturnType<typeof refusal>[] = [];
        const seen = new Set<string>();
        for (const r of rows) {
          if (r.number === '') {
            refused.push(refusal(r.row, r.number, 'MISSING_NUMBER', '缺少订单号', 'no order number'));
            continue;
          }
          if (seen.has(r.number)) {
            refused.push(refusal(r.row, r.number, 'DUPLICATE_ROW', '同一订单在文件中出现多次', 'the same order appears twice in the file'));
            continue;
          }
          seen.add(r.number);
          if (r.trackingNo === '' || r.trackingNo.length > 128 || r.expressCompany === '' || r.expressCompany.length > 64) {
            refused.push(refusal(r.row, r.number, 'INVALID_TRACKING', '快递单号或快递公司缺失或过长', 'tracking number or carrier missing or too long'));
            continue;
          }
          const order = (await ctx.store.findByNumber(r.number)) ?? (await ctx.service.get(r.number));
          if (!order) {
            refused.push(refusal(r.row, r.number, 'ORDER_NOT_FOUND', '找不到该订单', 'no such order'));
            continue;
          }
          const result = await ctx.service.dispatch(order.id, { type: 'SHIP', trackingNo: r.trackingNo, expressCompany: r.expressCompany }, actor, {
            // A re-imported file ships nothing twice.
            idempotencyKey: `ship-import:${order.id}:${r.trackingNo}`,
          });
          if (result.ok) shipped.push({ row: r.row, number: r.number });
          else refused.push(refusal(r.row, r.number, result.error.code, result.error.messages['zh-CN'], result.error.messages.en));
        }
        if (shipped.length === 0) {
          throw new OrderkitError({
            code: 'INVALID_CSV',
            message: { 'zh-CN': '没有可以发货的行', en: 'no row could be shipped' },
            path: ['body', 'csv'],
            details: { shipped, refused },
          });
        }
        res.json({ shipped, refused });
      },
    },
  ];
}

async function searchAll(ctx: AppContext, q: ConsoleQuery): Promise<Order[]> {
  const out: Order[] = [];
  let cursor: string | undefined;
  let scanned = 0;
  do {
    const page = await ctx.service.list({ limit: 200, ...(cursor ? { cursor } : {}), ...(q.from ? { from: new Date(q.from) } : {}), ...(q.to ? { to: new Date(q.to) } : {}) });
    for (const o of page.items) {
      scanned++;
      if (matches(o, q) && (!q.status || o.status === q.status)) out.push(o);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor && scanned < SCAN_LIMIT);
  return out;
}
