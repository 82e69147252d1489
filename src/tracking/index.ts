/**
 * wx-orderkit/tracking: the logistics tracking port (docs/tracking.md). A shop plugs a provider in
 * by writing a `TrackingPort`; `traceShipment` asks it for one parcel of an order and returns a
 * page-ready trace or a typed error. `StandInTracking` plays a provider in tests.
 */
export { traceShipment, TRACKING_STATE_LABELS } from './trace.js';
export type { TraceShipmentOptions } from './trace.js';
export { StandInTracking } from './stand-in.js';
export { TRACKING_ERROR_CODES, shipmentNotFound, notTrackable, traceNotFound, trackingUnavailable } from './errors.js';
export type { TrackingErrorCode } from './errors.js';
export type { TrackingPort, TrackingQuery, TrackingTrace, TrackingState, TrackingCheckpoint, TrackingCheckpointView, ShipmentTraceView } from './types.js';
