//! [`OversizeReplies`]: the error report a satellite gets when it sends a payload over its
//! limit. The connection task applies it; this decides whether, and what, to send.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use hive_topics::{ErrorReport, Outbound, ParseError, SatelliteId, Topics};

/// At most one report per satellite per this long: a satellite that floods the bridge with
/// oversized messages must not get a flood back.
const QUIET: Duration = Duration::from_secs(1);

/// Remembers when each satellite was last told.
#[derive(Debug, Default)]
pub(crate) struct OversizeReplies {
    last: HashMap<SatelliteId, Instant>,
}

impl OversizeReplies {
    /// The report for a refused message, when it was refused for its size, came from a
    /// satellite, and that satellite was not told in the last second.
    pub(crate) fn reply(
        &mut self,
        topics: &Topics,
        topic: &str,
        error: &ParseError,
        now: Instant,
    ) -> Option<Outbound> {
        let ParseError::TooLarge { kind, max, .. } = error else {
            return None;
        };
        let satellite = topics.sender(topic)?;
        self.last.retain(|_, at| now.duration_since(*at) < QUIET);
        if self.last.contains_key(&satellite) {
            return None;
        }
        self.last.insert(satellite.clone(), now);
        let report = ErrorReport {
            session: None,
            code: error.code().into(),
            message: format!("A {kind} message was larger than the {max} bytes allowed."),
            recoverable: true,
        };
        Some(topics.encode_error(&satellite, &report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn too_large() -> ParseError {
        ParseError::TooLarge {
            kind: "audio_chunk",
            size: 20_000,
            max: 16_384,
        }
    }

    #[test]
    fn an_oversized_satellite_message_gets_one_report_a_second() {
        let topics = Topics::default();
        let mut replies = OversizeReplies::default();
        let now = Instant::now();
        let topic = "hive/satellite/kitchen/audio/chunk";
        let report = replies.reply(&topics, topic, &too_large(), now).unwrap();
        assert_eq!(report.topic, "hive/satellite/kitchen/error");
        match topics.parse(&report.topic, &report.payload).unwrap() {
            hive_topics::Inbound::Error { error, .. } => {
                assert_eq!(error.code, "payload_too_large");
                assert!(error.message.contains("16384"), "{}", error.message);
            }
            other => panic!("{other:?}"),
        }
        assert!(replies.reply(&topics, topic, &too_large(), now).is_none());
        let later = now + QUIET;
        assert!(replies.reply(&topics, topic, &too_large(), later).is_some());
    }

    #[test]
    fn other_errors_and_other_senders_get_none() {
        let topics = Topics::default();
        let mut replies = OversizeReplies::default();
        let now = Instant::now();
        let malformed = ParseError::Json {
            kind: "wake",
            message: "eof".into(),
        };
        assert!(
            replies
                .reply(&topics, "hive/satellite/kitchen/wake", &malformed, now)
                .is_none()
        );
        // `say` and `ask` come from automations, which have no error topic.
        assert!(
            replies
                .reply(&topics, "hive/ask", &too_large(), now)
                .is_none()
        );
        assert!(
            replies
                .reply(&topics, "hive/satellite/kitchen/reply", &too_large(), now)
                .is_none()
        );
    }
}
