-- P: ttl_ms, slack_ms, now, model (absent: unchanged), emotion_log_limit; members: citation (without
-- the note version and event, which this script prepends).
-- Records the resume (and a model switch) and returns the whole session in the same atomic step.
-- Every read comes before the writes: a key of the wrong type fails its read, so nothing is written.
local meta = redis.call('HMGET', K_META, 'status', 'last_model')  -- proves K_META
if not meta[1] then return redis.error_reply('NOSESSION session does not exist') end
local reply = {
  false,  -- the metadata, read last (after this resume is recorded)
  redis.call('HGETALL', K_EMOTION),
  -- The chatbot needs the recent journey, not years of it: the log is bounded on this hot path.
  redis.call('LRANGE', K_ELOG, -P.emotion_log_limit, -1),
  redis.call('LRANGE', K_MSGS, 0, -1),
  redis.call('ZRANGE', K_MILESTONES, 0, -1),
  redis.call('ZRANGE', K_BREAKTHROUGHS, 0, -1),
  redis.call('HGETALL', K_CONTEXT),
  redis.call('LLEN', K_OVERFLOW),
}
if meta[1] == 'active' then
  local switched = P.model and P.model ~= meta[2]
  local event = mp_uint(4)  -- members.EVENT_CODES["session resumed"]
  if switched then
    event = mp_str('session resumed; model switched from ' .. tostring(meta[2]) .. ' to ' .. P.model)
  end
  -- The first write is the citation: [version (none), event, type, id, time].
  local created = {}
  if redis.call('RPUSH', K_CITATIONS, prepend(P.citation, 2, '\192' .. event)) == 1 then
    created[1] = K_CITATIONS
  end
  if switched then redis.call('HSET', K_META, 'last_model', P.model) end
  redis.call('HSET', K_META, 'last_resumed', P.now)
  settle_ttl(created)
end
reply[1] = redis.call('HGETALL', K_META)
return reply
