-- ARGV: session_id, overflow_count, overflow_first, overflow_last, citations_count, citations_first,
--       citations_last, archived_at ('' = leave unset), delete ('1' = remove the closed session)
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
  count = tonumber(count)
  if count == 0 then return 0 end
  if redis.call('LINDEX', key, 0) ~= first or redis.call('LINDEX', key, count - 1) ~= last then
    return 0
  end
  redis.call('LTRIM', key, count, -1)
  return count
end

local trimmed_overflow = trim(K_OVERFLOW, ARGV[2], ARGV[3], ARGV[4])
local trimmed_citations = trim(K_CITATIONS, ARGV[5], ARGV[6], ARGV[7])
if ARGV[8] ~= '' then redis.call('HSET', K_META, 'archived_at', ARGV[8]) end

-- Every write appends a citation, so empty lists mean nothing changed since the committed read.
if ARGV[9] == '1' and redis.call('HGET', K_META, 'status') == 'closed'
    and redis.call('LLEN', K_OVERFLOW) == 0 and redis.call('LLEN', K_CITATIONS) == 0 then
  for i = 1, #KEYS - 1 do redis.call('DEL', KEYS[i]) end
  redis.call('SREM', K_INDEX, ARGV[1])
  return {trimmed_overflow, trimmed_citations, 'deleted'}
end
return {trimmed_overflow, trimmed_citations, 'kept'}
