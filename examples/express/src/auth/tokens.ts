import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { authErrors } from './errors.js';

export type Role = 'shopper' | 'staff' | 'admin';

export interface Principal {
  role: Role;
  /** The shopper's openid (their customer id) or the staff member's user name. */
  id: string;
  /** How the request proved it: a bearer token, the console's session cookie, or DEMO mode's x-actor. */
  via: 'bearer' | 'cookie' | 'demo';
  /**
   * The pickup store a staff account works at, read from the account on every request (never from
   * the token): its pickup verifications name that store (docs/express.md "Sign-in").
   */
  storeId?: string;
}

const ISSUER = 'orderkit-example';

/**
 * Signed session tokens (JWT, HS256, through `jose`): the mini program keeps one as a bearer token,
 * the console in an httpOnly cookie. The secret is at least 32 bytes (ORDERKIT_SESSION_SECRET).
 */
export class SessionTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string | Uint8Array,
    private readonly ttlSeconds: { shopper: number; staff: number },
    private readonly now: () => Date = () => new Date(),
  ) {
    this.key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
    if (this.key.length < 32) throw new Error('the session secret must be at least 32 bytes');
  }

  async issue(role: Role, id: string): Promise<{ token: string; expiresAt: string }> {
    const iat = Math.floor(this.now().getTime() / 1000);
    const exp = iat + (role === 'shopper' ? this.ttlSeconds.shopper : this.ttlSeconds.staff);
    const token = await new SignJWT({ role }).setProtectedHeader({ alg: 'HS256' }).setSubject(id).setIssuer(ISSUER).setJti(randomUUID()).setIssuedAt(iat).setExpirationTime(exp).sign(this.key);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** The principal a token names; SESSION_EXPIRED or SESSION_INVALID otherwise. */
  async verify(token: string, via: 'bearer' | 'cookie'): Promise<Principal> {
    return (await this.verifySession(token, via)).principal;
  }

  /** `verify`, and when the token stops standing by itself (its `exp`, in ms since the epoch). */
  async verifySession(token: string, via: 'bearer' | 'cookie'): Promise<{ principal: Principal; expiresAt: number }> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER, currentDate: this.now() });
      const role = payload.role;
      if ((role !== 'shopper' && role !== 'staff' && role !== 'admin') || typeof payload.sub !== 'string' || payload.sub === '') throw authErrors.sessionInvalid();
      // Every token this class issues has an exp; one without is not ours.
      if (typeof payload.exp !== 'number') throw authErrors.sessionInvalid();
      return { principal: { role, id: payload.sub, via }, expiresAt: payload.exp * 1000 };
    } catch (e) {
      if (e instanceof errors.JWTExpired) throw authErrors.sessionExpired();
      throw authErrors.sessionInvalid();
    }
  }
}
