-- P: ttl_ms, slack_ms, now, epoch (score), emotion (absent: the current one); members: milestone
-- (without its message count and emotion, which this script prepends), citation.
-- Returns the stored milestone member.
local bad = writable_error(false) or type_error(7)
if bad then return redis.error_reply(bad) end
local emotion = P.emotion or redis.call('HGET', K_EMOTION, 'current_emotion')
local count = tonumber(redis.call('HGET', K_META, 'message_count')) or 0
local member = prepend(P.milestone, 2, mp_uint(count) .. mp_str(emotion))
redis.call('RPUSH', K_CITATIONS, P.citation)  -- the first write
redis.call('ZADD', K_MILESTONES, P.epoch, member)
redis.call('HINCRBY', K_META, 'milestone_count', 1)
redis.call('HSET', K_META, 'last_updated', P.now)
settle_ttl(unexpiring(K_CITATIONS, K_MILESTONES))
return member
