//! The shared backend: Redis, for several bridges that serve one household. The conversation
//! is a sorted set scored by time, so that reads of the recent past and pruning of the old are
//! range commands done by the server; the timer book is one string, shared by every bridge of
//! the household and changed by compare-and-swap (a Lua script, atomic on the server).
//!
//! The client is redis' blocking one, like sled's calls: the pipeline runs store calls on
//! tokio's blocking pool. One connection behind a mutex is enough (a turn makes two or three
//! calls); it is opened lazily and dropped after any error, so that a restarted Redis is
//! reconnected on the next call instead of failing every call after.

use std::sync::Mutex;
use std::time::Duration;

use redis::{Client, Connection};

use super::entry::ContextEntry;
use super::store::{ContextStore, StoreError};
use super::timer_record::TimerRecordStore;

/// How long connecting, and then each command, may take: a stalled server must not hold a
/// turn for long (the turn is answered without memory instead).
const TIMEOUT: Duration = Duration::from_secs(2);

/// A conversation and a timer book in Redis, under keys that start with a prefix (the MQTT
/// prefix, so that two households can share one server).
pub struct RedisStore {
    client: Client,
    connection: Mutex<Option<Connection>>,
    conversation: String,
    sequence: String,
    timers: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("conversation", &self.conversation)
            .finish_non_exhaustive()
    }
}

fn error(action: &'static str) -> impl Fn(redis::RedisError) -> StoreError {
    move |error| StoreError {
        action,
        detail: error.to_string(),
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`, `redis+unix:///path`) and checks that the
    /// server answers.
    ///
    /// # Errors
    /// The URL is invalid or the server does not answer.
    pub fn open(url: &str, key_prefix: &str) -> Result<Self, StoreError> {
        let client = Client::open(url).map_err(error("open"))?;
        let store = RedisStore {
            client,
            connection: Mutex::new(None),
            conversation: format!("{key_prefix}:conversation"),
            sequence: format!("{key_prefix}:conversation:sequence"),
            timers: format!("{key_prefix}:timers"),
        };
        store.with("open", |connection| {
            redis::cmd("PING").query::<String>(connection)
        })?;
        Ok(store)
    }

    fn connect(&self) -> redis::RedisResult<Connection> {
        let connection = self.client.get_connection_with_timeout(TIMEOUT)?;
        connection.set_read_timeout(Some(TIMEOUT))?;
        connection.set_write_timeout(Some(TIMEOUT))?;
        Ok(connection)
    }

    /// Runs `command` on the connection, connecting first when there is none.
    fn with<T>(
        &self,
        action: &'static str,
        command: impl FnOnce(&mut Connection) -> redis::RedisResult<T>,
    ) -> Result<T, StoreError> {
        // A panic elsewhere while holding the lock leaves at worst a connection in an unknown
        // state: drop it and reconnect.
        let mut slot = self.connection.lock().unwrap_or_else(|poisoned| {
            let mut slot = poisoned.into_inner();
            *slot = None;
            slot
        });
        let mut connection = match slot.take() {
            Some(connection) => connection,
            None => self.connect().map_err(error(action))?,
        };
        let result = command(&mut connection).map_err(error(action));
        // After an error the reply stream may be out of step with the requests: start over.
        if result.is_ok() {
            *slot = Some(connection);
        }
        result
    }
}

/// A sorted-set member: a global sequence number, zero-padded so that entries of the same
/// millisecond sort in the order they were written, then the entry's JSON.
fn member(sequence: u64, entry: &[u8]) -> Vec<u8> {
    let mut member = format!("{sequence:020}|").into_bytes();
    member.extend_from_slice(entry);
    member
}

fn entry_of(member: &[u8]) -> Option<&[u8]> {
    let split = member.iter().position(|&byte| byte == b'|')?;
    Some(&member[split + 1..])
}

impl ContextStore for RedisStore {
    fn append(&self, entry: &ContextEntry) -> Result<(), StoreError> {
        let value = serde_json::to_vec(entry).map_err(|error| StoreError {
            action: "append",
            detail: error.to_string(),
        })?;
        self.with("append", |connection| {
            let sequence: u64 = redis::cmd("INCR").arg(&self.sequence).query(connection)?;
            redis::cmd("ZADD")
                .arg(&self.conversation)
                .arg(entry.at_ms)
                .arg(member(sequence, &value))
                .query::<()>(connection)
        })
    }

    fn recent(&self, limit: usize, since_ms: u64) -> Result<Vec<ContextEntry>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let members: Vec<Vec<u8>> = self.with("read", |connection| {
            redis::cmd("ZRANGE")
                .arg(&self.conversation)
                .arg("+inf")
                .arg(since_ms)
                .arg("BYSCORE")
                .arg("REV")
                .arg("LIMIT")
                .arg(0)
                .arg(limit)
                .query(connection)
        })?;
        let mut entries: Vec<ContextEntry> = members
            .iter()
            .filter_map(|member| {
                // A damaged record is skipped, not fatal, as in sled.
                let parsed = entry_of(member)
                    .map(serde_json::from_slice::<ContextEntry>)
                    .transpose();
                match parsed {
                    Ok(Some(entry)) => Some(entry),
                    Ok(None) | Err(_) => {
                        tracing::warn!("Skipping an unreadable conversation record.");
                        None
                    }
                }
            })
            .collect();
        entries.reverse();
        Ok(entries)
    }

    fn prune(&self, before_ms: u64) -> Result<usize, StoreError> {
        self.with("prune", |connection| {
            redis::cmd("ZREMRANGEBYSCORE")
                .arg(&self.conversation)
                .arg("-inf")
                .arg(format!("({before_ms}"))
                .query(connection)
        })
    }
}

impl TimerRecordStore for RedisStore {
    fn load_timers(&self) -> Result<Option<Vec<u8>>, StoreError> {
        self.with("load", |connection| {
            redis::cmd("GET").arg(&self.timers).query(connection)
        })
    }

    fn save_timers(&self, record: &[u8]) -> Result<(), StoreError> {
        self.with("save", |connection| {
            redis::cmd("SET")
                .arg(&self.timers)
                .arg(record)
                .query::<()>(connection)
        })
    }

    fn swap_timers(&self, expected: Option<&[u8]>, record: &[u8]) -> Result<bool, StoreError> {
        let swapped: i64 = self.with("save", |connection| {
            redis::cmd("EVAL")
                .arg(SWAP)
                .arg(1)
                .arg(&self.timers)
                .arg(if expected.is_some() { "1" } else { "0" })
                .arg(expected.unwrap_or_default())
                .arg(record)
                .query(connection)
        })?;
        Ok(swapped == 1)
    }
}

/// Compare-and-swap of one key, atomic on the server: `ARGV[1]` says whether the key is
/// expected to exist, `ARGV[2]` is its expected value, `ARGV[3]` the new one.
const SWAP: &str = r"
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_keep_the_entry_after_the_sequence() {
        let member = member(7, br#"{"text":"a|b"}"#);
        assert_eq!(&member[..21], b"00000000000000000007|");
        assert_eq!(entry_of(&member), Some(&br#"{"text":"a|b"}"#[..]));
        assert_eq!(entry_of(b"no separator"), None);
    }

    #[test]
    fn a_server_that_is_not_there_is_an_open_error() {
        // Port 1 on loopback: nothing listens there, and connecting fails at once.
        let error = RedisStore::open("redis://127.0.0.1:1/", "hive").unwrap_err();
        assert_eq!(error.action, "open");
        let error = RedisStore::open("not a url", "hive").unwrap_err();
        assert_eq!(error.action, "open");
    }
}
