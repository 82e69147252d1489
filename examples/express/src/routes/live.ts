import { actorFromRequest } from '../actor.js';
import type { AppContext } from '../context.js';
import { param, type Route } from '../http.js';
import { OrderSequence } from '../order-sequence.js';
import { lastEventId, openSse, resumeFrom } from '../sse.js';
import { visibleOrder } from './orders.js';

/**
 * GET /orders/:id/events: the order's status changes as Server-Sent Events, fed by the store's
 * change feed (LISTEN/NOTIFY with PostgreSQL, so a change made through any instance arrives).
 * EventSource cannot send headers: pass the actor as `?actor=customer:c1`.
 */
export function liveRoutes(ctx: AppContext): Route[] {
  return [
    {
      doc: {
        method: 'get',
        path: '/orders/:id/events',
        operationId: 'orderEvents',
        summary: 'Live status changes (SSE) 订单实时状态',
        description:
          'text/event-stream. First `snapshot` {orderId, version, status, at}, then a `change` event {orderId, version, status, at, position} per committed change, with the change-feed position as the event id. A reconnecting EventSource sends it back as Last-Event-ID (or pass ?lastEventId=): the stream then replays every change of the order after it, and goes on live, without a snapshot. The actor may be given as ?actor=customer:<id>.',
        tags: ['live'],
        actors: 'customer (owner), merchant',
        success: { status: 200, description: 'An event stream', schema: 'Stream' },
        errors: [400, 401, 403, 404],
      },
      handler: async (req, res) => {
        const actor = actorFromRequest(req);
        const orderId = param(req, 'id');
        await visibleOrder(ctx, orderId, actor);
        const store = ctx.service.store;
        const since = lastEventId(req);
        if (since !== undefined && store.subscribe && store.changesSince) {
          // Resuming: the changes of this order after the position, then live (docs/express.md).
          const resumed = await resumeFrom(store, since, (change) => change.orderId === orderId);
          resumed.attach(openSse(req, res, () => void resumed.off()));
          return;
        }
        // Subscribe before reading the snapshot, so a change committed in between is not lost.
        // Changes may come early and twice (ChangeHub): the sequence sends each version once, in
        // order, after the snapshot's.
        const stream = openSse(req, res, () => off());
        const sequence = new OrderSequence((change) => stream.send('change', change, change.position));
        const off = ctx.hub.onOrder(orderId, (change) => sequence.offer(change));
        const order = await ctx.service.get(orderId);
        // No id: a client that reconnects before any change gets a fresh snapshot.
        if (order) stream.send('snapshot', { orderId: order.id, version: order.version, status: order.status, at: order.updatedAt });
        sequence.start(order ? order.version : 0);
      },
    },
  ];
}
