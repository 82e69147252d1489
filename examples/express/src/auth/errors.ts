import { OrderkitError } from '../orderkit/index.js';

/** The sign-in refusals, each with a stable code and both languages (docs/express.md, "Sign-in"). */
export const authErrors = {
  unauthenticated: () =>
    new OrderkitError({ code: 'UNAUTHENTICATED', message: { 'zh-CN': '请先登录', en: 'sign in first' }, path: ['headers', 'authorization'] }),
  badCredentials: () =>
    new OrderkitError({ code: 'BAD_CREDENTIALS', message: { 'zh-CN': '用户名或密码不正确', en: 'wrong user name or password' }, path: ['body'] }),
  sessionExpired: () =>
    new OrderkitError({ code: 'SESSION_EXPIRED', message: { 'zh-CN': '登录已过期，请重新登录', en: 'the session has expired; sign in again' }, path: ['headers', 'authorization'] }),
  sessionInvalid: () =>
    new OrderkitError({ code: 'SESSION_INVALID', message: { 'zh-CN': '登录凭证无效', en: 'the session token is not valid' }, path: ['headers', 'authorization'] }),
  staffOnly: () => new OrderkitError({ code: 'FORBIDDEN', message: { 'zh-CN': '仅限商家员工', en: 'staff only' } }),
  adminOnly: () => new OrderkitError({ code: 'FORBIDDEN', message: { 'zh-CN': '仅限管理员', en: 'administrators only' } }),
  csrf: () =>
    new OrderkitError({
      code: 'CSRF_REFUSED',
      message: { 'zh-CN': '缺少或错误的 CSRF 令牌（x-csrf-token 请求头）', en: 'missing or wrong CSRF token (x-csrf-token header)' },
      path: ['headers', 'x-csrf-token'],
    }),
  tooMany: () =>
    new OrderkitError({ code: 'TOO_MANY_REQUESTS', message: { 'zh-CN': '请求过于频繁，请稍后再试', en: 'too many requests; try again later' } }),
  wechatLogin: (why: string) =>
    new OrderkitError({ code: 'WECHAT_LOGIN_FAILED', message: { 'zh-CN': `微信登录失败：${why}`, en: `WeChat sign-in failed: ${why}` }, path: ['body', 'code'] }),
  mediaType: () =>
    new OrderkitError({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: { 'zh-CN': '请求体须为 application/json', en: 'the request body must be application/json' },
      path: ['headers', 'content-type'],
    }),
};
