import { createHash } from 'node:crypto';
import { request } from 'node:https';

/**
 * The WeChat mini program login: the page calls `wx.login()`, sends the one-time `code` to the
 * server, and the server trades it for the user's openid through `code2Session`
 * (`GET /sns/jscode2session`). This port is that trade; the example ships a stand-in for tests
 * and the demo, and a client for the real endpoint.
 */
export interface Code2Session {
  exchange(code: string): Promise<{ openid: string; unionid?: string } | { error: string }>;
}

/**
 * The stand-in: `demo-<name>` signs in as the shopper `o_demo_<name>`; any other code gets an
 * openid derived from it, so the same code is the same shopper. Never used outside demo mode.
 */
export function standInCode2Session(): Code2Session {
  return {
    async exchange(code) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(code)) return { error: 'invalid code' };
      if (code.startsWith('demo-')) return { openid: `o_demo_${code.slice(5)}` };
      return { openid: `o_${createHash('sha256').update(code).digest('base64url').slice(0, 26)}` };
    },
  };
}

/** The real `code2Session` client (host from WECHAT_API_HOST, default WeChat's). */
export function wechatCode2Session(options: { appid: string; secret: string; host?: string; timeoutMs?: number }): Code2Session {
  return {
    exchange(code) {
      const q = new URLSearchParams({ appid: options.appid, secret: options.secret, js_code: code, grant_type: 'authorization_code' });
      return new Promise((resolve) => {
        const req = request(
          { host: options.host ?? 'api.weixin.qq.com', path: `/sns/jscode2session?${q.toString()}`, method: 'GET', timeout: options.timeoutMs ?? 5000 },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => {
              try {
                const body = JSON.parse(text) as { openid?: string; unionid?: string; errcode?: number; errmsg?: string };
                if (typeof body.openid === 'string' && body.openid !== '') {
                  resolve({ openid: body.openid, ...(body.unionid ? { unionid: body.unionid } : {}) });
                } else {
                  resolve({ error: `errcode ${body.errcode ?? '?'}` });
                }
              } catch {
                resolve({ error: 'unreadable answer' });
              }
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', () => resolve({ error: 'WeChat did not answer' }));
        req.end();
      });
    },
  };
}
