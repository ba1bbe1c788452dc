//! Degraded mode's speech-to-text, held in memory only while degraded mode may need it.
//!
//! While the bridge answers, the local whisper model is dead weight: tens of megabytes that a
//! Pi Zero 2 W (512 MB) would rather keep free. It is loaded when the satellite enters
//! degraded mode, well before anyone says a question there, and dropped when the bridge is
//! back. A question asked before the load has finished waits for it instead of failing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::error::OfflineError;
use super::stt::{Heard, OfflineStt};

/// Builds the engine; blocking (reads the model file).
pub type Loader = Box<dyn Fn() -> Result<Arc<dyn OfflineStt>, OfflineError> + Send + Sync>;

/// An engine held in memory while it is wanted ([`OfflineStt::keep`]), loaded by
/// [`OfflineStt::prepare`] or by the first transcription that needs it.
pub struct OnDemandStt {
    load: Loader,
    /// Held while loading, so that a question waiting for the model does not load a second.
    loaded: Mutex<Option<Arc<dyn OfflineStt>>>,
    /// Set by the satellite's main loop, at once, whatever a blocking thread is doing: a
    /// load that ends after the bridge came back does not keep the model.
    wanted: AtomicBool,
}

impl OnDemandStt {
    /// Nothing is loaded yet; the engine is wanted (a satellite starts degraded).
    pub fn new(load: Loader) -> Self {
        OnDemandStt {
            load,
            loaded: Mutex::new(None),
            wanted: AtomicBool::new(true),
        }
    }

    /// The engine, loaded first if it is not in memory. Blocks while loading.
    ///
    /// # Errors
    /// The engine cannot be loaded.
    pub fn engine(&self) -> Result<Arc<dyn OfflineStt>, OfflineError> {
        let mut loaded = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(engine) = loaded.as_ref() {
            return Ok(Arc::clone(engine));
        }
        let started = std::time::Instant::now();
        let engine = (self.load)()?;
        tracing::info!(
            took_ms = started.elapsed().as_millis() as u64,
            "Degraded mode's speech-to-text loaded."
        );
        *loaded = Some(Arc::clone(&engine));
        Ok(engine)
    }

    /// Whether the engine is in memory now.
    pub fn is_loaded(&self) -> bool {
        self.loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Lets go of the engine if it is no longer wanted (after using or loading it).
    fn settle(&self) {
        if !self.wanted.load(Ordering::Acquire) {
            let mut loaded = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
            if !self.wanted.load(Ordering::Acquire) {
                Self::let_go(&mut loaded);
            }
        }
    }

    fn let_go(loaded: &mut Option<Arc<dyn OfflineStt>>) {
        // A transcription still running holds its own reference: the model is freed when
        // it ends, and the heap's pages with the next let-go.
        if loaded.take().is_some() {
            crate::allocator::release_free_memory();
            tracing::info!("Degraded mode's speech-to-text let go until degraded mode begins.");
        }
    }
}

impl OfflineStt for OnDemandStt {
    fn transcribe(&self, audio: &[i16]) -> Result<Heard, OfflineError> {
        let engine = self.engine()?;
        self.settle();
        // This transcription keeps its own reference until it ends.
        engine.transcribe(audio)
    }

    fn keep(&self, wanted: bool) {
        self.wanted.store(wanted, Ordering::Release);
        if !wanted {
            // Never waits: if a blocking thread holds the engine, it lets go when done.
            if let Ok(mut loaded) = self.loaded.try_lock() {
                Self::let_go(&mut loaded);
            }
        }
    }

    fn prepare(&self) -> Result<(), OfflineError> {
        if !self.wanted.load(Ordering::Acquire) {
            return Ok(());
        }
        let loaded = self.engine().map(drop);
        self.settle();
        loaded
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Says how many times it was built: the thing under test is when loading happens.
    struct Echo(usize);

    impl OfflineStt for Echo {
        fn transcribe(&self, audio: &[i16]) -> Result<Heard, OfflineError> {
            Ok(Heard {
                text: format!("load {} heard {} samples", self.0, audio.len()),
                lang: None,
            })
        }
    }

    fn counting() -> (Arc<AtomicUsize>, OnDemandStt) {
        let loads = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&loads);
        let stt = OnDemandStt::new(Box::new(move || {
            let load = counter.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(Arc::new(Echo(load)) as Arc<dyn OfflineStt>)
        }));
        (loads, stt)
    }

    #[test]
    fn loads_once_on_first_use_and_again_only_once_wanted_again() {
        let (loads, stt) = counting();
        assert!(!stt.is_loaded());
        assert_eq!(loads.load(Ordering::SeqCst), 0, "nothing loaded up front");
        assert_eq!(
            stt.transcribe(&[0; 10]).unwrap().text,
            "load 1 heard 10 samples"
        );
        assert_eq!(
            stt.transcribe(&[0; 20]).unwrap().text,
            "load 1 heard 20 samples"
        );
        stt.keep(false);
        assert!(!stt.is_loaded());
        stt.prepare().unwrap();
        assert!(!stt.is_loaded(), "not wanted: prepare loads nothing");
        stt.keep(true);
        stt.prepare().unwrap();
        assert!(stt.is_loaded());
        assert_eq!(
            stt.transcribe(&[0; 5]).unwrap().text,
            "load 2 heard 5 samples"
        );
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_prepare_that_runs_after_the_bridge_came_back_loads_nothing() {
        let (loads, stt) = counting();
        // Degraded mode began (a load is queued on a blocking thread), then ended before
        // the load ran.
        stt.keep(true);
        stt.keep(false);
        stt.prepare().unwrap();
        assert!(!stt.is_loaded());
        assert_eq!(loads.load(Ordering::SeqCst), 0);
        // A question asked meanwhile is still answered, and the model not kept.
        assert_eq!(
            stt.transcribe(&[0; 3]).unwrap().text,
            "load 1 heard 3 samples"
        );
        assert!(!stt.is_loaded());
    }

    #[test]
    fn concurrent_questions_share_one_load() {
        let (loads, stt) = counting();
        let stt = Arc::new(stt);
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let stt = Arc::clone(&stt);
                std::thread::spawn(move || stt.transcribe(&[0; 1]).map(|heard| heard.text))
            })
            .collect();
        for thread in threads {
            assert_eq!(thread.join().unwrap().unwrap(), "load 1 heard 1 samples");
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_bridge_coming_back_during_a_load_lets_go_once_it_ends_without_waiting() {
        let (started_tx, started) = std::sync::mpsc::channel();
        let (finish, finish_rx) = std::sync::mpsc::channel::<()>();
        let finish_rx = Mutex::new(finish_rx);
        let stt = Arc::new(OnDemandStt::new(Box::new(move || {
            started_tx.send(()).unwrap();
            finish_rx.lock().unwrap().recv().unwrap();
            Ok(Arc::new(Echo(1)) as Arc<dyn OfflineStt>)
        })));
        let loading = {
            let stt = Arc::clone(&stt);
            std::thread::spawn(move || stt.prepare())
        };
        started.recv().unwrap();
        // The load holds the lock: this returns at once.
        stt.keep(false);
        finish.send(()).unwrap();
        loading.join().unwrap().unwrap();
        assert!(!stt.is_loaded(), "released once the load ended");
    }

    #[test]
    fn a_failed_load_is_reported_and_tried_again_next_time() {
        let attempts = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&attempts);
        let stt = OnDemandStt::new(Box::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Err(OfflineError::Stt("no model at /nowhere".into()))
        }));
        for _ in 0..2 {
            let error = stt.transcribe(&[0; 1]).unwrap_err();
            assert!(error.to_string().contains("/nowhere"), "{error}");
        }
        assert!(!stt.is_loaded());
        assert_eq!(attempts.load(Ordering::SeqCst), 2);
    }
}
