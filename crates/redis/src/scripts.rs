//! The Lua scripts: each compare-and-set step runs on the server as one atomic unit.
//!
//! Scripts are sent once (`SCRIPT LOAD` on a `NOSCRIPT` reply) and then called by their hash.

use std::sync::LazyLock;

use redis::Script;

/// Deletes `KEYS[1]` only if it holds `ARGV[1]`: a lock or claim is released by its holder
/// only, never after it lapsed and someone else took it. Returns the number deleted.
pub(crate) static COMPARE_AND_DELETE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
",
    )
});

/// Marks the claim `KEYS[1]` done for `ARGV[2]` ms if it is still held as `ARGV[1]`. Returns
/// 1 when marked, 0 when the claim had lapsed (and may be someone else's now).
pub(crate) static COMPLETE_CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
  return 1
end
return 0
",
    )
});

/// Writes the record `KEYS[1]` and its entry in the index `KEYS[2]` only if the record is
/// still what the writer read: `ARGV[1]` is `1` when it read `ARGV[2]`, `0` when it read none.
/// `ARGV[3]` is the new document; `ARGV[4]` is `1` to index it as unsettled with score
/// `ARGV[5]` and member `ARGV[6]`, `0` to take it out. Returns 1 when written, 0 on conflict.
pub(crate) static PUT_RECORD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[6])
else
  redis.call('ZREM', KEYS[2], ARGV[6])
end
return 1
",
    )
});

/// Writes the session `KEYS[1]` as `ARGV[2]` only if its stored revision is `ARGV[1]` (empty:
/// only if there is none). Returns `{1, ''}` when written, `{0, current}` on conflict
/// (`current` empty when there is no session).
pub(crate) static SWAP_SESSION: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local current = redis.call('GET', KEYS[1])
if current then
  if ARGV[1] == '' or cjson.decode(current)['revision'] ~= tonumber(ARGV[1]) then
    return {0, current}
  end
elseif ARGV[1] ~= '' then
  return {0, ''}
end
redis.call('SET', KEYS[1], ARGV[2])
return {1, ''}
",
    )
});
