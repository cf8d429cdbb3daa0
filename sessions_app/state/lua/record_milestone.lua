-- ARGV: ttl, now, epoch, milestone_json (no emotion, no message_count), citation_json, emotion ('' = current)
local ttl, now, epoch, body, citation, emotion = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local bad = type_error(7, 10) or writable_error(false)
if bad then return redis.error_reply(bad) end
if emotion == '' then emotion = redis.call('HGET', K_EMOTION, 'current_emotion') end
local count = tonumber(redis.call('HGET', K_META, 'message_count')) or 0
local member = with_field(with_field(body, 'emotion', json_string_or_null(emotion)), 'message_count', count)
redis.call('ZADD', K_MILESTONES, epoch, member)
redis.call('HINCRBY', K_META, 'milestone_count', 1)
redis.call('RPUSH', K_CITATIONS, citation)
redis.call('HSET', K_META, 'last_updated', now)
refresh_ttl(ttl)
return member
