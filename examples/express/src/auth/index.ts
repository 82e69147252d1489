import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Access, Route } from '../http.js';
import { parseBody, param } from '../http.js';
import { ActorSchema, OrderkitError, type Actor } from '../orderkit/index.js';
import { StaffAccounts, type StaffAccount } from './accounts.js';
import { standInCode2Session, type Code2Session } from './code2session.js';
import { authErrors } from './errors.js';
import { SessionTokens, type Principal, type Role } from './tokens.js';

export { StaffAccounts, type StaffAccount } from './accounts.js';
export { standInCode2Session, wechatCode2Session, type Code2Session } from './code2session.js';
export { SessionTokens, type Principal, type Role } from './tokens.js';

export const SESSION_COOKIE = 'orderkit_session';
export const CSRF_COOKIE = 'orderkit_csrf';

export interface AuthOptions {
  /**
   * DEMO mode: `x-actor: customer:<id> | merchant:<id> | admin:<id>` (and `?actor=` on GET, for an
   * EventSource) is believed without proof, and the demo payment routes exist. Never in production.
   */
  demo?: boolean;
  /** The key that signs session tokens (≥ 32 bytes). Default: random per process (sessions end on restart). */
  secret?: string;
  code2Session?: Code2Session;
  staff?: StaffAccounts;
  /** Cookies only over HTTPS (default true; the demo on http://localhost sets false). */
  secureCookies?: boolean;
  /** Session lifetimes in seconds. Default: shopper 7 days, staff 8 hours. */
  ttlSeconds?: { shopper: number; staff: number };
  /** Requests per minute: sign-in attempts per address, writes per signed-in caller. */
  limits?: { signInPerMinute?: number; writesPerMinute?: number };
  now?: () => Date;
}

interface Identity {
  principal?: Principal;
  error?: OrderkitError;
  /** Whether the session that proved `principal` still stands now (see `sessionStands`). */
  stands?: () => boolean;
}

const identities = new WeakMap<Request, Identity>();

/** The principal `authenticate` found on this request, if any. */
export function principalOf(req: Request): Principal | undefined {
  return identities.get(req)?.principal;
}

/**
 * Whether the session that signed this request in still stands now: not signed out, not expired,
 * and for staff the account still enabled with the same role. The guard checks a session once, when
 * the request arrives; an answer that goes on (an event stream, sse.ts) asks again before each thing
 * it sends, so that it ends with its session (docs/express.md "Sign-in"). False when nobody signed in.
 */
export function sessionStands(req: Request): boolean {
  const identity = identities.get(req);
  return identity?.principal !== undefined && identity.stands !== undefined && identity.stands();
}

/** The orderkit actor of a principal: shoppers are customers, staff and admins are merchants with roles. */
export function actorOf(p: Principal): Actor {
  if (p.role === 'shopper') return { type: 'customer', id: p.id };
  return { type: 'merchant', id: p.id, roles: p.role === 'admin' ? ['staff', 'admin'] : ['staff'] };
}

/** The signed-in caller's actor; 401 (with the reason: missing, expired, forged) when there is none. */
export function requireActor(req: Request): Actor {
  const found = identities.get(req);
  if (found?.principal) return actorOf(found.principal);
  throw found?.error ?? authErrors.unauthenticated();
}

function demoPrincipal(raw: string): Principal {
  const colon = raw.indexOf(':');
  const type = colon < 0 ? raw : raw.slice(0, colon);
  const id = colon < 0 ? '' : raw.slice(colon + 1);
  const parsed = ActorSchema.safeParse({ type: 'customer', id });
  if (!parsed.success || (type !== 'customer' && type !== 'merchant' && type !== 'admin')) {
    throw new OrderkitError({
      code: 'UNAUTHENTICATED',
      message: { 'zh-CN': 'x-actor 应为 customer:<id>、merchant:<id> 或 admin:<id>', en: 'x-actor must be customer:<id>, merchant:<id> or admin:<id>' },
      path: ['headers', 'x-actor'],
    });
  }
  return { role: type === 'customer' ? 'shopper' : type === 'admin' ? 'admin' : 'staff', id, via: 'demo' };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const WechatLoginSchema = z.strictObject({ code: z.string().min(1).max(128) });
const StaffLoginSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
  /** `cookie` (default): the console's httpOnly session cookie + a CSRF token. `token`: a bearer token for scripts. */
  mode: z.enum(['cookie', 'token']).optional(),
});
const CreateStaffSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
  role: z.enum(['staff', 'admin']).optional(),
  /** The pickup store the account works at (one of the shop's pickup stores' ids). */
  storeId: z.string().min(1).max(128).optional(),
});

/**
 * Sign-in for the example (docs/express.md, "Sign-in"): shoppers through WeChat's `code2Session`,
 * staff with a password; both get a signed session token (jose). The console carries it in an
 * httpOnly SameSite=Strict cookie, so every write from a cookie session also needs the CSRF
 * token (csrf-csrf, double submit). Rate limits (express-rate-limit) on sign-in and on writes.
 */
export class Auth {
  readonly demo: boolean;
  readonly staff: StaffAccounts;
  readonly tokens: SessionTokens;
  private readonly code2Session: Code2Session;
  private readonly secure: boolean;
  /**
   * Signed-out tokens, with when each would have expired by itself (ms): a revocation is kept only
   * until then, since the token is refused as expired afterwards. In this process only: with several
   * instances, share it (docs/express.md "Sign-in").
   */
  private readonly revoked = new Map<string, number>();
  private readonly csrf: ReturnType<typeof doubleCsrf>;
  private readonly signInLimit: RequestHandler;
  private readonly writeLimit: RequestHandler;
  private readonly now: () => Date;

  constructor(options: AuthOptions = {}) {
    this.demo = options.demo ?? false;
    this.now = options.now ?? (() => new Date());
    this.staff = options.staff ?? new StaffAccounts();
    // Outside demo mode without a client, shopper sign-in answers 503 NOT_CONFIGURED.
    this.code2Session = options.code2Session ?? (this.demo ? standInCode2Session() : notConfigured);
    this.secure = options.secureCookies ?? true;
    const secret = options.secret ?? randomBytes(32).toString('base64url');
    this.tokens = new SessionTokens(secret, options.ttlSeconds ?? { shopper: 7 * 86400, staff: 8 * 3600 }, this.now);
    this.csrf = doubleCsrf({
      getSecret: () => secret,
      getSessionIdentifier: (req) => (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE] ?? '',
      cookieName: CSRF_COOKIE,
      cookieOptions: { sameSite: 'strict', secure: this.secure, httpOnly: true, path: '/' },
      getCsrfTokenFromRequest: (req) => req.get('x-csrf-token'),
    });
    const tooMany: RequestHandler = (_req, _res, next) => next(authErrors.tooMany());
    this.signInLimit = rateLimit({
      windowMs: 60_000,
      limit: options.limits?.signInPerMinute ?? 10,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
      handler: tooMany,
    });
    this.writeLimit = rateLimit({
      windowMs: 60_000,
      limit: options.limits?.writesPerMinute ?? 120,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (req) => {
        const p = principalOf(req);
        return p ? `${p.role}:${p.id}` : ipKeyGenerator(req.ip ?? '');
      },
      handler: tooMany,
    });
  }

  /** Reads cookies, then finds who is asking. Never refuses by itself: the route's guard does. */
  middleware(): RequestHandler[] {
    return [cookieParser(), (req, _res, next) => void this.identify(req).then(() => next(), next)];
  }

  private async identify(req: Request): Promise<void> {
    const identity: Identity = {};
    identities.set(req, identity);
    try {
      const header = req.get('authorization');
      const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
      if (header !== undefined) {
        const m = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(header.trim());
        if (!m) throw authErrors.sessionInvalid();
        identity.principal = await this.session(identity, m[1]!, 'bearer');
      } else if (cookie !== undefined && cookie !== '') {
        identity.principal = await this.session(identity, cookie, 'cookie');
      } else if (this.demo) {
        const raw = (req.get('x-actor') ?? (req.method === 'GET' && typeof req.query.actor === 'string' ? req.query.actor : '')).trim();
        if (raw !== '') {
          identity.principal = demoPrincipal(raw);
          // DEMO mode believes x-actor: there is no session to end.
          identity.stands = () => true;
        }
      }
    } catch (e) {
      if (e instanceof OrderkitError) identity.error = e;
      else throw e;
    }
  }

  /** The principal of a session token, checked now, and how to tell later whether it still stands. */
  private async session(identity: Identity, token: string, via: 'bearer' | 'cookie'): Promise<Principal> {
    const { principal, expiresAt } = await this.tokens.verifySession(token, via);
    const p = await this.checked(principal, token);
    identity.stands = () => this.stands(p, token, expiresAt);
    return p;
  }

  /** How many signed-out tokens this process still remembers (they have not expired by themselves yet). */
  get revokedCount(): number {
    return this.revoked.size;
  }

  /** Signs a token out until it would have expired; forgets the revocations whose tokens have expired since. */
  private async revoke(token: string, via: 'bearer' | 'cookie'): Promise<void> {
    const now = this.now().getTime();
    for (const [t, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(t);
    // A token that no longer verifies (expired, forged) is refused already: nothing to remember.
    const session = await this.tokens.verifySession(token, via).catch(() => null);
    if (session !== null && session.expiresAt > now) this.revoked.set(token, session.expiresAt);
  }

  /** `checked` again, later: the token not revoked nor expired, a staff account still enabled in the same role. */
  private stands(p: Principal, token: string, expiresAt: number): boolean {
    if (this.revoked.has(token) || this.now().getTime() >= expiresAt) return false;
    if (p.role === 'shopper') return true;
    const account = this.staff.get(p.id);
    return account !== undefined && !account.disabled && account.role === p.role;
  }

  /** A staff token stands only while its account exists and is enabled; the role is the account's now. */
  private async checked(p: Principal, token: string): Promise<Principal> {
    if (this.revoked.has(token)) throw authErrors.sessionInvalid();
    if (p.role === 'shopper') return p;
    const account = this.staff.get(p.id);
    if (!account || account.disabled) throw authErrors.sessionInvalid();
    // The store comes from the account as it is now, never from the token.
    const { storeId: _fromToken, ...rest } = p;
    return { ...rest, role: account.role, ...(account.storeId !== undefined ? { storeId: account.storeId } : {}) };
  }

  /** The checks before a route's handler: who, CSRF for cookie sessions, JSON bodies only, write limits. */
  guard(access: Access, method: string, options: { rawBody?: boolean } = {}): RequestHandler[] {
    const chain: RequestHandler[] = [];
    const unsafe = UNSAFE.has(method.toUpperCase());
    if (unsafe && !options.rawBody) chain.push(jsonOnly);
    if (access !== 'public') {
      chain.push((req, _res, next) => {
        const identity = identities.get(req);
        const p = identity?.principal;
        if (!p) return next(identity?.error ?? authErrors.unauthenticated());
        if (access === 'staff' && p.role === 'shopper') return next(authErrors.staffOnly());
        if (access === 'admin' && p.role !== 'admin') return next(authErrors.adminOnly());
        next();
      });
      if (unsafe) {
        chain.push((req, _res, next) => {
          if (principalOf(req)?.via === 'cookie' && !this.csrf.validateRequest(req)) return next(authErrors.csrf());
          next();
        });
        chain.push(this.writeLimit);
      }
    }
    return chain;
  }

  private async startCookieSession(req: Request, res: Response, role: Role, id: string): Promise<{ expiresAt: string; csrfToken: string }> {
    const { token, expiresAt } = await this.tokens.issue(role, id);
    // maxAge (relative), not an absolute date: the browser's clock need not agree with ours.
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: this.secure, path: '/', maxAge: Date.parse(expiresAt) - this.now().getTime() });
    // The CSRF token is bound to the session it travels with: the one being set now.
    req.cookies = { ...(req.cookies as Record<string, string>), [SESSION_COOKIE]: token };
    return { expiresAt, csrfToken: this.csrf.generateCsrfToken(req, res, { overwrite: true }) };
  }

  /** The sign-in and staff-management routes. */
  routes(): Route[] {
    const me = (p: Principal) => ({ role: p.role, id: p.id, ...(p.role === 'shopper' ? { customerId: p.id } : {}) });
    return [
      {
        access: 'public',
        doc: {
          method: 'post',
          path: '/auth/wechat',
          operationId: 'signInWithWechat',
          summary: 'Shopper sign-in (wx.login code) 小程序登录',
          description: 'Trades the one-time code from `wx.login()` for the openid through code2Session and answers a bearer token for the mini program. Rate limited.',
          tags: ['auth'],
          body: WechatLoginSchema,
          success: { status: 200, description: '{ token, expiresAt, customerId }', schema: 'Any' },
          errors: [400, 401, 429],
        },
        handler: async (req, res) => {
          await runLimit(this.signInLimit, req, res);
          const { code } = parseBody(WechatLoginSchema, req);
          const session = await this.code2Session.exchange(code);
          if ('error' in session) throw authErrors.wechatLogin(session.error);
          const issued = await this.tokens.issue('shopper', session.openid);
          res.json({ ...issued, customerId: session.openid });
        },
      },
      {
        access: 'public',
        doc: {
          method: 'post',
          path: '/auth/login',
          operationId: 'staffLogin',
          summary: 'Staff sign-in 员工登录',
          description: 'User name and password (bcrypt). `mode: "cookie"` (default) sets the console\'s httpOnly session cookie and answers the CSRF token to send as x-csrf-token on every write; `mode: "token"` answers a bearer token. Rate limited.',
          tags: ['auth'],
          body: StaffLoginSchema,
          success: { status: 200, description: '{ user, expiresAt, csrfToken | token }', schema: 'Any' },
          errors: [400, 401, 429],
        },
        handler: async (req, res) => {
          await runLimit(this.signInLimit, req, res);
          const body = parseBody(StaffLoginSchema, req);
          const account = await this.staff.verify(body.username, body.password);
          if (!account) throw authErrors.badCredentials();
          if (body.mode === 'token') {
            res.json({ user: account, ...(await this.tokens.issue(account.role, account.username)) });
            return;
          }
          res.json({ user: account, ...(await this.startCookieSession(req, res, account.role, account.username)) });
        },
      },
      {
        doc: {
          method: 'post',
          path: '/auth/logout',
          operationId: 'logout',
          summary: 'Sign out 退出登录',
          description: 'Ends this session token now (also a bearer token), and clears the cookie.',
          tags: ['auth'],
          success: { status: 204, description: 'Signed out', schema: 'Text' },
          errors: [401, 403],
        },
        handler: async (req, res) => {
          const header = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
          const token = header ?? (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
          if (token) await this.revoke(token, header !== undefined ? 'bearer' : 'cookie');
          res.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' }).status(204).end();
        },
      },
      {
        doc: {
          method: 'get',
          path: '/auth/me',
          operationId: 'whoAmI',
          summary: 'Who am I 当前身份',
          description: 'The signed-in role and id; with a cookie session also a fresh CSRF token.',
          tags: ['auth'],
          success: { status: 200, description: '{ role, id, csrfToken? , demo }', schema: 'Any' },
          errors: [401],
        },
        handler: (req, res) => {
          const p = principalOf(req)!;
          const csrfToken = p.via === 'cookie' ? this.csrf.generateCsrfToken(req, res) : undefined;
          res.json({ ...me(p), via: p.via, demo: this.demo, ...(csrfToken ? { csrfToken } : {}) });
        },
      },
      {
        access: 'admin',
        doc: { method: 'get', path: '/staff', operationId: 'listStaff', summary: 'Staff accounts 员工账号', tags: ['auth'], success: { status: 200, description: '{ items: StaffAccount[] }', schema: 'Any' }, errors: [401, 403] },
        handler: (_req, res) => {
          res.json({ items: this.staff.list() });
        },
      },
      {
        access: 'admin',
        doc: {
          method: 'post',
          path: '/staff',
          operationId: 'createStaff',
          summary: 'Create a staff account 新建员工账号',
          tags: ['auth'],
          body: CreateStaffSchema,
          success: { status: 201, description: 'The account (never the password or its hash)', schema: 'Any' },
          errors: [400, 401, 403, 409, 422],
        },
        handler: async (req, res) => {
          const body = parseBody(CreateStaffSchema, req);
          res.status(201).json(await this.staff.create(body.username, body.password, body.role ?? 'staff', this.now(), body.storeId));
        },
      },
      {
        access: 'admin',
        doc: {
          method: 'post',
          path: '/staff/:username/disable',
          operationId: 'disableStaff',
          summary: 'Disable a staff account 停用员工账号',
          description: 'Its sessions stop working at once.',
          tags: ['auth'],
          success: { status: 200, description: 'The account', schema: 'Any' },
          errors: [400, 401, 403, 404],
        },
        handler: (req, res) => {
          const username = param(req, 'username');
          if (username === principalOf(req)!.id) {
            throw new OrderkitError({ code: 'FORBIDDEN', message: { 'zh-CN': '不能停用自己的账号', en: 'you cannot disable your own account' } });
          }
          res.json(this.staff.setDisabled(username, true));
        },
      },
    ];
  }
}

const notConfigured: Code2Session = {
  exchange() {
    throw new OrderkitError({
      code: 'NOT_CONFIGURED',
      message: { 'zh-CN': '未配置小程序登录（WECHAT_APPID / WECHAT_APP_SECRET）', en: 'WeChat sign-in is not configured (WECHAT_APPID / WECHAT_APP_SECRET)' },
    });
  },
};

/** express-rate-limit as a step inside a handler (the sign-in routes count before parsing). */
function runLimit(limit: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void limit(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
  });
}

/** A write carries JSON or nothing: a cross-site `text/plain` form post is refused before anything runs. */
const jsonOnly: RequestHandler = (req, _res, next) => {
  const length = Number(req.get('content-length') ?? '0');
  const hasBody = length > 0 || req.get('transfer-encoding') !== undefined;
  if (hasBody && !req.is('application/json')) return next(authErrors.mediaType());
  next();
};

export type { StaffAccount as Account };
