-- P: none. The live part of a session's message history: overflow (oldest first), then the window.
-- Read-only (flags=no-writes): allowed while Redis is out of memory or is a replica, where MULTI is
-- refused; it leaves every TTL alone. A key of the wrong type comes back as an error element.
return {
  redis.call('EXISTS', K_META),
  redis.pcall('LRANGE', K_OVERFLOW, 0, -1),
  redis.pcall('LRANGE', K_MSGS, 0, -1),
}
