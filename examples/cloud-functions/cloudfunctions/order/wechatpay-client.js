// A minimal Pay v3 HTTPS client for PAY_MODE=v3: signs each request with orderkit's signRequest,
// sends it with Node's https module (cloud functions on Node 16 have no fetch), and verifies the
// signature of the answer before trusting it. orderkit itself never opens a connection.
// (The sweeper function carries the same file: cloud functions are deployed one by one.)
const https = require('https');

function createWechatPayClient(settings, wechatpay) {
  // The Pay API host from WeChat Pay's documentation, set as WECHATPAY_API_HOST.
  const host = settings.apiHost;
  function send(request) {
    if (!host) return Promise.reject(new Error('set WECHATPAY_API_HOST to the WeChat Pay API host'));
    const signed = wechatpay.signRequest({
      method: request.method,
      path: request.path,
      body: request.body,
      mchid: settings.mchid,
      serialNo: settings.serialNo,
      privateKey: settings.privateKey,
      nonce: wechatpay.createNonce(),
      timestamp: new Date(),
    });
    if (!signed.ok) return Promise.reject(signed.error);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host,
          path: request.path,
          method: request.method,
          headers: {
            Authorization: signed.authorization,
            Accept: 'application/json',
            'Content-Type': 'application/json',
            'User-Agent': 'orderkit-example',
          },
          timeout: 5000,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            if (raw.length > 0) {
              const verified = wechatpay.verifyWechatpaySignature({ headers: res.headers, rawBody: raw, keys: settings.platformKeys, now: new Date() });
              if (!verified.ok) return reject(verified.error);
            }
            const text = raw.toString('utf8');
            const body = text ? JSON.parse(text) : {};
            if (res.statusCode >= 300) {
              return reject(Object.assign(new Error(`WeChat Pay ${res.statusCode} ${body.code || ''}: ${body.message || ''}`), { statusCode: res.statusCode, body }));
            }
            resolve(body);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('WeChat Pay request timed out')));
      req.on('error', reject);
      if (signed.body) req.write(signed.body);
      req.end();
    });
  }
  return { send };
}

module.exports = { createWechatPayClient };
