import type { Request, Response } from 'express';
import { sessionStands } from './auth/index.js';
import { OrderkitError, type OrderChange, type OrderStore, type Unsubscribe } from './orderkit/index.js';

/**
 * A Server-Sent Events stream on `res`: headers, a retry hint, a comment every 15 s so that
 * proxies keep the connection, and a cleanup when the client goes away.
 */
export interface SseStream {
  send(event: string, data: unknown, id?: string): void;
  close(): void;
  readonly closed: boolean;
}

/**
 * Where a reconnecting EventSource left off: the \`Last-Event-ID\` header it sends by itself, or
 * \`?lastEventId=\` for a page that kept the id across a reload. Undefined for a fresh stream.
 */
export function lastEventId(req: Request): string | undefined {
  const header = req.get('Last-Event-ID');
  const query = typeof req.query['lastEventId'] === 'string' ? req.query['lastEventId'] : undefined;
  const id = header !== undefined && header !== '' ? header : query;
  if (id === undefined || id === '') return undefined;
  if (id.length > 100) {
    throw new OrderkitError({
      code: 'INVALID_FEED_POSITION',
      message: { 'zh-CN': 'Last-Event-ID 过长', en: 'Last-Event-ID is too long' },
      path: ['Last-Event-ID'],
    });
  }
  return id;
}

/**
 * Resumes a stream from a change-feed position: subscribes with \`since\` (the store replays what
 * the client missed, then goes live) BEFORE the stream opens, so a position the store refuses is a
 * 400 (INVALID_FEED_POSITION) and not a broken stream. Changes that arrive before the stream is
 * open wait in order. Returns the subscription and a way to attach the stream.
 */
export async function resumeFrom(
  store: OrderStore,
  since: string,
  keep: (change: OrderChange) => boolean,
): Promise<{ attach(stream: SseStream): void; off: Unsubscribe }> {
  let target: SseStream | null = null;
  const waiting: OrderChange[] = [];
  const off = await store.subscribe!(
    (change) => {
      if (!keep(change)) return;
      if (target) target.send('change', change, change.position);
      else waiting.push(change);
    },
    { since },
  );
  return {
    off,
    attach(stream) {
      for (const change of waiting.splice(0)) stream.send('change', change, change.position);
      target = stream;
    },
  };
}

/** Every stream open now: counted by /metrics, closed by a graceful shutdown (ops.ts). */
export const openStreams = new Set<SseStream>();

/**
 * Opens the stream. It lives as long as the session that opened it (docs/express.md "Sign-in"):
 * before each event and each heartbeat it asks whether that session still stands (not signed out,
 * not expired, the staff account still enabled), and when it does not, it sends nothing and ends;
 * the reconnecting EventSource then gets the 401.
 */
export function openSse(req: Request, res: Response, onClose: () => void): SseStream {
  res.status(200);
  res.set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // Tell nginx-like proxies not to buffer the stream.
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write('retry: 2000\n\n');
  let closed = false;
  // Whether anything may still go out; ends the stream when its session no longer stands.
  const open = (): boolean => {
    if (closed) return false;
    if (sessionStands(req)) return true;
    stream.close();
    return false;
  };
  const heartbeat = setInterval(() => {
    if (open()) res.write(': keep-alive\n\n');
  }, 15_000);
  heartbeat.unref();
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    openStreams.delete(stream);
    onClose();
  };
  req.on('close', finish);
  res.on('error', finish);
  const stream: SseStream = {
    send(event, data, id) {
      if (!open()) return;
      res.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close() {
      finish();
      res.end();
    },
    get closed() {
      return closed;
    },
  };
  openStreams.add(stream);
  return stream;
}
