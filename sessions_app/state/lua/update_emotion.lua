-- P: ttl_ms, slack_ms, now, emotion, intensity, confidence (text), emotion_citation_id;
-- members: transition (without the emotion it starts from), emotion_citation.
local bad = writable_error(false)
if bad then return redis.error_reply(bad) end
local previous = redis.call('HGET', K_EMOTION, 'current_emotion')  -- proves K_EMOTION
redis.call('LLEN', K_ELOG)  -- proves K_ELOG
redis.call('LLEN', K_CITATIONS)  -- proves K_CITATIONS
local created = {}
apply_emotion(previous, P.now, created)
redis.call('HSET', K_META, 'last_updated', P.now)
settle_ttl(created)
return 'OK'
