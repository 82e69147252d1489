export { createOrderService } from './service.js';
export { systemClock } from './defaults.js';
export { retryAt } from './outbox.js';
export { GATEWAY_UNREACHABLE } from './sweep.js';
export { anonymizeCustomer, anonymizeFinishedOrders, personalDataRedaction, finishedAt, ANONYMOUS_PREFIX } from './privacy.js';
export type { AnonymizeOptions, AnonymizeReport, RetentionOptions } from './privacy.js';
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
