-- ARGV: ttl, window, now, message_id, message_json (no seq), citation_json,
--       has_emotion, emotion, intensity, confidence, emotion_citation_id, emotion_entry_json, emotion_citation_json
local ttl, window, now, message_id, body, citation = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local bad
if ARGV[7] == '1' then bad = type_error(2, 3, 4, 5, 10) else bad = type_error(4, 5, 10) end
bad = bad or writable_error(false)
if bad then return redis.error_reply(bad) end

-- Idempotency: a message id seen before is answered with the stored message, never stored twice.
local existing = redis.call('HGET', K_MSGIDS, message_id)
if existing then
  local seq = tonumber(existing)
  local count = tonumber(redis.call('HGET', K_META, 'message_count')) or 0
  local window_first = count - redis.call('LLEN', K_MSGS) + 1
  local stored = false
  if seq >= window_first then
    stored = redis.call('LINDEX', K_MSGS, seq - window_first)
  else
    local overflow_first = window_first - redis.call('LLEN', K_OVERFLOW)
    if seq >= overflow_first then stored = redis.call('LINDEX', K_OVERFLOW, seq - overflow_first) end
  end
  return {'duplicate', existing, stored}
end

local seq = redis.call('HINCRBY', K_META, 'message_count', 1)
redis.call('RPUSH', K_MSGS, with_field(body, 'seq', seq))
redis.call('HSET', K_MSGIDS, message_id, seq)
-- Nothing is lost at the window edge: what leaves the window waits in overflow for the archiver.
local excess = redis.call('LLEN', K_MSGS) - window
while excess > 0 do
  redis.call('LMOVE', K_MSGS, K_OVERFLOW, 'LEFT', 'RIGHT')
  excess = excess - 1
end
redis.call('RPUSH', K_CITATIONS, citation)
if ARGV[7] == '1' then
  apply_emotion(ARGV[8], ARGV[9], ARGV[10], now, ARGV[11], ARGV[12], ARGV[13])
end
redis.call('HSET', K_META, 'last_updated', now)
refresh_ttl(ttl)
return {'ok', tostring(seq)}
