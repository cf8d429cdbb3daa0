-- P: ttl_ms, slack_ms, window, now (ISO time), id (the message id); members: message (without its seq,
-- which this script prepends), citation. With an emotion also: emotion, intensity, confidence (text
-- for the emotion hash), emotion_citation_id; members transition (without the emotion it starts
-- from) and emotion_citation.
-- Returns the new message's seq, or {seq, stored member or false} when the id was stored before.
-- The hot path of the product: ten Redis calls at most when nothing needs a TTL refresh.
local meta = redis.call('HMGET', K_META, 'status', 'message_count')  -- proves K_META
if not meta[1] then return redis.error_reply('NOSESSION session does not exist') end
if meta[1] == 'closed' then return redis.error_reply('CLOSED session is closed') end

-- Idempotency: a message id seen before is answered with the stored message, never stored twice.
local existing = redis.call('HGET', K_MSGIDS, P.id)  -- proves K_MSGIDS
if existing then
  local seq = tonumber(existing)
  local count = tonumber(meta[2]) or 0
  local window_first = count - redis.call('LLEN', K_MSGS) + 1
  local stored = false
  if seq >= window_first then
    stored = redis.call('LINDEX', K_MSGS, seq - window_first)
  else
    local overflow_first = window_first - redis.call('LLEN', K_OVERFLOW)
    if seq >= overflow_first then stored = redis.call('LINDEX', K_OVERFLOW, seq - overflow_first) end
  end
  return {seq, stored}
end

local seq = (tonumber(meta[2]) or 0) + 1
local spill = redis.call('LLEN', K_MSGS) + 1 - P.window  -- proves K_MSGS; messages leaving the window
local overflow_was_empty = spill > 0 and redis.call('LLEN', K_OVERFLOW) == 0  -- proves K_OVERFLOW
local previous
if P.transition then
  previous = redis.call('HGET', K_EMOTION, 'current_emotion')  -- proves K_EMOTION
  redis.call('LLEN', K_ELOG)  -- proves K_ELOG
end

-- The first write: if K_CITATIONS holds the wrong type, it fails before anything has changed.
local created = {}
if redis.call('RPUSH', K_CITATIONS, P.citation) == 1 then created[#created + 1] = K_CITATIONS end
if redis.call('RPUSH', K_MSGS, prepend(P.message, 1, mp_uint(seq))) == 1 then
  created[#created + 1] = K_MSGS
end
redis.call('HSET', K_MSGIDS, P.id, seq)
if seq == 1 then created[#created + 1] = K_MSGIDS end
-- Nothing is lost at the window edge: what leaves the window waits in overflow for the archiver.
if spill > 0 then
  for _ = 1, spill do redis.call('LMOVE', K_MSGS, K_OVERFLOW, 'LEFT', 'RIGHT') end
  if overflow_was_empty then created[#created + 1] = K_OVERFLOW end
end
if P.transition then apply_emotion(previous, P.now, created) end
redis.call('HSET', K_META, 'message_count', seq, 'last_updated', P.now)
settle_ttl(created)
return seq
