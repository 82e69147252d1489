/**
 * The tracking port (docs/tracking.md): how orderkit asks a logistics provider (快递100, 快递鸟,
 * a carrier's own API, WeChat's 物流助手…) where a parcel is. orderkit never talks to a provider
 * itself; a shop plugs one in by writing an object with `trace()`.
 */

/** What a provider is asked for one parcel. */
export interface TrackingQuery {
  /** The waybill number the shop entered when shipping. */
  trackingNo: string;
  /** The carrier as the shop wrote it (`顺丰速运`, `SF`…); a provider maps it to its own code. */
  expressCompany?: string;
  /**
   * Last four digits of the receiver's phone. Some carriers (顺丰 among them) answer only with it.
   * Never shown on a page; only passed to the provider.
   */
  phoneTail?: string;
}

/** Where the parcel is, as a provider reports it. */
export type TrackingState = 'in_transit' | 'out_for_delivery' | 'delivered' | 'exception' | 'unknown';

/** One scan of the parcel. */
export interface TrackingCheckpoint {
  /** ISO-8601 instant of the scan. */
  at: string;
  /** The provider's description (usually Chinese: `快件已到达【深圳转运中心】`). */
  text: string;
  /** City or station, when the provider gives one. */
  location?: string;
}

/** A provider's answer for one parcel: its state and its scans, in any order. */
export interface TrackingTrace {
  state: TrackingState;
  checkpoints: TrackingCheckpoint[];
}

/**
 * A logistics provider behind orderkit. `trace` resolves to the parcel's trace, to `null` when
 * the provider knows no such number (yet), and rejects (or never settles: orderkit stops waiting
 * after `timeoutMs`) when the provider cannot be reached.
 */
export interface TrackingPort {
  trace(query: TrackingQuery, options: { signal: AbortSignal }): Promise<TrackingTrace | null>;
}

/** One scan, ready for a page. */
export interface TrackingCheckpointView {
  at: string;
  /** In the shop's time zone: `2026-11-26 09:30`. */
  atText: string;
  text: string;
  location?: string;
}

/** What a logistics page shows for one parcel. */
export interface ShipmentTraceView {
  shipmentId: string;
  trackingNo: string;
  expressCompany?: string;
  state: TrackingState;
  stateLabel: string;
  /** Newest first, as the malls show it. */
  checkpoints: TrackingCheckpointView[];
}
