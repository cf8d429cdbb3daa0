-- Shared prelude, prepended to every state-changing script by sessions_app/scripts.py.
-- KEYS arrive in the fixed order of keys.SessionKeys.all(); all share the {user_id} hash tag.
local K_META, K_EMOTION, K_ELOG, K_MSGS, K_OVERFLOW, K_MSGIDS = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local K_MILESTONES, K_BREAKTHROUGHS, K_CONTEXT, K_CITATIONS, K_INDEX = KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]

local EXPECTED_TYPES = {'hash', 'hash', 'list', 'list', 'list', 'hash', 'zset', 'zset', 'hash', 'list', 'set'}

-- Lua in Redis does not roll back: a write that fails half-way leaves the first half applied.
-- So every script checks, before its first write, the type of each key it writes without having
-- read it first (a read of a key of the wrong type fails before any write anyway), and refuses the
-- whole change. With no arguments, all keys are checked.
local function type_error(...)
  local indexes = {...}
  if #indexes == 0 then
    for i = 1, #KEYS do indexes[i] = i end
  end
  for _, i in ipairs(indexes) do
    local t = redis.call('TYPE', KEYS[i])
    if type(t) == 'table' then t = t['ok'] end
    if t ~= 'none' and t ~= EXPECTED_TYPES[i] then
      return 'CORRUPT key ' .. i .. ' of the session holds a ' .. t .. ', expected a ' .. EXPECTED_TYPES[i]
    end
  end
  return nil
end

-- Every write refreshes the TTL of every key of the session together, so keys never expire one by one.
local function refresh_ttl(ttl)
  for i = 1, #KEYS do
    redis.call('EXPIRE', KEYS[i], ttl)
  end
end

-- For writes that must not extend retention (a therapist's notes): keys this write created get the
-- session's remaining lifetime, so all keys still expire together.
local function align_ttl()
  local remaining = redis.call('PTTL', K_META)
  if remaining < 0 then return end
  for i = 1, #KEYS - 1 do
    if redis.call('PTTL', KEYS[i]) == -1 then redis.call('PEXPIRE', KEYS[i], remaining) end
  end
end

-- Inserts a server-side field at the front of a JSON object built by the client.
local function with_field(json_object, name, raw_value)
  return '{"' .. name .. '":' .. raw_value .. ',' .. string.sub(json_object, 2)
end

local function json_string_or_null(value)
  if value then return cjson.encode(value) end
  return 'null'
end

-- Returns an error string when the session cannot take chatbot writes, else nil.
local function writable_error(allow_closed)
  local status = redis.call('HGET', K_META, 'status')
  if not status then return 'NOSESSION session does not exist' end
  if status == 'closed' and not allow_closed then return 'CLOSED session is closed' end
  return nil
end

-- Sets the current emotion and appends the transition (with the previous emotion) to the log.
local function apply_emotion(emotion, intensity, confidence, now, citation_id, entry_json, citation_json)
  local previous = redis.call('HGET', K_EMOTION, 'current_emotion')
  redis.call('HSET', K_EMOTION,
    'current_emotion', emotion, 'emotion_intensity', intensity, 'emotion_confidence', confidence,
    'last_emotion_change', now, 'emotion_tracking_id', citation_id)
  redis.call('RPUSH', K_ELOG, with_field(entry_json, 'from', json_string_or_null(previous)))
  redis.call('RPUSH', K_CITATIONS, citation_json)
end
