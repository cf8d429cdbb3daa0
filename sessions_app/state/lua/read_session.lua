-- ARGV: with_citations ('1'/'0'). Reads only (flags=no-writes): allowed while Redis is out of
-- memory or is a replica, where MULTI is refused; it leaves every TTL alone. A key of the wrong
-- type comes back as an error element in its own place, so the caller degrades just that section.
local result = {
  redis.pcall('HGETALL', K_META),
  redis.pcall('HGETALL', K_EMOTION),
  redis.pcall('LRANGE', K_ELOG, 0, -1),
  redis.pcall('LRANGE', K_MSGS, 0, -1),
  redis.pcall('ZRANGE', K_MILESTONES, 0, -1),
  redis.pcall('ZRANGE', K_BREAKTHROUGHS, 0, -1),
  redis.pcall('HGETALL', K_CONTEXT),
  redis.pcall('LLEN', K_OVERFLOW),
}
if ARGV[1] == '1' then result[9] = redis.pcall('LRANGE', K_CITATIONS, 0, -1) end
return result
