-- ARGV: ttl ('' = keep the session's retention), now, expected_version ('' = unconditional), author,
--       citation_json, field1, value1, ...
-- Working notes stay writable after the chatbot closes the session: that is when therapists write them.
local ttl, now, expected, author, citation = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local bad = type_error(10) or writable_error(true)
if bad then return redis.error_reply(bad) end
local current = tonumber(redis.call('HGET', K_CONTEXT, 'version')) or 0
if expected ~= '' and tonumber(expected) ~= current then
  return {'conflict', redis.call('HGETALL', K_CONTEXT)}
end
local version = current + 1
for i = 6, #ARGV, 2 do
  redis.call('HSET', K_CONTEXT, ARGV[i], ARGV[i + 1])
end
redis.call('HSET', K_CONTEXT, 'version', version, 'last_summarized', now, 'notes_updated_by', author)
redis.call('RPUSH', K_CITATIONS, with_field(citation, 'version', version))
redis.call('HSET', K_META, 'last_updated', now)
if ttl == '' then align_ttl() else refresh_ttl(ttl) end
return {'ok', redis.call('HGETALL', K_CONTEXT)}
