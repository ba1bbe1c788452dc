//! A reply's sentences, released in index order whatever order they arrive in.

use std::collections::BTreeMap;

/// One sentence of speech.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// Its index in the reply.
    pub index: u32,
    /// Mono samples.
    pub samples: Vec<i16>,
    /// Their rate.
    pub sample_rate: u32,
    /// Whether it is the reply's last.
    pub last: bool,
}

/// Holds sentences that arrived early until those before them are here.
#[derive(Debug, Clone, Default)]
pub struct ReplyQueue {
    next: u32,
    waiting: BTreeMap<u32, Sentence>,
    complete: bool,
}

impl ReplyQueue {
    /// Adds a sentence; returns those now ready, in order. Duplicates and sentences after
    /// the last are ignored.
    pub fn push(&mut self, sentence: Sentence) -> Vec<Sentence> {
        if self.complete || sentence.index < self.next {
            return Vec::new();
        }
        self.waiting.entry(sentence.index).or_insert(sentence);
        self.release()
    }

    /// Gives up on the missing sentence(s) before the first waiting one (lost, or its
    /// synthesis failed) and returns what that releases.
    pub fn skip_gap(&mut self) -> Vec<Sentence> {
        if let Some(&first) = self.waiting.keys().next() {
            self.next = first;
        }
        self.release()
    }

    /// Whether the last sentence has been released.
    pub fn complete(&self) -> bool {
        self.complete
    }

    /// Whether sentences wait behind a gap.
    pub fn has_waiting(&self) -> bool {
        !self.waiting.is_empty()
    }

    fn release(&mut self) -> Vec<Sentence> {
        let mut ready = Vec::new();
        while let Some(sentence) = self.waiting.remove(&self.next) {
            self.next += 1;
            let last = sentence.last;
            ready.push(sentence);
            if last {
                self.complete = true;
                self.waiting.clear();
                break;
            }
        }
        ready
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(index: u32, last: bool) -> Sentence {
        Sentence {
            index,
            samples: vec![index as i16],
            sample_rate: 16_000,
            last,
        }
    }

    fn indices(sentences: &[Sentence]) -> Vec<u32> {
        sentences.iter().map(|s| s.index).collect()
    }

    #[test]
    fn sentences_come_out_in_order() {
        let mut queue = ReplyQueue::default();
        assert_eq!(indices(&queue.push(sentence(1, false))), Vec::<u32>::new());
        assert!(queue.has_waiting());
        assert_eq!(indices(&queue.push(sentence(0, false))), [0, 1]);
        assert_eq!(
            indices(&queue.push(sentence(0, false))),
            Vec::<u32>::new(),
            "duplicate"
        );
        assert_eq!(indices(&queue.push(sentence(3, true))), Vec::<u32>::new());
        assert_eq!(indices(&queue.push(sentence(2, false))), [2, 3]);
        assert!(queue.complete());
        assert!(queue.push(sentence(4, false)).is_empty(), "after the last");
    }

    #[test]
    fn a_gap_can_be_skipped() {
        let mut queue = ReplyQueue::default();
        queue.push(sentence(0, false));
        queue.push(sentence(2, false));
        queue.push(sentence(3, true));
        assert_eq!(indices(&queue.skip_gap()), [2, 3]);
        assert!(queue.complete());
    }
}
