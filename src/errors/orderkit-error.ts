/**
 * The one error type orderkit hands to its users.
 *
 * Every failure carries a stable `code` (safe to switch on, safe to show in logs), the path of the
 * offending value inside the input, and a message in zh-CN and en. Pure functions return it inside
 * a result (`{ ok: false, error }`); functions that must throw (bad arguments to `allocate`, a
 * corrupt row) throw it. Nothing orderkit does on purpose throws anything else.
 */

/** A message for people, in both languages the library speaks. */
export interface LocalizedText {
  'zh-CN': string;
  en: string;
}

export type IssuePath = ReadonlyArray<string | number>;

/** One problem inside a larger input (one bad field of a command, one bad rule). */
export interface OrderkitIssue {
  code: string;
  path: IssuePath;
  message: LocalizedText;
}

export interface OrderkitErrorInit {
  code: string;
  message: LocalizedText;
  path?: IssuePath;
  issues?: OrderkitIssue[];
  details?: Record<string, unknown>;
}

/** A plain, serialisable view of an error: what goes into a JSON response body. */
export interface OrderkitErrorJSON {
  name: 'OrderkitError';
  code: string;
  message: string;
  messages: LocalizedText;
  path: IssuePath;
  issues: OrderkitIssue[];
  details?: Record<string, unknown>;
}

export class OrderkitError extends Error {
  override readonly name = 'OrderkitError';
  readonly code: string;
  /** Both languages; `message` (from Error) is the English one so that stack traces stay readable. */
  readonly messages: LocalizedText;
  readonly path: IssuePath;
  readonly issues: OrderkitIssue[];
  readonly details?: Record<string, unknown>;

  constructor(init: OrderkitErrorInit) {
    super(`${init.code}: ${init.message.en}`);
    this.code = init.code;
    this.messages = init.message;
    this.path = init.path ?? [];
    this.issues = init.issues ?? [{ code: init.code, path: this.path, message: init.message }];
    if (init.details !== undefined) this.details = init.details;
  }

  toJSON(): OrderkitErrorJSON {
    const json: OrderkitErrorJSON = {
      name: 'OrderkitError',
      code: this.code,
      message: this.messages.en,
      messages: this.messages,
      path: this.path,
      issues: this.issues,
    };
    if (this.details !== undefined) json.details = this.details;
    return json;
  }
}

/** Shorthand used across the modules: `orderkitError('AMOUNT_MISMATCH', { 'zh-CN': …, en: … })`. */
export function orderkitError(
  code: string,
  message: LocalizedText,
  extra: Omit<OrderkitErrorInit, 'code' | 'message'> = {},
): OrderkitError {
  return new OrderkitError({ code, message, ...extra });
}

export function isOrderkitError(value: unknown): value is OrderkitError {
  return value instanceof OrderkitError || (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'OrderkitError' && typeof (value as { code?: unknown }).code === 'string');
}
