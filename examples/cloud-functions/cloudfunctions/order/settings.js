// Settings of the `order` function, read from its environment variables (云函数 → 配置 → 环境变量),
// so that secrets never sit in the code. Only what this function needs.
function list(text) {
  return String(text || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function readSettings(env) {
  return {
    // Stock (docs/inventory.md): held in the cloud database with every order. INVENTORY=off turns it
    // off; set the same value on order, payCallback and sweeper.
    inventory: env.INVENTORY !== 'off',
    // 'cloudpay' (cloud.cloudPay, no certificates: the default) or 'v3' (your own merchant keys).
    payMode: env.PAY_MODE === 'v3' ? 'v3' : 'cloudpay',
    // cloudPay: the merchant id bound to this cloud environment (云开发控制台 → 设置 → 微信支付).
    subMchId: env.SUB_MCH_ID || '',
    // The function WeChat Pay calls back (this project's payCallback).
    callbackFunction: env.PAY_CALLBACK_FUNCTION || 'payCallback',
    // Pay v3 (PAY_MODE=v3): the mini program's AppID, merchant id, API key and certificate serial.
    appid: env.WECHATPAY_APPID || '',
    mchid: env.WECHATPAY_MCHID || '',
    serialNo: env.WECHATPAY_SERIAL_NO || '',
    apiHost: env.WECHATPAY_API_HOST || '',
    privateKey: (env.WECHATPAY_PRIVATE_KEY || '').replace(/\\n/g, '\n'),
    platformKeys: env.WECHATPAY_PLATFORM_KEYS ? JSON.parse(env.WECHATPAY_PLATFORM_KEYS) : {},
    notifyUrl: env.WECHATPAY_NOTIFY_URL || '',
    // OPENIDs of shop staff allowed to ship (a real shop uses an admin function or console).
    merchantOpenids: list(env.MERCHANT_OPENIDS),
  };
}

module.exports = { readSettings };
