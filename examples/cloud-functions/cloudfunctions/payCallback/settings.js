// Settings of the `payCallback` function, from its environment variables.
function readSettings(env) {
  return {
    // Stock (docs/inventory.md): held in the cloud database with every order. INVENTORY=off turns it
    // off; set the same value on order, payCallback and sweeper.
    inventory: env.INVENTORY !== 'off',
    // cloudPay: our merchant id; a callback for another one is refused.
    subMchId: env.SUB_MCH_ID || '',
    // Pay v3 notifications (PAY_MODE=v3): who we are, the APIv3 key, and the platform public keys
    // or certificates by serial / PUB_KEY_ID (JSON: { "PUB_KEY_ID_…": "-----BEGIN PUBLIC KEY-----…" }).
    appid: env.WECHATPAY_APPID || '',
    mchid: env.WECHATPAY_MCHID || '',
    apiV3Key: env.WECHATPAY_APIV3_KEY || '',
    platformKeys: env.WECHATPAY_PLATFORM_KEYS ? JSON.parse(env.WECHATPAY_PLATFORM_KEYS) : {},
  };
}

module.exports = { readSettings };
