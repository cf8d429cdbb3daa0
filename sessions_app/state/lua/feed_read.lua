-- P: after_seq, upper_seq. The messages with after_seq < seq <= upper_seq that Redis still holds.
-- Overflow then window hold consecutive seqs ending at metadata.message_count, so positions follow
-- from the lengths alone: no member is parsed here. Read-only (flags=no-writes); TTLs untouched.
-- Returns {first seq held, overflow part, window part}; a key of the wrong type is an error element.
local after, upper = P.after_seq, P.upper_seq
local count = tonumber(redis.call('HGET', K_META, 'message_count') or '0') or 0
local n_over = redis.pcall('LLEN', K_OVERFLOW)
local n_win = redis.pcall('LLEN', K_MSGS)
if type(n_over) ~= 'number' or type(n_win) ~= 'number' then
  return {count + 1, redis.pcall('LRANGE', K_OVERFLOW, 0, 0), redis.pcall('LRANGE', K_MSGS, 0, 0)}
end
local first = count - n_over - n_win + 1
if upper > count then upper = count end
local from = math.max(after + 1, first) - first   -- 0-based position in overflow .. window
local to = upper - first
local over, win = {}, {}
if to >= from then
  if from < n_over then over = redis.call('LRANGE', K_OVERFLOW, from, math.min(to, n_over - 1)) end
  if to >= n_over then win = redis.call('LRANGE', K_MSGS, math.max(from - n_over, 0), to - n_over) end
end
return {first, over, win}
