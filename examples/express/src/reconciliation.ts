/**
 * The daily WeChat Pay reconciliation (对账) of the example: once a day, after WeChat Pay has made
 * the previous day's bills (from 10:00 Beijing time), download them, compare them with the orders
 * and the refund ledger through orderkit, and keep the report for the dashboard and
 * `GET /reconciliation`. A merchant may also post a day's bill text by hand
 * (`POST /reconciliation/:billDate`), e.g. one downloaded from the merchant platform.
 *
 * Reports are kept in memory here (the last 30 days); a real shop stores them with its orders.
 * Running the same day again is safe: every command orderkit sends is idempotent.
 */
import { formatInTimeZone } from 'date-fns-tz';
import { z } from 'zod';
import { actorFromRequest } from './actor.js';
import type { AppContext } from './context.js';
import { param, parseBody, type Route } from './http.js';
import { OrderkitError, type Clock, type OrderService } from './orderkit/index.js';
import {
  downloadWechatPayBills,
  formatReconciliationReport,
  reconcileWechatPayDay,
  type ReconciliationReport,
  type WechatPayRequest,
} from './orderkit/wechatpay.js';

export class Reconciliations {
  private readonly reports = new Map<string, ReconciliationReport>();

  record(report: ReconciliationReport): void {
    this.reports.set(report.billDate, report);
    const days = [...this.reports.keys()].sort();
    while (days.length > 30) this.reports.delete(days.shift()!);
  }

  has(billDate: string): boolean {
    return this.reports.has(billDate);
  }

  /** Newest bill day first. */
  list(): ReconciliationReport[] {
    return [...this.reports.values()].sort((a, b) => (a.billDate < b.billDate ? 1 : -1));
  }

  latest(): ReconciliationReport | null {
    return this.list()[0] ?? null;
  }
}

/** What the dashboard shows of a report: the counts, the findings and the text in both languages. */
export function reportView(report: ReconciliationReport | null) {
  if (report === null) return null;
  return { ...report, text: { 'zh-CN': formatReconciliationReport(report, 'zh-CN'), en: formatReconciliationReport(report, 'en') } };
}

const BillBodySchema = z.strictObject({
  tradeBill: z.string().min(1).max(5_000_000),
  fundFlowBill: z.string().min(1).max(5_000_000).optional(),
});

function notConfigured(): OrderkitError {
  return new OrderkitError({ code: 'NOT_CONFIGURED', message: { 'zh-CN': '未配置微信支付商户号，无法对账', en: 'WeChat Pay is not configured: nothing to reconcile' } });
}

function merchantOnly(ctx: AppContext, req: Parameters<Route['handler']>[0]): void {
  const actor = actorFromRequest(req);
  if (actor.type !== 'merchant') {
    throw new OrderkitError({ code: 'FORBIDDEN', message: { 'zh-CN': '只有商家可以查看对账', en: 'only the merchant may see the reconciliation' } });
  }
  void ctx;
}

export function reconciliationRoutes(ctx: AppContext, reconciliations: Reconciliations): Route[] {
  return [
    {
      doc: {
        method: 'get',
        path: '/reconciliation',
        operationId: 'listReconciliations',
        summary: 'Daily WeChat Pay reconciliation reports 对账报告',
        description: 'The reports of the last 30 bill days, newest first, each with its text in zh-CN and en.',
        tags: ['payments'],
        actors: 'merchant',
        success: { status: 200, description: '{ reports }' },
        errors: [401, 403],
      },
      handler: (req, res) => {
        merchantOnly(ctx, req);
        res.json({ reports: reconciliations.list().map(reportView) });
      },
    },
    {
      doc: {
        method: 'post',
        path: '/reconciliation/:billDate',
        operationId: 'reconcileDay',
        summary: "Reconcile a day from its bills 按账单对账",
        description:
          'Admin only: a bill posted by hand is not hash-checked, and it marks the orders it lists paid. Body { tradeBill, fundFlowBill? }: the bill files as WeChat Pay writes them. Lost payments are applied (or kept as stray payments and refunded), refunds recorded, the rest flagged. Safe to repeat. A malformed, altered, foreign or other-day bill is refused and changes nothing.',
        tags: ['payments'],
        actors: 'admin',
        body: BillBodySchema,
        success: { status: 200, description: 'The report' },
        errors: [400, 401, 403, 422, 503],
      },
      handler: async (req, res) => {
        merchantOnly(ctx, req);
        if (!ctx.wechatpay) throw notConfigured();
        const body = parseBody(BillBodySchema, req);
        const r = await reconcileWechatPayDay(ctx.service, {
          billDate: param(req, 'billDate'),
          mchid: ctx.wechatpay.mchid,
          tradeBill: body.tradeBill,
          ...(body.fundFlowBill !== undefined ? { fundFlowBill: body.fundFlowBill } : {}),
          now: ctx.clock.now(),
        });
        if (!r.ok) throw r.error;
        reconciliations.record(r.report);
        res.json(reportView(r.report));
      },
    },
  ];
}

export interface DailyReconciliationOptions {
  service: OrderService;
  reconciliations: Reconciliations;
  mchid: string;
  send: (request: WechatPayRequest) => Promise<unknown>;
  download: (request: WechatPayRequest) => Promise<Buffer>;
  clock: Clock;
  log: (message: string) => void;
  /** How often to check whether yesterday still needs reconciling. Default one hour. */
  everyMs?: number;
}

/** Yesterday's shop day in Beijing time, once WeChat Pay's bills for it exist (10:00), else null. */
export function dueBillDate(now: Date): string | null {
  if (Number(formatInTimeZone(now, 'Asia/Shanghai', 'H')) < 10) return null;
  return formatInTimeZone(new Date(now.getTime() - 86_400_000), 'Asia/Shanghai', 'yyyy-MM-dd');
}

/** Downloads and reconciles one day; logs the outcome in both languages' counts. */
export async function reconcileOnce(options: DailyReconciliationOptions, billDate: string): Promise<ReconciliationReport | null> {
  const bills = await downloadWechatPayBills({ billDate, send: options.send, download: options.download });
  if (!bills.ok) {
    options.log(`reconciliation ${billDate}: ${bills.error.code} ${bills.error.messages.en}`);
    return null;
  }
  const r = await reconcileWechatPayDay(options.service, { billDate, mchid: options.mchid, ...bills, now: options.clock.now() });
  if (!r.ok) {
    options.log(`reconciliation ${billDate}: ${r.error.code} ${r.error.messages.en}`);
    return null;
  }
  options.reconciliations.record(r.report);
  options.log(formatReconciliationReport(r.report, 'en').split('\n').slice(0, 3).join(' · '));
  return r.report;
}

/** The daily timer: checks every hour, reconciles yesterday once its bills exist. */
export function startDailyReconciliation(options: DailyReconciliationOptions): { stop(): void } {
  let busy = false;
  const tick = () => {
    const day = dueBillDate(options.clock.now());
    if (busy || day === null || options.reconciliations.has(day)) return;
    busy = true;
    reconcileOnce(options, day)
      .catch((e: unknown) => options.log(`reconciliation failed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        busy = false;
      });
  };
  const timer = setInterval(tick, options.everyMs ?? 3_600_000);
  timer.unref();
  tick();
  return { stop: () => clearInterval(timer) };
}
