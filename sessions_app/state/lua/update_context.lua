-- P: ttl_ms (absent: keep the session's retention), slack_ms, now, expected_version (absent:
-- unconditional), author, fields (JSON object of field -> text); members: citation (without the note
-- version, which this script prepends).
-- Working notes stay writable after the chatbot closes the session: that is when therapists write them.
local bad = writable_error(true)
if bad then return redis.error_reply(bad) end
local current = tonumber(redis.call('HGET', K_CONTEXT, 'version')) or 0  -- proves K_CONTEXT
if P.expected_version and P.expected_version ~= current then
  return {'conflict', redis.call('HGETALL', K_CONTEXT)}
end
local version = current + 1
redis.call('RPUSH', K_CITATIONS, prepend(P.citation, 1, mp_uint(version)))  -- the first write
for name, value in pairs(P.fields) do
  redis.call('HSET', K_CONTEXT, name, value)
end
redis.call('HSET', K_CONTEXT, 'version', version, 'last_summarized', P.now, 'notes_updated_by', P.author)
redis.call('HSET', K_META, 'last_updated', P.now)
local created = unexpiring(K_CITATIONS, K_CONTEXT)
if P.ttl_ms then settle_ttl(created) else align_created(created) end
return {'ok', redis.call('HGETALL', K_CONTEXT)}
