export { createOrderService } from './service.js';
export { systemClock } from './defaults.js';
export { retryAt } from './outbox.js';
export { GATEWAY_UNREACHABLE } from './sweep.js';
export type {
  OrderService,
  OrderServiceOptions,
  Clock,
  IdSource,
  PaymentQuery,
  ServiceLifecycle,
  ServiceTransitionResult,
  ServiceResult,
  PlaceInput,
  PlaceOptions,
  DispatchOptions,
  SweepOptions,
  SweepReport,
  EffectHandler,
  EffectHandlers,
  DrainOptions,
  DrainReport,
} from './types.js';
