-- P: ttl_ms, now, conversation_id, model, session_id, context (optional: the client's guidance as
-- field -> text, checked in Python, seeded in the same atomic step); members: citation.
local bad = type_error(2, 9, 11)
if bad then return redis.error_reply(bad) end
if redis.call('EXISTS', K_META) == 1 then return redis.error_reply('EXISTS session already exists') end
redis.call('RPUSH', K_CITATIONS, P.citation)  -- the first write
redis.call('HSET', K_META,
  'conversation_id', P.conversation_id, 'started_at', P.now, 'last_updated', P.now, 'last_model', P.model,
  'status', 'active', 'message_count', 0, 'milestone_count', 0, 'breakthrough_count', 0)
redis.call('HSET', K_EMOTION,
  'current_emotion', 'neutral', 'emotion_intensity', 0, 'emotion_confidence', 0,
  'last_emotion_change', '', 'emotion_tracking_id', '')
redis.call('HSET', K_CONTEXT,
  'current_theme', '', 'therapeutic_focus', '', 'client_state_summary', '', 'session_notes', '',
  'last_summarized', '', 'version', 0, 'notes_updated_by', '')
if type(P.context) == 'table' then
  for name, value in pairs(P.context) do redis.call('HSET', K_CONTEXT, name, value) end
end
redis.call('SADD', K_INDEX, P.session_id)
refresh_all()
return 'OK'
