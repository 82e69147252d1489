// Settings of the `sweeper` function, from its environment variables.
function readSettings(env) {
  return {
    // Stock (docs/inventory.md): held in the cloud database with every order. INVENTORY=off turns it
    // off; set the same value on order, payCallback and sweeper.
    inventory: env.INVENTORY !== 'off',
    payMode: env.PAY_MODE === 'v3' ? 'v3' : 'cloudpay',
    subMchId: env.SUB_MCH_ID || '',
    callbackFunction: env.PAY_CALLBACK_FUNCTION || 'payCallback',
    appid: env.WECHATPAY_APPID || '',
    mchid: env.WECHATPAY_MCHID || '',
    serialNo: env.WECHATPAY_SERIAL_NO || '',
    apiHost: env.WECHATPAY_API_HOST || '',
    privateKey: (env.WECHATPAY_PRIVATE_KEY || '').replace(/\\n/g, '\n'),
    platformKeys: env.WECHATPAY_PLATFORM_KEYS ? JSON.parse(env.WECHATPAY_PLATFORM_KEYS) : {},
    refundNotifyUrl: env.WECHATPAY_REFUND_NOTIFY_URL || undefined,
    // 'formal' in production; 'trial' / 'developer' open the message in those versions.
    miniprogramState: env.MINIPROGRAM_STATE || 'formal',
    // The shop's phone for 顺丰 parcels (shown masked in the shipping info).
    shopPhone: env.SHOP_PHONE || '',
  };
}

module.exports = { readSettings };
