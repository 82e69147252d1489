import * as z from '../zod.js';
import { CommandSchema } from './commands.js';
import { OrderSchema } from './order-schema.js';

/**
 * JSON Schemas (draft 2020-12) of the order and of the commands, for callers that do not write
 * TypeScript: a Java or Go service, an API gateway, a form builder. Generated from the zod schemas,
 * so they never drift from what `parseCommand` accepts.
 */
export function orderJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(OrderSchema, { io: 'output' }) as Record<string, unknown>;
}

export function commandJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(CommandSchema, { io: 'input' }) as Record<string, unknown>;
}
