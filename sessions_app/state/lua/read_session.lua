-- P: with_citations (true: also the pending citations); page_size and page (optional: also the
-- part of that transcript page still in overflow; no page: the last). Reads only (flags=no-writes): allowed
-- while Redis is out of memory or is a replica, where MULTI is refused; it leaves every TTL alone. A
-- key of the wrong type comes back as an error element in its own place, so the caller degrades just
-- that section. One call gives the dashboard's session page everything it shows from Redis.
local result = {
  redis.pcall('HGETALL', K_META),
  redis.pcall('HGETALL', K_EMOTION),
  redis.pcall('LRANGE', K_ELOG, 0, -1),
  redis.pcall('LRANGE', K_MSGS, 0, -1),
  redis.pcall('ZRANGE', K_MILESTONES, 0, -1),
  redis.pcall('ZRANGE', K_BREAKTHROUGHS, 0, -1),
  redis.pcall('HGETALL', K_CONTEXT),
  redis.pcall('LLEN', K_OVERFLOW),
  false,
  false,
}
if P.with_citations then result[9] = redis.pcall('LRANGE', K_CITATIONS, 0, -1) end
local n_over, msgs = result[8], result[4]
if P.page_size and type(n_over) == 'number' and n_over > 0 and not msgs.err then
  -- Overflow then window hold consecutive seqs ending at message_count: positions follow from the
  -- lengths alone. The page's seqs are [first, last]; overflow holds [live_first, live_first + n_over).
  local count = tonumber(redis.pcall('HGET', K_META, 'message_count')) or 0
  local pages = math.max(1, math.ceil(count / P.page_size))
  local page = P.page or pages
  if page < 1 then page = 1 elseif page > pages then page = pages end
  local first, last = (page - 1) * P.page_size + 1, math.min(page * P.page_size, count)
  local live_first = count - n_over - #msgs + 1
  local from, to = math.max(first, live_first) - live_first, math.min(last, live_first + n_over - 1) - live_first
  local part = {}
  if to >= from then part = redis.call('LRANGE', K_OVERFLOW, from, to) end
  result[10] = {live_first + from, part}
end
return result
