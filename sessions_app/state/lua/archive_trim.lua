-- P: session_id, overflow_count, citations_count, archived_at (absent: leave unset), delete (true:
-- remove the closed session); members: overflow_first, overflow_last, citations_first, citations_last
-- (the first and last member the archiver committed, absent when it committed none).
-- Removes from the head of overflow and citations exactly the members the archiver has committed to
-- the database, and only while they are still there: a member appended meanwhile is never removed,
-- and if another archiver trimmed first nothing is removed twice. Members are unique (each carries
-- its seq or citation id) and the lists only grow at the tail, so an unchanged first and last member
-- means the whole committed range is still the head. No TTL refresh: archiving is not activity.
local bad = type_error()
if bad then return redis.error_reply(bad) end
-- An expired session must not be brought back as a partial hash without a TTL.
if redis.call('EXISTS', K_META) == 0 then return {0, 0, 'gone'} end

local function trim(key, count, first, last)
  if count == 0 then return 0 end
  if redis.call('LINDEX', key, 0) ~= first or redis.call('LINDEX', key, count - 1) ~= last then
    return 0
  end
  redis.call('LTRIM', key, count, -1)
  return count
end

local trimmed_overflow = trim(K_OVERFLOW, P.overflow_count, P.overflow_first, P.overflow_last)
local trimmed_citations = trim(K_CITATIONS, P.citations_count, P.citations_first, P.citations_last)
if P.archived_at then redis.call('HSET', K_META, 'archived_at', P.archived_at) end

-- Every write appends a citation, so empty lists mean nothing changed since the committed read.
if P.delete and redis.call('HGET', K_META, 'status') == 'closed'
    and redis.call('LLEN', K_OVERFLOW) == 0 and redis.call('LLEN', K_CITATIONS) == 0 then
  for i = 1, #KEYS - 1 do redis.call('DEL', KEYS[i]) end
  redis.call('SREM', K_INDEX, P.session_id)
  return {trimmed_overflow, trimmed_citations, 'deleted'}
end
return {trimmed_overflow, trimmed_citations, 'kept'}
