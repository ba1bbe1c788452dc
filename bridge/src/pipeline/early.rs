//! Audio chunks that arrive before their turn's start.
//!
//! A satellite publishes `wake` and `audio/start` at QoS 1 and the chunks at QoS 0, in that
//! order, but MQTT orders messages per QoS level only: when the broker's in-flight window
//! to the bridge is full of QoS 1 messages (a few hundred satellites starting at once),
//! it holds the start back and lets the chunks that followed it through. Dropping those
//! chunks would cut the first word of the question, so they wait here, a little while and
//! in bounded number, for their start.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use hive_topics::{AudioChunk, SatelliteId};

/// Chunks held per satellite: two seconds of 40 ms chunks, more than a delayed start
/// stays behind its stream.
const MAX_CHUNKS: usize = 50;
/// Satellites with held chunks at once; beyond, chunks of new satellites are dropped.
const MAX_SATELLITES: usize = 1024;
/// Chunks whose start has not come by then never will (the start was refused or lost).
const MAX_AGE: Duration = Duration::from_secs(5);

/// Held chunks, per satellite, of one session each.
#[derive(Debug, Default)]
pub(crate) struct EarlyAudio {
    held: HashMap<SatelliteId, Held>,
}

#[derive(Debug)]
struct Held {
    session: u32,
    since: Instant,
    chunks: Vec<AudioChunk>,
}

impl Held {
    fn new(session: u32, since: Instant) -> Self {
        Held {
            session,
            since,
            chunks: Vec::new(),
        }
    }
}

impl EarlyAudio {
    /// Keeps `chunk` of a session that has no turn yet. A chunk of another session than
    /// the one held replaces it (the satellite moved on). Returns false when the chunk is
    /// dropped: the satellite already has [`MAX_CHUNKS`] waiting, or [`MAX_SATELLITES`]
    /// others do.
    pub(crate) fn hold(
        &mut self,
        satellite: &SatelliteId,
        chunk: AudioChunk,
        now: Instant,
    ) -> bool {
        if !self.held.contains_key(satellite) && self.held.len() >= MAX_SATELLITES {
            self.held
                .retain(|_, held| now.duration_since(held.since) < MAX_AGE);
            if self.held.len() >= MAX_SATELLITES {
                return false;
            }
        }
        let held = self
            .held
            .entry(satellite.clone())
            .or_insert_with(|| Held::new(chunk.session, now));
        if held.session != chunk.session || now.duration_since(held.since) >= MAX_AGE {
            *held = Held::new(chunk.session, now);
        }
        if held.chunks.len() >= MAX_CHUNKS {
            return false;
        }
        held.chunks.push(chunk);
        true
    }

    /// The chunks held for `session` of `satellite`, in stream order; the others of that
    /// satellite are dropped.
    pub(crate) fn take(&mut self, satellite: &SatelliteId, session: u32) -> Vec<AudioChunk> {
        match self.held.remove(satellite) {
            Some(held) if held.session == session => {
                let mut chunks = held.chunks;
                chunks.sort_by_key(|chunk| chunk.seq);
                chunks
            }
            _ => Vec::new(),
        }
    }

    /// Forgets what `satellite` has waiting (its turn was refused).
    pub(crate) fn forget(&mut self, satellite: &SatelliteId) {
        self.held.remove(satellite);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(session: u32, seq: u32) -> AudioChunk {
        AudioChunk {
            session,
            seq,
            pcm: vec![0; 4],
        }
    }

    fn seqs(chunks: &[AudioChunk]) -> Vec<u32> {
        chunks.iter().map(|chunk| chunk.seq).collect()
    }

    #[test]
    fn chunks_wait_for_their_start_and_come_out_in_stream_order() {
        let kitchen = SatelliteId::new("kitchen").unwrap();
        let mut early = EarlyAudio::default();
        let now = Instant::now();
        for seq in [1, 0, 2] {
            assert!(early.hold(&kitchen, chunk(7, seq), now));
        }
        assert!(
            early.take(&kitchen, 8).is_empty(),
            "another session's start"
        );
        for seq in [1, 0, 2] {
            early.hold(&kitchen, chunk(7, seq), now);
        }
        assert_eq!(seqs(&early.take(&kitchen, 7)), [0, 1, 2]);
        assert!(early.take(&kitchen, 7).is_empty(), "taken once");
    }

    #[test]
    fn a_new_session_or_old_chunks_replace_what_was_held() {
        let kitchen = SatelliteId::new("kitchen").unwrap();
        let mut early = EarlyAudio::default();
        let now = Instant::now();
        early.hold(&kitchen, chunk(7, 0), now);
        early.hold(&kitchen, chunk(9, 0), now);
        assert_eq!(seqs(&early.take(&kitchen, 9)), [0]);
        early.hold(&kitchen, chunk(9, 0), now);
        early.hold(&kitchen, chunk(9, 1), now + MAX_AGE);
        assert_eq!(
            seqs(&early.take(&kitchen, 9)),
            [1],
            "the stale chunk was dropped"
        );
    }

    #[test]
    fn holding_is_bounded_per_satellite_and_in_satellites() {
        let kitchen = SatelliteId::new("kitchen").unwrap();
        let mut early = EarlyAudio::default();
        let now = Instant::now();
        for seq in 0..MAX_CHUNKS as u32 {
            assert!(early.hold(&kitchen, chunk(1, seq), now));
        }
        assert!(!early.hold(&kitchen, chunk(1, 999), now));
        for index in 1..MAX_SATELLITES {
            let other = SatelliteId::new(format!("sat-{index}")).unwrap();
            assert!(early.hold(&other, chunk(1, 0), now));
        }
        let one_more = SatelliteId::new("one-more").unwrap();
        assert!(!early.hold(&one_more, chunk(1, 0), now), "full");
        assert!(
            early.hold(&one_more, chunk(1, 0), now + MAX_AGE),
            "room once the others' chunks are stale"
        );
        early.forget(&one_more);
        assert!(early.take(&one_more, 1).is_empty());
    }
}
