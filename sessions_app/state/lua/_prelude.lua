-- Shared prelude, prepended to every script by sessions_app/state/script_loader.py. Each
-- `-- @block NAME` defines NAME; a script gets only the blocks it uses (by name, and the blocks those
-- use), since every run of a script creates each of its functions again.
-- KEYS arrive in the fixed order of keys.SessionKeys.all(); all share the {user_id} hash tag.
local K_META, K_EMOTION, K_ELOG, K_MSGS, K_OVERFLOW, K_MSGIDS = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local K_MILESTONES, K_BREAKTHROUGHS, K_CONTEXT, K_CITATIONS, K_INDEX = KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]

-- Named arguments: ARGV[1] is one JSON object, decoded once here into P. Members are MessagePack,
-- which JSON cannot carry: they follow as ARGV[2], ARGV[3], ..., named in that order by P.members.
local P = ARGV[1] and cjson.decode(ARGV[1]) or {}
if P.members then
  for i, name in ipairs(P.members) do P[name] = ARGV[i + 1] end
end

-- @block type_error
local EXPECTED_TYPES = {'hash', 'hash', 'list', 'list', 'list', 'hash', 'zset', 'zset', 'hash', 'list', 'set'}

-- Lua in Redis does not roll back: a write that fails half-way leaves the first half applied. So
-- before its first write a script must know the type of every key it writes. A read of a key proves
-- its type (a wrong type fails the read, before any write); the first write needs no proof (if it
-- fails, nothing has changed yet); every other key is checked here. No arguments: all keys.
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

-- @block writable_error
-- Returns an error string when the session cannot take chatbot writes, else nil (proves K_META).
local function writable_error(allow_closed)
  local status = redis.call('HGET', K_META, 'status')
  if not status then return 'NOSESSION session does not exist' end
  if status == 'closed' and not allow_closed then return 'CLOSED session is closed' end
  return nil
end

-- @block int
-- ------------------------------------------------------------------ one expiry instant per session
-- Every key of a session expires at the same instant (PEXPIREAT of one absolute time), so keys never
-- expire one by one into a partial session.

local function int(n) return string.format('%d', n) end  -- never "1.7e+12" in a command argument

-- @block refresh_all
local function refresh_all()
  redis.call('PEXPIRE', K_META, int(P.ttl_ms))
  local at = int(redis.call('PEXPIRETIME', K_META))
  for i = 2, #KEYS do redis.call('PEXPIREAT', KEYS[i], at) end
end

-- @block align_created
-- Keys this write created have no TTL yet: they get the session's expiry instant at once.
local function align_created(created)
  if #created == 0 then return end
  local at = redis.call('PEXPIRETIME', K_META)
  if at < 0 then return end
  for _, key in ipairs(created) do redis.call('PEXPIREAT', key, int(at)) end
end

-- @block settle_ttl
-- A chatbot write slides the session's lifetime. Sliding it by a few seconds is not worth eleven
-- EXPIREs (and their AOF records) on every write: all TTLs are refreshed only once the remaining
-- lifetime has dropped by more than the slack (P.slack_ms, default 1 % of the TTL).
local function settle_ttl(created)
  if redis.call('PTTL', K_META) < P.ttl_ms - P.slack_ms then  -- also -1: no TTL yet
    refresh_all()
  else
    align_created(created)
  end
end

-- @block unexpiring
-- The keys among the arguments that exist without a TTL (created by this write), for rare writes
-- where a few PTTLs cost nothing; the append script knows what it created from its replies.
local function unexpiring(...)
  local found = {}
  for _, key in ipairs({...}) do
    if redis.call('PTTL', key) == -1 then found[#found + 1] = key end
  end
  return found
end

-- @block mp_uint
-- ------------------------------------------------------------------ MessagePack
-- Members are packed by the client (sessions_app/state/members.py) as arrays whose leading fields
-- are left for the script: these encoders pack those few values and prepend them.

local function mp_uint(n)
  if n < 128 then return string.char(n) end
  if n < 65536 then return string.char(0xcd, math.floor(n / 256), n % 256) end
  return string.char(0xce, math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256,
    math.floor(n / 256) % 256, n % 256)
end

-- @block mp_str
local function mp_str(s)
  if not s then return '\192' end  -- nil
  local n = #s
  if n < 32 then return string.char(0xa0 + n) .. s end
  if n < 256 then return string.char(0xd9, n) .. s end
  if n < 65536 then return string.char(0xda, math.floor(n / 256), n % 256) .. s end
  return string.char(0xdb, math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256,
    math.floor(n / 256) % 256, n % 256) .. s
end

-- @block prepend
-- `count` packed values in front of a packed array (a fixarray: at most 15 elements in all).
local function prepend(member, count, packed)
  return string.char(string.byte(member, 1) + count) .. packed .. string.sub(member, 2)
end

-- @block apply_emotion
-- Sets the current emotion, logs the transition (with the emotion it starts from) and its citation.
-- The caller has proved K_EMOTION (the HGET in `previous`), K_ELOG and K_CITATIONS before any write.
local function apply_emotion(previous, now, created)
  local added = redis.call('HSET', K_EMOTION,
    'current_emotion', P.emotion, 'emotion_intensity', P.intensity, 'emotion_confidence', P.confidence,
    'last_emotion_change', now, 'emotion_tracking_id', P.emotion_citation_id)
  if added == 5 then created[#created + 1] = K_EMOTION end  -- none of its fields existed: a new hash
  if redis.call('RPUSH', K_ELOG, prepend(P.transition, 1, mp_str(previous))) == 1 then
    created[#created + 1] = K_ELOG
  end
  if redis.call('RPUSH', K_CITATIONS, P.emotion_citation) == 1 then created[#created + 1] = K_CITATIONS end
end
