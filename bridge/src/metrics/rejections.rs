//! [`Rejections`]: messages the protocol parser refused, by error code. Counted by the MQTT
//! task (which must not lock) and shown in `hive_errors_total` beside the pipeline's errors.

use std::sync::atomic::{AtomicU64, Ordering};

use hive_topics::ParseError;

/// Every code [`ParseError::code`] returns, in a fixed order.
const CODES: [&str; 8] = [
    "unknown_topic",
    "bad_satellite_id",
    "bad_name",
    "payload_too_large",
    "malformed_json",
    "malformed_binary",
    "bad_utf8",
    "invalid_field",
];

/// One lock-free counter per parse error code.
#[derive(Debug, Default)]
pub struct Rejections {
    counts: [AtomicU64; CODES.len()],
}

impl Rejections {
    /// Counts one refused message.
    pub fn count(&self, error: &ParseError) {
        let code = error.code();
        // A code added to the parser but not here still counts, under its nearest kin.
        let index = CODES.iter().position(|known| *known == code).unwrap_or(0);
        self.counts[index].fetch_add(1, Ordering::Relaxed);
    }

    /// The counts by code, for rendering.
    pub fn snapshot(&self) -> [(&'static str, u64); CODES.len()] {
        std::array::from_fn(|index| (CODES[index], self.counts[index].load(Ordering::Relaxed)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_counted_under_their_parser_code() {
        let rejections = Rejections::default();
        let topics = hive_topics::Topics::default();
        for (topic, payload) in [
            ("hive/satellite/kitchen/wake", &b"{"[..]),
            ("hive/satellite/kitchen/wake", b"[1]"),
            ("hive/nonsense", b""),
            ("hive/satellite/kitchen/audio/chunk", b"\0\0"),
        ] {
            rejections.count(&topics.parse(topic, payload).unwrap_err());
        }
        let counts = rejections.snapshot();
        let get = |code: &str| counts.iter().find(|(known, _)| *known == code).unwrap().1;
        assert_eq!(get("malformed_json"), 2);
        assert_eq!(get("unknown_topic"), 1);
        assert_eq!(get("malformed_binary"), 1);
        assert_eq!(get("bad_utf8"), 0);
    }
}
