-- ARGV: ttl, now, model ('' = unchanged), citation_json (no event), emotion_log_limit
-- Records the resume (and a model switch) and returns the whole session in the same atomic step.
local ttl, now, model, citation = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local bad = type_error()
if bad then return redis.error_reply(bad) end
local status = redis.call('HGET', K_META, 'status')
if not status then return redis.error_reply('NOSESSION session does not exist') end
if status == 'active' then
  local event = 'session resumed'
  local previous_model = redis.call('HGET', K_META, 'last_model')
  redis.call('HSET', K_META, 'last_resumed', now)
  if model ~= '' and model ~= previous_model then
    redis.call('HSET', K_META, 'last_model', model)
    event = 'session resumed; model switched from ' .. tostring(previous_model) .. ' to ' .. model
  end
  redis.call('RPUSH', K_CITATIONS, with_field(citation, 'event', cjson.encode(event)))
  refresh_ttl(ttl)
end
return {
  redis.call('HGETALL', K_META),
  redis.call('HGETALL', K_EMOTION),
  -- The chatbot needs the recent journey, not years of it: the log is bounded on this hot path.
  redis.call('LRANGE', K_ELOG, -tonumber(ARGV[5]), -1),
  redis.call('LRANGE', K_MSGS, 0, -1),
  redis.call('ZRANGE', K_MILESTONES, 0, -1),
  redis.call('ZRANGE', K_BREAKTHROUGHS, 0, -1),
  redis.call('HGETALL', K_CONTEXT),
  redis.call('LLEN', K_OVERFLOW),
}
