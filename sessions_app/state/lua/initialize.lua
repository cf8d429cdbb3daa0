-- ARGV: ttl, now, conversation_id, model, session_id, citation_json, then seeded context field/value pairs
--       (the client's guidance; checked in Python), written in the same atomic step.
local ttl, now, conversation_id, model, session_id, citation = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local bad = type_error(2, 9, 10, 11)
if bad then return redis.error_reply(bad) end
if redis.call('EXISTS', K_META) == 1 then return redis.error_reply('EXISTS session already exists') end
redis.call('HSET', K_META,
  'conversation_id', conversation_id, 'started_at', now, 'last_updated', now, 'last_model', model,
  'status', 'active', 'message_count', 0, 'milestone_count', 0, 'breakthrough_count', 0)
redis.call('HSET', K_EMOTION,
  'current_emotion', 'neutral', 'emotion_intensity', 0, 'emotion_confidence', 0,
  'last_emotion_change', '', 'emotion_tracking_id', '')
redis.call('HSET', K_CONTEXT,
  'current_theme', '', 'therapeutic_focus', '', 'client_state_summary', '', 'session_notes', '',
  'last_summarized', '', 'version', 0, 'notes_updated_by', '')
for i = 7, #ARGV, 2 do
  redis.call('HSET', K_CONTEXT, ARGV[i], ARGV[i + 1])
end
redis.call('SADD', K_INDEX, session_id)
redis.call('RPUSH', K_CITATIONS, citation)
refresh_ttl(ttl)
return 'OK'
