//! The main loop. One task owns the state machines (`Eyes`, `Link`, `Turns`, the local
//! state) and reacts to everything else through bounded channels: MQTT messages, the
//! connection state, the listener, the player, and finished background jobs. It never
//! blocks: speech-to-text runs on `spawn_blocking`, speech synthesis and hooks in spawned
//! tasks, publishing through a non-blocking `Publisher`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hive_topics::{
    ActionAck, AudioEnd, EndReason, Inbound, LocalEvent, Outbound, SatelliteId, Topics,
};
use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::actions::Face;
use crate::clock::Clock;
use crate::config::SatelliteConfig;
use crate::counters::Counters;
use crate::events::SatelliteEvent;
use crate::eyes::EyesOutput;
use crate::listen::{FrontEvent, Listener};
use crate::mqtt::{ConnectionState, Publisher};
use crate::offline::{Heard, LocalAssistant, OfflineError, OfflineStt, OfflineTts};
use crate::playback::{PlayKey, Player, PlayerEvent, ReplyQueue};
use crate::state::{DegradedReason, EyeInput, EyeView, Eyes, Link, LocalState, Turns};
use crate::storage::Store;

/// Results of background work, back to the loop.
#[derive(Debug)]
pub(crate) enum Job {
    /// Local speech-to-text finished.
    Heard {
        session: u32,
        result: Result<Heard, OfflineError>,
    },
    /// Local speech synthesis finished.
    Spoken {
        key: PlayKey,
        session: Option<u32>,
        result: Result<crate::audio::Pcm, OfflineError>,
    },
    /// An action's command finished.
    ActionDone(ActionAck),
}

/// The capture of the current turn.
#[derive(Debug, Default)]
pub(crate) struct Capture {
    pub(crate) session: u32,
    pub(crate) seq: u32,
    /// Everything captured, kept to answer locally if the bridge does not.
    pub(crate) audio: Vec<i16>,
    /// Samples of pre-roll at its start (see [`crate::listen::WakeInfo::pre_roll`]).
    pub(crate) pre_roll: usize,
}

/// Everything the loop works with.
pub(crate) struct Satellite {
    pub(crate) id: SatelliteId,
    pub(crate) topics: Topics,
    pub(crate) config: Arc<SatelliteConfig>,
    pub(crate) publisher: Publisher,
    pub(crate) counters: Arc<Counters>,
    pub(crate) events: broadcast::Sender<SatelliteEvent>,
    pub(crate) listener: Listener,
    pub(crate) player: Player,
    pub(crate) outputs: Vec<Box<dyn EyesOutput>>,
    pub(crate) view: watch::Sender<EyeView>,
    pub(crate) eyes: Eyes,
    /// The emotion shown on the eyes, fading.
    pub(crate) face: Face,
    pub(crate) link: Link,
    pub(crate) turns: Turns,
    pub(crate) degraded: Option<DegradedReason>,
    pub(crate) reply: ReplyQueue,
    pub(crate) reply_session: u32,
    pub(crate) capture: Capture,
    pub(crate) muted: bool,
    pub(crate) local: LocalState,
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) assistant: Arc<LocalAssistant>,
    pub(crate) stt: Option<Arc<dyn OfflineStt>>,
    pub(crate) tts: Arc<dyn OfflineTts>,
    pub(crate) jobs: mpsc::Sender<Job>,
    /// Serial numbers for local sounds.
    pub(crate) serial: u64,
    /// The local sound answering the current turn.
    pub(crate) answer_key: Option<PlayKey>,
}

/// The receiving ends the loop selects over.
pub(crate) struct Inputs {
    pub(crate) inbound: mpsc::Receiver<Inbound>,
    pub(crate) connection: watch::Receiver<ConnectionState>,
    pub(crate) front: mpsc::Receiver<FrontEvent>,
    pub(crate) player: mpsc::Receiver<PlayerEvent>,
    pub(crate) jobs: mpsc::Receiver<Job>,
}

/// "Now" on tokio's clock (which tests may pause), as a std `Instant` for the state
/// machines.
pub(crate) fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

impl Satellite {
    /// Runs until `shutdown`.
    pub(crate) async fn run(mut self, mut inputs: Inputs, shutdown: CancellationToken) -> Self {
        // Timers that rang while the satellite was off ring now.
        self.ring_due_timers().await;
        self.refresh().await;
        loop {
            let wake_at = self
                .next_deadline()
                .map(tokio::time::Instant::from_std)
                .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
            // Whatever happens next is handled in the current turn's span (a handler that
            // starts a new turn logs the new session on its own lines).
            let span = self.turn_span();
            tokio::select! {
                () = shutdown.cancelled() => break,
                Some(message) = inputs.inbound.recv() => {
                    self.on_inbound(message).instrument(span).await;
                }
                changed = inputs.connection.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    let state = *inputs.connection.borrow();
                    span.in_scope(|| self.link.broker(state.connected));
                }
                Some(event) = inputs.front.recv() => span.in_scope(|| self.on_front(event)),
                Some(event) = inputs.player.recv() => span.in_scope(|| self.on_player(event)),
                Some(job) = inputs.jobs.recv() => self.on_job(job).instrument(span).await,
                () = tokio::time::sleep_until(wake_at) => {
                    self.on_deadline().instrument(span).await;
                }
            }
            // The eyes follow the turn as it is now, perhaps a new one.
            let span = self.turn_span();
            self.refresh().instrument(span).await;
        }
        self
    }

    /// The span of the current turn, disabled when there is none.
    fn turn_span(&self) -> tracing::Span {
        let session = self.turns.current().map(|turn| turn.session);
        super::span::turn_span(&self.id, session)
    }

    /// The earliest moment something is due.
    fn next_deadline(&self) -> Option<Instant> {
        let now = now();
        let timer = self.local.timers.next_deadline_ms().map(|ends_at| {
            now + Duration::from_millis(ends_at.saturating_sub(self.clock.now_ms()))
        });
        [
            self.turns.next_deadline(),
            self.eyes.next_deadline(),
            self.face.next_deadline(),
            self.link.next_deadline(now),
            timer,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    async fn on_deadline(&mut self) {
        let now = now();
        if let Some(expiry) = self.turns.expire(now) {
            self.on_expiry(expiry, now);
        }
        self.fade_emotion();
        self.ring_due_timers().await;
    }

    /// Recomputes the eyes and the degraded state, publishes what changed, and sends queued
    /// events once the bridge is reachable.
    pub(crate) async fn refresh(&mut self) {
        let now = now();
        let reason = self.link.reason(now);
        if reason != self.degraded {
            match reason {
                Some(reason) => {
                    tracing::warn!(satellite = %self.id, reason = reason.as_str(), "Degraded: answering locally.");
                    if self.degraded.is_none() {
                        self.prepare_stt();
                    }
                }
                None => {
                    tracing::info!(satellite = %self.id, "The bridge is back: normal mode.");
                    if let Some(stt) = &self.stt {
                        stt.keep(false);
                    }
                }
            }
            self.degraded = reason;
            self.emit(SatelliteEvent::Degraded(reason));
        }
        let before = self.eyes.view();
        self.eyes.apply(EyeInput::Degraded(reason.is_some()), now);
        self.eyes.apply(EyeInput::Stage(self.turns.stage()), now);
        self.eyes.apply(EyeInput::Tick, now);
        let view = self.eyes.view();
        if view != before {
            self.show(before, view);
        }
        if self.link.bridge_reachable() && !self.local.outbox.is_empty() {
            let queued = self.local.outbox.drain();
            tracing::info!(satellite = %self.id, events = queued.len(), "Reporting events kept while the bridge was away.");
            for event in queued {
                self.report(event);
            }
            self.save().await;
        }
    }

    /// Loads degraded mode's speech-to-text in the background, so that the first question
    /// asked offline does not wait for it.
    fn prepare_stt(&self) {
        let Some(stt) = self.stt.clone().filter(|_| self.config.degraded.enabled) else {
            return;
        };
        stt.keep(true);
        let id = self.id.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(error) = stt.prepare() {
                tracing::error!(satellite = %id, error = %error, code = "local_stt_unavailable", "Degraded mode cannot understand speech.");
            }
        });
    }

    fn show(&mut self, before: EyeView, view: EyeView) {
        if view.colour != before.colour {
            self.publisher
                .send(self.topics.encode_eyes(&self.id, view.colour));
        }
        if view.mode != before.mode {
            self.publisher
                .send(self.topics.encode_mode(&self.id, view.mode));
        }
        for output in &mut self.outputs {
            output.show(view);
        }
        let _ = self.view.send(view);
        self.emit(SatelliteEvent::Eyes(view));
    }

    /// Red for a while.
    pub(crate) fn flash_error(&mut self) {
        let until = now() + Duration::from_millis(self.config.eyes.error_ms);
        self.eyes.apply(EyeInput::Error { until }, now());
    }

    pub(crate) fn emit(&self, event: SatelliteEvent) {
        let _ = self.events.send(event);
    }

    /// Sends a local event to the bridge, or keeps it until the bridge is back.
    pub(crate) fn report(&mut self, event: LocalEvent) {
        if self.link.bridge_reachable()
            && self
                .publisher
                .send(self.topics.encode_event(&self.id, &event))
        {
            return;
        }
        if let Some(dropped) = self.local.outbox.push(event) {
            tracing::warn!(satellite = %self.id, event = ?dropped, "Event queue full; oldest event dropped.");
        }
    }

    /// Persists the local state; a failure is logged (the satellite keeps working).
    pub(crate) async fn save(&self) {
        if let Err(error) = self.store.save(&self.local).await {
            tracing::error!(satellite = %self.id, error = %error, code = "state_not_saved", "Cannot save timers and events.");
        }
    }

    pub(crate) fn send(&self, message: Outbound) -> bool {
        self.publisher.send(message)
    }

    /// Publishes the end of the current bridge capture.
    pub(crate) fn send_audio_end(&self, session: u32, reason: EndReason) {
        let end = AudioEnd {
            session,
            reason,
            last_seq: self.capture.seq.checked_sub(1),
        };
        self.send(self.topics.encode_audio_end(&self.id, &end));
    }
}
