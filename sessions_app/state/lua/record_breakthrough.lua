-- ARGV: ttl, now, epoch, breakthrough_json, citation_json
local ttl, now, epoch, member, citation = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local bad = type_error(8, 10) or writable_error(false)
if bad then return redis.error_reply(bad) end
redis.call('ZADD', K_BREAKTHROUGHS, epoch, member)
redis.call('HINCRBY', K_META, 'breakthrough_count', 1)
redis.call('RPUSH', K_CITATIONS, citation)
redis.call('HSET', K_META, 'last_updated', now)
refresh_ttl(ttl)
return 'OK'
