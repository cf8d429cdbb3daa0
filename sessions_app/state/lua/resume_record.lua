-- P: ttl_ms, slack_ms, now, model (absent: unchanged); members: citation (without the note version and
-- event, which this script prepends). Records a resume (and a model switch). It runs first in the
-- MULTI/EXEC whose plain reads then return the session (manager.resume_session), so the record and
-- the read are one atomic step. The reads go outside Lua because a reply passed through Lua values
-- costs the server several times what the plain command does (a hundred messages eight times; even
-- the small hashes, three times). Every key those reads return is checked here, before the first
-- write: a key of the wrong type refuses the resume whole. Returns 1 when recorded, 0 for a closed
-- session (read, not resumed).
local meta = redis.call('HMGET', K_META, 'status', 'last_model')  -- proves K_META
if not meta[1] then return redis.error_reply('NOSESSION session does not exist') end
local bad = type_error(2, 3, 4, 5, 7, 8, 9)
if bad then return redis.error_reply(bad) end
if meta[1] ~= 'active' then return 0 end
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
if switched then
  redis.call('HSET', K_META, 'last_model', P.model, 'last_resumed', P.now)
else
  redis.call('HSET', K_META, 'last_resumed', P.now)
end
settle_ttl(created)
return 1
