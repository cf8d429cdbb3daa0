-- ARGV: ttl, now, emotion, intensity, confidence, citation_id, entry_json, citation_json
local ttl, now = ARGV[1], ARGV[2]
local bad = type_error(3, 10) or writable_error(false)
if bad then return redis.error_reply(bad) end
apply_emotion(ARGV[3], ARGV[4], ARGV[5], now, ARGV[6], ARGV[7], ARGV[8])
redis.call('HSET', K_META, 'last_updated', now)
refresh_ttl(ttl)
return 'OK'
