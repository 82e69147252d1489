import type * as z from '../zod.js';
import { OrderkitError, type LocalizedText, type OrderkitIssue } from './orderkit-error.js';

/**
 * Turns zod issues into orderkit issues with a zh-CN message beside zod's English one, so that a
 * caller can show the problem to a shopper or a merchant without a translation table of their own.
 */
export function issuesFromZod(error: z.core.$ZodError, basePath: ReadonlyArray<string | number> = []): OrderkitIssue[] {
  return error.issues.map((issue) => {
    const path = [...basePath, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    return { code: 'INVALID_INPUT', path, message: describeZodIssue(issue, path) };
  });
}

function where(path: ReadonlyArray<string | number>): string {
  return path.length === 0 ? '(root)' : path.join('.');
}

function describeZodIssue(issue: z.core.$ZodIssue, path: ReadonlyArray<string | number>): LocalizedText {
  const at = where(path);
  switch (issue.code) {
    case 'invalid_type':
      if ((issue as { input?: unknown }).input === undefined) {
        return { 'zh-CN': `${at}：缺少必填字段`, en: `${at}: required field is missing` };
      }
      return { 'zh-CN': `${at}：类型应为 ${issue.expected}`, en: `${at}: expected ${issue.expected}` };
    case 'too_small':
      return { 'zh-CN': `${at}：不能小于 ${String(issue.minimum)}`, en: `${at}: must be at least ${String(issue.minimum)}` };
    case 'too_big':
      return { 'zh-CN': `${at}：不能大于 ${String(issue.maximum)}`, en: `${at}: must be at most ${String(issue.maximum)}` };
    case 'invalid_value':
      return {
        'zh-CN': `${at}：取值应为 ${issue.values.map(String).join(' / ')} 之一`,
        en: `${at}: must be one of ${issue.values.map(String).join(', ')}`,
      };
    case 'invalid_union':
      return { 'zh-CN': `${at}：不是可识别的格式`, en: `${at}: does not match any accepted shape` };
    case 'unrecognized_keys':
      return { 'zh-CN': `${at}：包含未知字段 ${issue.keys.join(', ')}`, en: `${at}: unknown field(s) ${issue.keys.join(', ')}` };
    case 'invalid_format':
      return { 'zh-CN': `${at}：格式不正确（${issue.format}）`, en: `${at}: invalid ${issue.format} format` };
    case 'not_multiple_of':
      return { 'zh-CN': `${at}：必须是整数`, en: `${at}: must be a whole number` };
    case 'custom':
      // refuseUnstorableStrings (src/order/primitives.ts): text that no store can keep.
      if ((issue.params as { reason?: unknown } | undefined)?.reason === 'unstorable_string') {
        return {
          'zh-CN': `${at}：含有无法保存的字符（U+0000 或不成对的代理字符）`,
          en: `${at}: contains a character that cannot be stored (U+0000 or a lone surrogate)`,
        };
      }
      return { 'zh-CN': `${at}：${issue.message}`, en: `${at}: ${issue.message}` };
    default:
      return { 'zh-CN': `${at}：${issue.message}`, en: `${at}: ${issue.message}` };
  }
}

/** One error for a whole failed parse: the first issue names the problem, `issues` lists them all. */
export function errorFromZod(
  code: string,
  what: LocalizedText,
  error: z.core.$ZodError,
  basePath: ReadonlyArray<string | number> = [],
): OrderkitError {
  const issues = issuesFromZod(error, basePath);
  const first = issues[0];
  return new OrderkitError({
    code,
    message: {
      'zh-CN': `${what['zh-CN']}：${first ? first.message['zh-CN'] : '格式不正确'}`,
      en: `${what.en}: ${first ? first.message.en : 'invalid input'}`,
    },
    path: first ? first.path : basePath,
    issues: issues.map((i) => ({ ...i, code })),
  });
}
