-- P: batch (size), full (true: the whole session; false: only what waits in overflow and citations)
-- The archiver's read: one atomic snapshot, read-only (runs while Redis is out of memory or is a
-- replica), and it leaves every TTL alone. A key of the wrong type comes back as an error element in
-- its own place; the archiver then refuses to archive that session rather than guess.
local batch = P.batch
local result = {
  redis.pcall('HGETALL', K_META),
  redis.call('PTTL', K_META),
  redis.pcall('LLEN', K_OVERFLOW),
  redis.pcall('LLEN', K_CITATIONS),
  redis.pcall('LRANGE', K_OVERFLOW, 0, batch - 1),
  redis.pcall('LRANGE', K_CITATIONS, 0, batch - 1),
}
if P.full then
  result[7] = redis.pcall('HGETALL', K_EMOTION)
  result[8] = redis.pcall('LRANGE', K_ELOG, 0, -1)
  result[9] = redis.pcall('LRANGE', K_MSGS, 0, -1)
  result[10] = redis.pcall('ZRANGE', K_MILESTONES, 0, -1)
  result[11] = redis.pcall('ZRANGE', K_BREAKTHROUGHS, 0, -1)
  result[12] = redis.pcall('HGETALL', K_CONTEXT)
end
return result
