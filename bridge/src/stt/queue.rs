//! The queue in front of speech-to-text: how many utterances are transcribed at once.
//!
//! Whisper already spreads one transcription over every core, so two at once on a small
//! machine each take twice as long and both answers come late; fifty at once (a houseful of
//! satellites ending their questions together) would also hold fifty decoding states in
//! memory and starve the VAD of the satellites still speaking. Utterances therefore wait
//! their turn here, on the async runtime, before a blocking thread is taken for them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Admits at most `parallel` transcriptions at once; cheap to clone.
#[derive(Debug, Clone)]
pub struct SttQueue {
    slots: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
}

/// The right to transcribe one utterance; the slot frees when it is dropped.
#[derive(Debug)]
pub struct SttSlot {
    _permit: Option<OwnedSemaphorePermit>,
}

impl SttQueue {
    /// A queue running `parallel` transcriptions at once (at least one).
    pub fn new(parallel: usize) -> Self {
        SttQueue {
            slots: Arc::new(Semaphore::new(parallel.max(1))),
            waiting: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Waits for a free slot, in arrival order. Cancel-safe: dropping the future leaves
    /// the queue.
    pub async fn admit(&self) -> SttSlot {
        /// Counts a waiter for as long as it waits, however the wait ends.
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::Relaxed);
            }
        }
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let _waiting = Waiting(&self.waiting);
        // The semaphore is never closed; if it were, nobody would be held back.
        let permit = Arc::clone(&self.slots).acquire_owned().await.ok();
        SttSlot { _permit: permit }
    }

    /// Utterances waiting for a slot now, for `/metrics`.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn one_slot_makes_the_second_wait_until_the_first_is_done() {
        let queue = SttQueue::new(1);
        let first = queue.admit().await;
        let second = tokio::spawn({
            let queue = queue.clone();
            async move { queue.admit().await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!second.is_finished());
        assert_eq!(queue.waiting(), 1);
        drop(first);
        let _second = tokio::time::timeout(Duration::from_secs(5), second)
            .await
            .expect("admitted once the first is done")
            .unwrap();
        assert_eq!(queue.waiting(), 0);
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_leaves_the_queue() {
        let queue = SttQueue::new(1);
        let _first = queue.admit().await;
        let gave_up = tokio::time::timeout(Duration::from_millis(20), queue.admit()).await;
        assert!(gave_up.is_err());
        assert_eq!(queue.waiting(), 0);
    }

    #[tokio::test]
    async fn zero_is_taken_as_one() {
        let queue = SttQueue::new(0);
        let _slot = tokio::time::timeout(Duration::from_secs(1), queue.admit())
            .await
            .expect("one slot");
    }
}
