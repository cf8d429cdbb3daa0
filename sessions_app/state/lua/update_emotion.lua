-- P: ttl_ms, slack_ms, now, emotion, intensity, confidence (text), emotion_citation_id;
-- members: transition (without the emotion it starts from), emotion_citation.
local bad = writable_error(false)
if bad then return redis.error_reply(bad) end
local previous = redis.call('HGET', K_EMOTION, 'current_emotion')  -- proves K_EMOTION
redis.call('LLEN', K_ELOG)  -- proves K_ELOG
local created = {}
-- apply_emotion's last write (citations) goes first here: a wrong type there then changes nothing.
if redis.call('RPUSH', K_CITATIONS, P.emotion_citation) == 1 then created[#created + 1] = K_CITATIONS end
P.emotion_citation = nil
local added = redis.call('HSET', K_EMOTION,
  'current_emotion', P.emotion, 'emotion_intensity', P.intensity, 'emotion_confidence', P.confidence,
  'last_emotion_change', P.now, 'emotion_tracking_id', P.emotion_citation_id)
if added == 5 then created[#created + 1] = K_EMOTION end
if redis.call('RPUSH', K_ELOG, prepend(P.transition, 1, mp_str(previous))) == 1 then
  created[#created + 1] = K_ELOG
end
redis.call('HSET', K_META, 'last_updated', P.now)
settle_ttl(created)
return 'OK'
