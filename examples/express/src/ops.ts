import type { RequestHandler } from 'express';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import client from 'prom-client';
import { principalOf } from './auth/index.js';
import type { Route } from './http.js';
import { isVersionConflict, OrderkitError, type OrderStore } from './orderkit/index.js';
import { openStreams } from './sse.js';
import { maskPhone } from './views.js';

/** Mainland mobile numbers inside free text (a log line, an error message): masked before writing. */
const PHONE_IN_TEXT = /(?<!\d)(\+?86)?1[3-9]\d{9}(?!\d)/g;

export function maskText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (m) => maskPhone(m));
}

/**
 * The console log of `npm start` (server.ts): `[hh:mm:ss] message`, and what came with it (the
 * error of an "unexpected error", with its stack) after a colon, phones masked. The app passes the
 * error as the second argument; a log that dropped it left an unexpected error with no trace.
 */
export function consoleLog(write: (line: string) => void = (line) => console.log(line), now: () => Date = () => new Date()): (message: string, extra?: unknown) => void {
  return (message, extra) => {
    const detail = extra === undefined ? '' : `: ${extraText(extra)}`;
    write(`[${now().toISOString().slice(11, 19)}] ${maskText(message + detail)}`);
  };
}

/** What came with a log message, as text: an error with its stack, anything else as a string. */
function extraText(extra: unknown): string {
  return extra instanceof Error ? (extra.stack ?? String(extra)) : String(extra);
}

/**
 * Path segments that name a customer: the log line keeps the route, not the id. The anonymise
 * call's line must not carry the OPENID (docs/express.md "Personal data": its log names the admin,
 * never the customer; beside the pseudonym it would tie the two together again).
 */
const CUSTOMER_IN_PATH = /^\/admin\/customers\/[^/]+/i;

/** The path as a log line may carry it: no customer id, phones masked. */
export function pathForLog(path: string): string {
  return maskText(path.replace(CUSTOMER_IN_PATH, '/admin/customers/:customerId'));
}

let stdout: DestinationStream | undefined;

/**
 * stdout, written asynchronously: a request never waits for its log line's write (pino flushes
 * what is left when the process exits). One per process, shared by every Ops.
 */
function stdoutDestination(): DestinationStream {
  return (stdout ??= pino.destination({ dest: 1, sync: false }));
}

/** The request-id header a caller may send (and gets back): kept when it looks like an id. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * What a deployer watches (docs/express.md, "Deployment"): structured JSON logs with a request id
 * (pino), Prometheus metrics (prom-client), /healthz and /readyz, and the drain flag a
 * graceful shutdown raises.
 */
export class Ops {
  readonly registry = new client.Registry();
  readonly logger: Logger;
  readonly commits: client.Counter<'result'>;
  readonly outboxLag: client.Histogram;
  /** Set when the process is shutting down: /readyz answers 503 so the balancer stops sending. */
  draining = false;
  private inFlight = 0;
  private readonly committedAt = new Map<string, number>();

  constructor(options: { logger?: Logger; destination?: DestinationStream; level?: string; ready?: () => Promise<boolean> | boolean; metricsToken?: string } = {}) {
    this.logger =
      options.logger ??
      pino({
        // LOG_LEVEL, else info; silent under the test runner unless LOG_LEVEL says otherwise.
        level: options.level ?? process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
        // Never the session, the CSRF token or a cookie; phones in messages are masked.
        redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'], censor: '[redacted]' },
        hooks: {
          logMethod(args, method) {
            method.apply(this, args.map((a) => (typeof a === 'string' ? maskText(a) : a)) as Parameters<typeof method>);
          },
        },
      }, options.destination ?? stdoutDestination());
    this.ready = options.ready ?? (() => true);
    this.metricsToken = options.metricsToken;
    client.collectDefaultMetrics({ register: this.registry, prefix: 'orderkit_process_' });
    this.commits = new client.Counter({ name: 'orderkit_commits_total', help: 'Order commits by result (ok, conflict: another writer won the version)', labelNames: ['result'], registers: [this.registry] });
    this.outboxLag = new client.Histogram({
      name: 'orderkit_outbox_lag_seconds',
      help: 'From the commit that wrote an effect to its first claim by a worker of this process',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers: [this.registry],
    });
    new client.Gauge({ name: 'orderkit_stream_clients', help: 'Open Server-Sent Event streams', registers: [this.registry], collect() {
      this.set(openStreams.size);
    } });
    const self = this;
    new client.Gauge({ name: 'orderkit_http_in_flight', help: 'Requests being answered now', registers: [this.registry], collect() {
      this.set(self.inFlight);
    } });
  }

  private readonly ready: () => Promise<boolean> | boolean;
  private readonly metricsToken: string | undefined;

  /**
   * The app's log when it was given none (app.ts): one JSON line, what came with the message (an
   * unexpected error: its stack) under `extra`, phones masked there too, as in `consoleLog`. The
   * logger's own hook masks only messages, not the fields of an object.
   */
  log(message: string, extra?: unknown): void {
    this.logger.info(extra === undefined ? {} : { extra: maskText(extraText(extra)) }, message);
  }

  /** Requests in flight now (a graceful shutdown waits for them). */
  get busy(): number {
    return this.inFlight;
  }

  /** The store with its commits counted and its outbox lag measured; everything else passes through. */
  instrument(store: OrderStore): OrderStore {
    const ops = this;
    return new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'commit') {
          return async (input: Parameters<OrderStore['commit']>[0]) => {
            try {
              await target.commit(input);
            } catch (e) {
              if (isVersionConflict(e)) ops.commits.inc({ result: 'conflict' });
              throw e;
            }
            ops.commits.inc({ result: 'ok' });
            const now = Date.now();
            for (const effect of input.effects) ops.remember(effect.id, now);
          };
        }
        if (prop === 'claim') {
          return async (...args: Parameters<OrderStore['claim']>) => {
            const entries = await target.claim(...args);
            const now = Date.now();
            for (const entry of entries) {
              const at = ops.committedAt.get(entry.effect.id);
              if (at !== undefined && entry.attempts === 0) ops.outboxLag.observe((now - at) / 1000);
              ops.committedAt.delete(entry.effect.id);
            }
            return entries;
          };
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
  }

  private remember(effectId: string, at: number): void {
    this.committedAt.set(effectId, at);
    // Bounded: effects that another process delivers are never claimed here.
    if (this.committedAt.size > 10_000) this.committedAt.delete(this.committedAt.keys().next().value!);
  }

  /**
   * Request ids (x-request-id, or a new one), one JSON log line per request, the in-flight count.
   * The line is built only when its level is logged: pino-http, used here before, made a child
   * logger per request (serialising the request into it) whatever the level, about a tenth of the
   * server's CPU per placement (docs/benchmarks.md, "HTTP").
   */
  middleware(): RequestHandler[] {
    const logger = this.logger;
    return [
      (req, res, next) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        (req as { id?: string }).id = id;
        const started = Date.now();
        // The path without its query (a query may carry a phone number being searched), without a
        // customer id, phones masked.
        const path = pathForLog(req.url.split('?')[0] ?? '');
        const method = req.method;
        this.inFlight++;
        let done = false;
        const end = () => {
          if (done) return;
          done = true;
          this.inFlight--;
          const status = res.statusCode;
          const level: Level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
          if (!logger.isLevelEnabled(level)) return;
          // A stream the client closed ends without finishing: still one line, said so.
          const message = !res.writableFinished ? 'request closed' : status >= 500 ? 'request errored' : 'request completed';
          logger[level]({ req: { id, method, path }, res: { statusCode: status }, responseTime: Date.now() - started }, message);
        };
        res.on('finish', end);
        res.on('close', end);
        next();
      },
    ];
  }

  routes(): Route[] {
    return [
      {
        access: 'public',
        doc: { method: 'get', path: '/healthz', operationId: 'health', summary: 'Liveness 存活检查', tags: ['operations'], success: { status: 200, description: '{ ok: true }', schema: 'Any' }, errors: [] },
        handler: (_req, res) => {
          res.json({ ok: true });
        },
      },
      {
        access: 'public',
        doc: {
          method: 'get',
          path: '/readyz',
          operationId: 'ready',
          summary: 'Readiness 就绪检查',
          description: '200 when the database answers and the process is not shutting down; 503 otherwise.',
          tags: ['operations'],
          success: { status: 200, description: '{ ready: true }', schema: 'Any' },
          errors: [503],
        },
        handler: async (_req, res) => {
          let ok = false;
          if (!this.draining) {
            try {
              ok = await this.ready();
            } catch {
              ok = false;
            }
          }
          if (!ok) {
            const e = new OrderkitError({ code: 'NOT_READY', message: { 'zh-CN': this.draining ? '服务正在停止' : '数据库不可用', en: this.draining ? 'shutting down' : 'the database does not answer' } });
            res.status(503).json(e.toJSON());
            return;
          }
          res.json({ ready: true });
        },
      },
      {
        access: 'public',
        doc: {
          method: 'get',
          path: '/metrics',
          operationId: 'metrics',
          summary: 'Prometheus metrics 监控指标',
          description: 'Prometheus text format. Staff, or `Authorization: Bearer <METRICS_TOKEN>` for the scraper.',
          tags: ['operations'],
          success: { status: 200, description: 'text/plain; version=0.0.4', schema: 'Text' },
          errors: [401, 403],
        },
        handler: async (req, res) => {
          const p = principalOf(req);
          if (!(p && p.role !== 'shopper') && !this.scraper(req.get('authorization'))) {
            throw new OrderkitError(
              p
                ? { code: 'FORBIDDEN', message: { 'zh-CN': '仅限商家员工', en: 'staff only' } }
                : { code: 'UNAUTHENTICATED', message: { 'zh-CN': '请先登录', en: 'sign in first' }, path: ['headers', 'authorization'] },
            );
          }
          res.type(this.registry.contentType).send(await this.registry.metrics());
        },
      },
    ];
  }

  private scraper(header: string | undefined): boolean {
    if (!this.metricsToken || !header) return false;
    const given = Buffer.from(header);
    const expected = Buffer.from(`Bearer ${this.metricsToken}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Ends every open event stream (a graceful shutdown: clients reconnect to another instance). */
  closeStreams(): void {
    for (const s of [...openStreams]) s.close();
  }
}

/**
 * A graceful stop (docs/express.md, "Deployment"): /readyz turns 503, the server stops accepting
 * connections, open event streams are ended (their clients reconnect elsewhere), and the requests in
 * flight, commits included, are answered before the connections close. Past `timeoutMs` whatever is
 * left is cut. Resolves with the number of requests that had to be cut (0 in a clean stop).
 */
export async function drain(server: Server, ops: Ops, timeoutMs = 10_000): Promise<number> {
  ops.draining = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  ops.closeStreams();
  const deadline = Date.now() + timeoutMs;
  while (ops.busy > 0 && Date.now() < deadline) {
    server.closeIdleConnections();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const cut = ops.busy;
  server.closeAllConnections();
  await closed;
  return cut;
}
