import { isPlainObject, StandInCommand, type Doc } from './stand-in-semantics.js';

/**
 * Security rules ("数据库安全规则", see docs/wechat.md, "The test double, rule by rule") for the
 * TEST DOUBLE's mini program side. A rule is an expression over `doc` (the record) and `auth`; the
 * service accepts a query from a mini program only when its condition is a subset of the rule, so
 * `doc.customerId == auth.openid` needs `customerId: '{openid}'` (or the literal openid) IN the
 * query: `doc(id).get()` / `doc(id).watch()` carry only `_id` and are refused.
 *
 * The subset understood here is what shops write for orders: `true`, `false`, and disjunctions
 * (`||`) of conjunctions (`&&`) of `doc.<field> == auth.openid` (either side order).
 */
export type SecurityRuleText = string;

interface Parsed {
  any: boolean;
  none: boolean;
  /** Disjunction of conjunctions of fields that must equal the caller's openid. */
  alternatives: string[][];
}

function parse(rule: SecurityRuleText): Parsed {
  const text = rule.trim();
  if (text === 'true') return { any: true, none: false, alternatives: [] };
  if (text === 'false') return { any: false, none: true, alternatives: [] };
  const alternatives = text.split('||').map((alt) =>
    alt.split('&&').map((term) => {
      const sides = term.split('==').map((x) => x.trim());
      if (sides.length !== 2) throw new Error(`unsupported security rule term: ${term.trim()}`);
      const field = sides.find((x) => x.startsWith('doc.'));
      const other = sides.find((x) => x !== field);
      if (!field || other !== 'auth.openid') throw new Error(`unsupported security rule term: ${term.trim()}`);
      return field.slice(4);
    }),
  );
  return { any: false, none: false, alternatives };
}

/** The `{openid}` placeholder of mini program queries, replaced by the caller's openid. */
export function substituteOpenid<T>(value: T, openid: string): T {
  if (value === '{openid}') return openid as unknown as T;
  if (value instanceof StandInCommand) return new StandInCommand(value.kind, value.op, substituteOpenid(value.operand, openid)) as unknown as T;
  if (Array.isArray(value)) return value.map((v) => substituteOpenid(v, openid)) as unknown as T;
  if (isPlainObject(value)) {
    const out: Doc = {};
    for (const k of Object.keys(value)) out[k] = substituteOpenid(value[k], openid);
    return out as T;
  }
  return value;
}

function pins(condition: unknown, field: string, openid: string): boolean {
  if (!isPlainObject(condition)) {
    if (condition instanceof StandInCommand && condition.kind === 'logic' && condition.op === 'and') {
      return (condition.operand as unknown[]).some((part) => pins(part, field, openid));
    }
    return false;
  }
  const value = condition[field];
  if (value === openid) return true;
  return value instanceof StandInCommand && value.kind === 'query' && value.op === 'eq' && value.operand === openid;
}

/** Is a query condition (openid already substituted) a subset of the rule for this caller? */
export function queryAllowed(rule: SecurityRuleText, condition: unknown, openid: string): boolean {
  const parsed = parse(rule);
  if (parsed.any) return true;
  if (parsed.none) return false;
  return parsed.alternatives.some((fields) => fields.every((f) => pins(condition, f, openid)));
}
