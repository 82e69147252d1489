import bcrypt from 'bcryptjs';
import { OrderkitError } from '../orderkit/index.js';

export type StaffRole = 'staff' | 'admin';

export interface StaffAccount {
  username: string;
  role: StaffRole;
  disabled: boolean;
  createdAt: string;
  /** The pickup store (到店自提) the account works at: it hands over only that store's orders (docs/delivery.md). */
  storeId?: string;
}

interface Stored extends StaffAccount {
  hash: string;
}

const USERNAME = /^[a-z0-9][a-z0-9_.-]{1,31}$/;

/**
 * The merchant's staff accounts, passwords hashed with bcrypt (bcryptjs, pure JavaScript: nothing to
 * compile). Kept in memory here; a deployment keeps the same records in its own database table
 * (docs/express.md, "Deployment"). Every check runs one bcrypt comparison, also for an unknown
 * user, so the answer time does not tell which user names exist.
 */
export class StaffAccounts {
  private readonly accounts = new Map<string, Stored>();
  private readonly dummy: string;

  /** `cost`: bcrypt's work factor (12 in production; tests pass 4 to stay quick). */
  constructor(private readonly cost = 12) {
    this.dummy = bcrypt.hashSync('not-a-password', cost);
  }

  async create(username: string, password: string, role: StaffRole = 'staff', now = new Date(), storeId?: string): Promise<StaffAccount> {
    if (!USERNAME.test(username)) {
      throw new OrderkitError({
        code: 'INVALID_INPUT',
        message: { 'zh-CN': '用户名须为 2–32 个小写字母、数字或 _ . -', en: 'a user name is 2–32 lower-case letters, digits or _ . -' },
        path: ['body', 'username'],
      });
    }
    if (typeof password !== 'string' || password.length < 10 || password.length > 72) {
      throw new OrderkitError({
        code: 'WEAK_PASSWORD',
        message: { 'zh-CN': '密码须为 10–72 个字符', en: 'a password has 10 to 72 characters' },
        path: ['body', 'password'],
      });
    }
    if (this.accounts.has(username)) {
      throw new OrderkitError({ code: 'ACCOUNT_EXISTS', message: { 'zh-CN': `账号 ${username} 已存在`, en: `account ${username} already exists` }, path: ['body', 'username'] });
    }
    const stored: Stored = { username, role, disabled: false, createdAt: now.toISOString(), ...(storeId !== undefined ? { storeId } : {}), hash: await bcrypt.hash(password, this.cost) };
    this.accounts.set(username, stored);
    return view(stored);
  }

  /** The account if the password is right and the account is enabled; null otherwise. */
  async verify(username: string, password: string): Promise<StaffAccount | null> {
    const stored = this.accounts.get(username);
    const ok = await bcrypt.compare(password, stored?.hash ?? this.dummy);
    return ok && stored && !stored.disabled ? view(stored) : null;
  }

  get(username: string): StaffAccount | undefined {
    const stored = this.accounts.get(username);
    return stored ? view(stored) : undefined;
  }

  list(): StaffAccount[] {
    return [...this.accounts.values()].map(view).sort((a, b) => a.username.localeCompare(b.username));
  }

  setDisabled(username: string, disabled: boolean): StaffAccount {
    const stored = this.accounts.get(username);
    if (!stored) throw new OrderkitError({ code: 'NOT_FOUND', message: { 'zh-CN': `找不到账号 ${username}`, en: `no account ${username}` }, path: ['params', 'username'] });
    stored.disabled = disabled;
    return view(stored);
  }
}

function view(s: Stored): StaffAccount {
  return { username: s.username, role: s.role, disabled: s.disabled, createdAt: s.createdAt, ...(s.storeId !== undefined ? { storeId: s.storeId } : {}) };
}
