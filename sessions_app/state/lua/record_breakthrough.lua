-- P: ttl_ms, slack_ms, now, epoch (score); members: breakthrough, citation.
local bad = writable_error(false) or type_error(8)
if bad then return redis.error_reply(bad) end
redis.call('RPUSH', K_CITATIONS, P.citation)  -- the first write
redis.call('ZADD', K_BREAKTHROUGHS, P.epoch, P.breakthrough)
redis.call('HINCRBY', K_META, 'breakthrough_count', 1)
redis.call('HSET', K_META, 'last_updated', P.now)
settle_ttl(unexpiring(K_CITATIONS, K_BREAKTHROUGHS))
return 'OK'
