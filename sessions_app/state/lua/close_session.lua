-- ARGV: ttl, now, citation_json
local ttl, now, citation = ARGV[1], ARGV[2], ARGV[3]
local bad = type_error(10) or writable_error(true)
if bad then return redis.error_reply(bad) end
if redis.call('HGET', K_META, 'status') == 'closed' then return 'ALREADY' end
redis.call('HSET', K_META, 'status', 'closed', 'closed_at', now, 'last_updated', now)
redis.call('RPUSH', K_CITATIONS, citation)
refresh_ttl(ttl)
return 'OK'
