//! Which part of the conversation goes into the prompt.
//!
//! The model server keeps the keys and values of the last prompt and reads only what comes
//! after the part a new prompt shares with it. A window of the last N messages that slides by
//! one exchange every turn changes its first message every turn, so the whole history would
//! be read again each time: seconds on a small CPU. Instead the window starts at an anchor
//! that stays put while the conversation grows, and jumps forward, keeping the newest half,
//! only when the window is full: one full read every few turns instead of every turn.

use crate::context::{ContextEntry, Speaker};

/// Where the prompt's history starts in `entries` (the last `limit` messages, oldest first),
/// given the previous start `anchor` (that message's time): the same message while it is
/// still among them, else the newest half, beginning with a question. Returns the index and
/// the anchor for next time.
pub(crate) fn history_start(
    entries: &[ContextEntry],
    anchor: Option<u64>,
    limit: usize,
) -> (usize, Option<u64>) {
    let full = entries.len() >= limit;
    let start = match anchor {
        // Nothing was cut by the limit, or the anchor is still inside what was read.
        Some(anchor) if !full || entries.first().is_some_and(|first| first.at_ms <= anchor) => {
            entries.partition_point(|entry| entry.at_ms < anchor)
        }
        None => 0,
        Some(_) => {
            let half = entries.len().saturating_sub(limit / 2);
            entries[half..]
                .iter()
                .position(|entry| entry.speaker == Speaker::User)
                .map_or(half, |offset| half + offset)
        }
    };
    (
        start,
        entries.get(start).map(|entry| entry.at_ms).or(anchor),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation(count: u64) -> Vec<ContextEntry> {
        (0..count)
            .map(|n| ContextEntry {
                at_ms: 1_000 + n,
                speaker: if n % 2 == 0 {
                    Speaker::User
                } else {
                    Speaker::Assistant
                },
                text: format!("message {n}"),
                satellite: None,
                intent: None,
                lang: None,
            })
            .collect()
    }

    /// The last `limit` of `all`, as the store returns them.
    fn recent(all: &[ContextEntry], limit: usize) -> &[ContextEntry] {
        &all[all.len().saturating_sub(limit)..]
    }

    #[test]
    fn the_start_stays_while_the_conversation_grows_then_jumps_to_the_newest_half() {
        const LIMIT: usize = 12;
        let all = conversation(40);
        let mut anchor = None;
        let mut starts = Vec::new();
        // One exchange (two messages) per turn.
        for turn in 1..=20 {
            let window = recent(&all[..turn * 2], LIMIT);
            let (start, next) = history_start(window, anchor, LIMIT);
            anchor = next;
            let first = &window[start];
            assert_eq!(first.speaker, Speaker::User, "turn {turn}");
            assert!(window.len() - start <= LIMIT);
            starts.push(first.at_ms);
        }
        // The prompt's first message changes only every few turns, not every turn.
        let changes = starts.windows(2).filter(|pair| pair[0] != pair[1]).count();
        assert!(changes <= 20 / 3, "{starts:?}");
        // And the newest exchange is always in the prompt.
        let (start, _) = history_start(recent(&all, LIMIT), anchor, LIMIT);
        assert!(start < LIMIT);
    }

    #[test]
    fn a_short_conversation_is_read_whole() {
        let all = conversation(4);
        assert_eq!(history_start(&all, None, 12), (0, Some(1_000)));
        assert_eq!(history_start(&all, Some(1_000), 12), (0, Some(1_000)));
        assert_eq!(history_start(&[], None, 12), (0, None));
        assert_eq!(history_start(&[], Some(5), 12), (0, Some(5)));
    }

    #[test]
    fn an_anchor_older_than_what_was_read_starts_the_newest_half() {
        let all = conversation(30);
        let window = recent(&all, 12);
        let (start, anchor) = history_start(window, Some(1_000), 12);
        assert_eq!(start, 6);
        assert_eq!(anchor, Some(window[6].at_ms));
    }
}
