import { DISCOUNT_SOURCES, FULFILLMENTS, allStorable, isStorableString } from '../order/index.js';

/**
 * A hand-written check of `placeOrder`'s input, equivalent to `PlaceOrderInputSchema` on the inputs
 * it accepts: placing an order is on the hot path and zod's full parse cost more than the rest of
 * the placement. It only ever says yes to input the schema accepts (a property test checks this);
 * anything else, or anything unusual (a line without `fulfillment`, a metadata object with a
 * prototype), goes through zod, which explains the problem with paths.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFen = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isSignedFen = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v);
const str = (v: unknown, min: number, max: number): boolean => typeof v === 'string' && v.length >= min && v.length <= max;
const optStr = (v: unknown, max: number): boolean => v === undefined || (typeof v === 'string' && v.length <= max);
const isId = (v: unknown): boolean => str(v, 1, 128);
/** /^[0-9A-Za-z_-]{1,32}$/ without the regular expression engine (it showed in profiles). */
function isOrderNumber(v: unknown): boolean {
  if (typeof v !== 'string' || v.length < 1 || v.length > 32) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
    if (!ok) return false;
  }
  return true;
}
const SOURCES: readonly string[] = DISCOUNT_SOURCES;
const FULFILMENT: readonly string[] = FULFILLMENTS;

function isAllocation(v: unknown): boolean {
  return isObject(v) && typeof v['source'] === 'string' && SOURCES.indexOf(v['source']) >= 0 && str(v['sourceId'], 1, Infinity) && isSignedFen(v['amount']);
}

function isLine(v: unknown): boolean {
  if (!isObject(v)) return false;
  if (!isId(v['id']) || !str(v['sku'], 1, 64) || !str(v['title'], 1, 200) || !optStr(v['category'], 64) || !optStr(v['image'], 1024)) return false;
  if (typeof v['fulfillment'] !== 'string' || FULFILMENT.indexOf(v['fulfillment']) < 0) return false;
  const q = v['quantity'];
  if (typeof q !== 'number' || !Number.isSafeInteger(q) || q < 1 || q > 1_000_000) return false;
  if (!isFen(v['listPrice']) || !isFen(v['unitPrice']) || !isFen(v['subtotal']) || !isFen(v['payable'])) return false;
  const allocations = v['allocations'];
  if (!Array.isArray(allocations)) return false;
  for (let i = 0; i < allocations.length; i++) if (!isAllocation(allocations[i])) return false;
  return true;
}

function isAdjustment(v: unknown): boolean {
  if (!isObject(v) || !str(v['id'], 1, Infinity) || !str(v['sourceId'], 1, Infinity) || !isSignedFen(v['amount'])) return false;
  const source = v['source'];
  if (typeof source !== 'string' || (source !== 'freight' && SOURCES.indexOf(source) < 0)) return false;
  const lineIds = v['lineIds'];
  if (!Array.isArray(lineIds)) return false;
  for (let i = 0; i < lineIds.length; i++) if (!isId(lineIds[i])) return false;
  const reason = v['reason'];
  return isObject(reason) && typeof reason['zh-CN'] === 'string' && typeof reason['en'] === 'string';
}

function isAddress(v: unknown): boolean {
  return (
    isObject(v) &&
    str(v['name'], 1, 64) &&
    str(v['phone'], 3, 32) &&
    str(v['province'], 0, 64) &&
    str(v['city'], 0, 64) &&
    optStr(v['district'], 64) &&
    str(v['detail'], 1, 256) &&
    optStr(v['postalCode'], 16)
  );
}

function isQuote(v: unknown): boolean {
  if (!isObject(v)) return false;
  const lines = v['lines'];
  if (!Array.isArray(lines) || lines.length === 0) return false;
  for (let i = 0; i < lines.length; i++) if (!isLine(lines[i])) return false;
  const adjustments = v['adjustments'];
  if (!Array.isArray(adjustments)) return false;
  for (let i = 0; i < adjustments.length; i++) if (!isAdjustment(adjustments[i])) return false;
  if (!isFen(v['itemsTotal']) || !isSignedFen(v['discountTotal']) || !isFen(v['freight']) || !isFen(v['pointsUsed'])) return false;
  if (!isFen(v['pointsDeduction']) || !isFen(v['total'])) return false;
  const coupons = v['couponIds'];
  if (!Array.isArray(coupons)) return false;
  for (let i = 0; i < coupons.length; i++) if (typeof coupons[i] !== 'string') return false;
  const earn = v['pointsEarn'];
  if (earn !== undefined) {
    if (!isObject(earn)) return false;
    const rate = earn['rate'];
    if (rate !== undefined && (!isObject(rate) || !isPositiveInt(rate['points'], 1_000_000) || !isPositiveInt(rate['fen'], Number.MAX_SAFE_INTEGER))) return false;
    if (earn['bonus'] !== undefined && !isFen(earn['bonus'])) return false;
  }
  return true;
}

function isPositiveInt(v: unknown, max: number): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= max;
}

function isPlainRecord(v: unknown): boolean {
  if (!isObject(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** True only for input `PlaceOrderInputSchema` accepts as it is. */
export function isPlainPlaceInput(v: unknown): boolean {
  if (!isObject(v)) return false;
  if (!isId(v['id']) || !isOrderNumber(v['number']) || !isId(v['customerId'])) return false;
  if (!isQuote(v['quote'])) return false;
  // A delivery mode (docs/delivery.md) is rare enough to take zod's path, which checks it.
  if ((v['quote'] as Record<string, unknown>)['delivery'] !== undefined || v['pickupCode'] !== undefined) return false;
  if (v['address'] !== undefined && !isAddress(v['address'])) return false;
  if (!optStr(v['buyerRemark'], 200)) return false;
  const fulfillment = v['fulfillment'];
  if (fulfillment !== undefined && (typeof fulfillment !== 'string' || FULFILMENT.indexOf(fulfillment) < 0)) return false;
  if (v['metadata'] !== undefined && !isPlainRecord(v['metadata'])) return false;
  const channel = v['channel'];
  if (channel !== undefined && (typeof channel !== 'string' || !/^[0-9A-Za-z_-]{1,32}$/.test(channel))) return false;
  // The fields the schema keeps must hold only storable strings (its refuseUnstorableStrings).
  const quote = v['quote'] as Record<string, unknown>;
  return keptStorable(v, quote);
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * `unstorablePath([id, customerId, address, buyerRemark, metadata, lines, adjustments, couponIds])
 * === null` on input the checks above passed, with the fields those checks typed read by name: a
 * line's and an address's known keys are storable names, and their values are strings, numbers
 * or a listed enum, so only their strings are scanned; any other own key (kept as given: lines and
 * the address are stored as they are) and its value go through `allStorable`. The generic walk of
 * every key was most of a placement's input check (docs/benchmarks.md, "After-sale path, fourth
 * pass"); test/lifecycle/foundation/place-input.test.ts checks both give the same answer.
 */
function keptStorable(v: Record<string, unknown>, quote: Record<string, unknown>): boolean {
  if (!isStorableString(v['id'] as string) || !isStorableString(v['customerId'] as string)) return false;
  const remark = v['buyerRemark'];
  if (remark !== undefined && !isStorableString(remark as string)) return false;
  const address = v['address'];
  if (address !== undefined && !addressStorable(address as Record<string, unknown>)) return false;
  if (v['metadata'] !== undefined && !allStorable(v['metadata'])) return false;
  const lines = quote['lines'] as Array<Record<string, unknown>>;
  for (let i = 0; i < lines.length; i++) if (!lineStorable(lines[i]!)) return false;
  const adjustments = quote['adjustments'] as unknown[];
  if (adjustments.length > 0 && !allStorable(adjustments)) return false;
  const coupons = quote['couponIds'] as string[];
  for (let i = 0; i < coupons.length; i++) if (!isStorableString(coupons[i]!)) return false;
  return true;
}

/** A string the checks above typed as a string or undefined. */
function optStorable(value: unknown): boolean {
  return value === undefined || isStorableString(value as string);
}

/** Every own key of `record` outside the named ones is storable, and so is its value. */
function otherKeyStorable(record: Record<string, unknown>, key: string): boolean {
  return !hasOwn.call(record, key) || (isStorableString(key) && allStorable(record[key]));
}

function lineStorable(line: Record<string, unknown>): boolean {
  if (!isStorableString(line['id'] as string) || !isStorableString(line['sku'] as string) || !isStorableString(line['title'] as string)) return false;
  if (!optStorable(line['category']) || !optStorable(line['image'])) return false;
  const allocations = line['allocations'] as unknown[];
  if (allocations.length > 0 && !allStorable(allocations)) return false;
  for (const key in line) {
    switch (key) {
      case 'id':
      case 'sku':
      case 'title':
      case 'category':
      case 'image':
      case 'fulfillment': // one of FULFILLMENTS (isLine)
      case 'quantity':
      case 'listPrice':
      case 'unitPrice':
      case 'subtotal':
      case 'payable':
      case 'allocations':
        continue;
      default:
        if (!otherKeyStorable(line, key)) return false;
    }
  }
  return true;
}

function addressStorable(address: Record<string, unknown>): boolean {
  for (const key in address) {
    switch (key) {
      case 'name':
      case 'phone':
      case 'province':
      case 'city':
      case 'district':
      case 'detail':
      case 'postalCode':
        if (!optStorable(address[key])) return false;
        continue;
      default:
        if (!otherKeyStorable(address, key)) return false;
    }
  }
  return true;
}
