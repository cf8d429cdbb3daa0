-- P: ttl_ms, slack_ms, now; members: citation.
local bad = writable_error(true)
if bad then return redis.error_reply(bad) end
if redis.call('HGET', K_META, 'status') == 'closed' then return 'ALREADY' end
redis.call('RPUSH', K_CITATIONS, P.citation)  -- the first write
redis.call('HSET', K_META, 'status', 'closed', 'closed_at', P.now, 'last_updated', P.now)
settle_ttl(unexpiring(K_CITATIONS))
return 'OK'
