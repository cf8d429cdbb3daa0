-- P: ttl_ms, slack_ms, now, model (absent: unchanged); members: citation (without the note version and
-- event, which this script prepends). Records a resume (and a model switch) and returns the small
-- parts of the session; it runs first in the MULTI/EXEC whose two LRANGEs then read the emotion log
-- and the messages (manager.resume_session), so the record and the read are one atomic step. Those
-- two go outside Lua because passing a hundred messages through Lua values costs the server eight
-- times what a plain LRANGE does. Every key the read returns is checked here, before the first
-- write: a key of the wrong type refuses the resume whole.
local meta = redis.call('HMGET', K_META, 'status', 'last_model')  -- proves K_META
if not meta[1] then return redis.error_reply('NOSESSION session does not exist') end
local bad = type_error(2, 3, 4, 5, 7, 8, 9)
if bad then return redis.error_reply(bad) end
local function parts()
  return {
    redis.call('HGETALL', K_META),
    redis.call('HGETALL', K_EMOTION),
    redis.call('ZRANGE', K_MILESTONES, 0, -1),
    redis.call('ZRANGE', K_BREAKTHROUGHS, 0, -1),
    redis.call('HGETALL', K_CONTEXT),
    redis.call('LLEN', K_OVERFLOW),
  }
end
if meta[1] ~= 'active' then return parts() end  -- a closed session is read, not resumed
local switched = P.model and P.model ~= meta[2]
local event = mp_uint(4)  -- members.EVENT_CODES["session resumed"]
if switched then
  event = mp_str('session resumed; model switched from ' .. tostring(meta[2]) .. ' to ' .. P.model)
end
-- The first write is the citation: [version (none), event, type, id, time].
local created = {}
if redis.call('RPUSH', K_CITATIONS, prepend(P.citation, 2, '\192' .. event)) == 1 then
  created[1] = K_CITATIONS
end
if switched then redis.call('HSET', K_META, 'last_model', P.model) end
redis.call('HSET', K_META, 'last_resumed', P.now)
settle_ttl(created)
return parts()
