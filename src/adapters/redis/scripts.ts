/**
 * The Lua scripts of the Redis inventory (docs/inventory.md "Redis"). Redis runs a script alone,
 * so the stock check, the 限购 check and both decrements are one atomic step: no read before a
 * write. Every key lives under the current epoch (`<prefix>:<epoch>:…`), which `reconcile`
 * replaces as a whole from the PostgreSQL ledger; a script that finds no epoch answers
 * NOT_LOADED (Redis was restarted or flushed) and writes nothing.
 *
 * ARGV of HOLD: prefix, customer, phase policy, n, n × (sku, quantity).
 * Answers {'OK', epoch, sku1, q1, limitKey1, …} or {code, index, detail}.
 */
export const HOLD_LUA = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then return {'NOT_LOADED'} end
local base = ARGV[1] .. ':' .. epoch
local customer = ARGV[2]
local phase = ARGV[3]
local n = tonumber(ARGV[4])
local take = {}
for i = 0, n - 1 do
  local sku = ARGV[5 + 2 * i]
  local q = tonumber(ARGV[6 + 2 * i])
  local k = base .. ':sku:' .. sku
  local f = redis.call('HMGET', k, 'available', 'policy', 'perCustomer', 'limitKey')
  if not f[1] then return {'UNKNOWN_SKU', tostring(i), sku} end
  if f[2] == phase then table.insert(take, {k, sku, q, tonumber(f[1]), f[3], f[4], i}) end
end
for _, t in ipairs(take) do
  if t[4] < t[3] then return {'OUT_OF_STOCK', tostring(t[7]), tostring(t[4])} end
end
local want = {}
local per = {}
for _, t in ipairs(take) do
  if t[5] then
    local key = t[6]
    want[key] = (want[key] or 0) + t[3]
    local p = tonumber(t[5])
    if per[key] == nil or p < per[key] then per[key] = p end
  end
end
for _, t in ipairs(take) do
  if t[5] then
    local key = t[6]
    local had = tonumber(redis.call('HGET', base .. ':lim:' .. key, customer) or '0')
    if had + want[key] > per[key] then return {'LIMIT_REACHED', tostring(t[7]), tostring(had), key, tostring(per[key])} end
  end
end
local out = {'OK', epoch}
for _, t in ipairs(take) do
  redis.call('HINCRBY', t[1], 'available', -t[3])
  redis.call('HINCRBY', t[1], 'held', t[3])
  local key = ''
  if t[5] then
    key = t[6]
    redis.call('HINCRBY', base .. ':lim:' .. key, customer, t[3])
  end
  table.insert(out, t[2])
  table.insert(out, tostring(t[3]))
  table.insert(out, key)
end
return out
`;

/**
 * Gives units back, only while the epoch they were taken (or recorded) in is still current: after
 * a reconcile the ledger already counts them. A customer's 限购 count back at exactly zero is
 * deleted, so no field names a customer who holds nothing (docs/privacy.md "The inventory").
 * ARGV: prefix, epoch, customer, n, n × (sku, q, limitKey).
 */
export const GIVE_BACK_LUA = `
local epoch = redis.call('GET', KEYS[1])
if epoch ~= ARGV[2] then return 0 end
local base = ARGV[1] .. ':' .. epoch
local n = tonumber(ARGV[4])
for i = 0, n - 1 do
  local sku = ARGV[5 + 3 * i]
  local q = tonumber(ARGV[6 + 3 * i])
  local key = ARGV[7 + 3 * i]
  redis.call('HINCRBY', base .. ':sku:' .. sku, 'available', q)
  redis.call('HINCRBY', base .. ':sku:' .. sku, 'held', -q)
  if key ~= '' then
    local lim = base .. ':lim:' .. key
    if redis.call('HINCRBY', lim, ARGV[3], -q) == 0 then redis.call('HDEL', lim, ARGV[3]) end
  end
end
return 1
`;

/**
 * Personal data (docs/privacy.md "The inventory"): moves the 限购 units of an order the ledger has
 * just rewritten from the customer's field to the pseudonym's, only while the epoch is still
 * current (after a reconcile the ledger already counts them under the pseudonym). The customer's
 * field never goes below zero and is deleted at zero. ARGV: prefix, epoch, customer, pseudonym, n,
 * n × (limitKey, q).
 */
export const MOVE_LUA = `
local epoch = redis.call('GET', KEYS[1])
if epoch ~= ARGV[2] then return 0 end
local base = ARGV[1] .. ':' .. epoch
local n = tonumber(ARGV[5])
for i = 0, n - 1 do
  local k = base .. ':lim:' .. ARGV[6 + 2 * i]
  local q = tonumber(ARGV[7 + 2 * i])
  local left = tonumber(redis.call('HGET', k, ARGV[3]) or '0') - q
  if left > 0 then redis.call('HSET', k, ARGV[3], left) else redis.call('HDEL', k, ARGV[3]) end
  if q > 0 then redis.call('HINCRBY', k, ARGV[4], q) end
end
return 1
`;

/**
 * 换货 (docs/inventory.md "Exchanges"): takes units for an order that exists, whatever the SKU's
 * policy, all or nothing (UNKNOWN_SKU, OUT_OF_STOCK); the 限购 counts go up without a check (the
 * units stand in for units already counted and given back). Each item names the limit key its
 * ledger row already has ('' none), or "\1" for a new row (the SKU's own key).
 * ARGV: prefix, customer, n, n × (sku, quantity, limit key). Answers {'OK', epoch, sku1, q1, limitKey1, …}.
 */
export const TAKE_LUA = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then return {'NOT_LOADED'} end
local base = ARGV[1] .. ':' .. epoch
local customer = ARGV[2]
local n = tonumber(ARGV[3])
local take = {}
for i = 0, n - 1 do
  local sku = ARGV[4 + 3 * i]
  local q = tonumber(ARGV[5 + 3 * i])
  local keep = ARGV[6 + 3 * i]
  local k = base .. ':sku:' .. sku
  local f = redis.call('HMGET', k, 'available', 'perCustomer', 'limitKey')
  if not f[1] then return {'UNKNOWN_SKU', tostring(i), sku} end
  if tonumber(f[1]) < q then return {'OUT_OF_STOCK', tostring(i), f[1]} end
  local key = ''
  if keep ~= '\\1' then key = keep elseif f[2] then key = f[3] or sku end
  table.insert(take, {k, sku, q, key})
end
local out = {'OK', epoch}
for _, t in ipairs(take) do
  redis.call('HINCRBY', t[1], 'available', -t[3])
  redis.call('HINCRBY', t[1], 'held', t[3])
  if t[4] ~= '' then redis.call('HINCRBY', base .. ':lim:' .. t[4], customer, t[3]) end
  table.insert(out, t[2])
  table.insert(out, tostring(t[3]))
  table.insert(out, t[4])
end
return out
`;
