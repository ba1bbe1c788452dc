//! The loop's handling of the listener (wake, chunks, end of speech) and the player.

use hive_topics::{AudioChunk, AudioFormat, AudioStart, EndReason, Wake};

use super::satellite::{Capture, Satellite, now};
use super::session::new_session;
use crate::counters::Counters;
use crate::events::SatelliteEvent;
use crate::listen::{FrontCommand, FrontEvent};
use crate::playback::{PlayKey, PlayerCommand, PlayerEvent, ReplyQueue};
use crate::state::{Route, Stage};

impl Satellite {
    pub(crate) fn on_front(&mut self, event: FrontEvent) {
        match event {
            FrontEvent::Wake(wake) => {
                Counters::bump(&self.counters.wakes);
                let session = new_session();
                let name = self.config.wake.name.clone();
                self.begin_turn(session, wake.score, Some(wake.energy), &name);
                self.capture.pre_roll = wake.pre_roll;
            }
            FrontEvent::Listening => {}
            FrontEvent::InputEnded => {
                tracing::info!(satellite = %self.id, "The audio input ended.");
                self.emit(SatelliteEvent::InputEnded);
            }
            FrontEvent::Chunk(samples) => self.on_chunk(samples),
            FrontEvent::Ended(reason) => {
                let session = self.capture.session;
                if self
                    .turns
                    .current()
                    .is_some_and(|turn| turn.session == session && turn.stage == Stage::Listening)
                {
                    self.end_capture(session, reason);
                }
            }
        }
    }

    /// Starts a turn: a wake word (`score`, `energy`) or `listen` (score 1). Interrupts what
    /// plays (barge-in) and whatever turn was running.
    pub(crate) fn begin_turn(
        &mut self,
        session: u32,
        score: f32,
        energy: Option<f32>,
        wake_word: &str,
    ) {
        let degraded = self.link.degraded(now());
        let route = if degraded {
            Route::Local
        } else {
            Route::Bridge
        };
        if let Some(previous) = self.turns.begin(session, route) {
            tracing::info!(satellite = %self.id, session = previous.session, "Turn interrupted by a new one.");
            if previous.stage == Stage::Listening && previous.route == Route::Bridge {
                self.send_audio_end(previous.session, EndReason::Cancelled);
            }
        }
        // Barge-in: whatever plays stops at once.
        self.player.send(PlayerCommand::Stop);
        self.answer_key = None;
        self.capture = Capture {
            session,
            ..Capture::default()
        };
        Counters::bump(&self.counters.turns);
        tracing::info!(satellite = %self.id, session, score, to_bridge = !degraded, "Listening.");
        self.emit(SatelliteEvent::Wake {
            session,
            score,
            to_bridge: !degraded,
        });
        if route == Route::Bridge {
            let wake = Wake {
                session,
                wake_word: wake_word.to_owned(),
                score,
                energy,
            };
            self.send(self.topics.encode_wake(&self.id, &wake));
            let start = AudioStart {
                session,
                format: AudioFormat::V1,
            };
            self.send(self.topics.encode_audio_start(&self.id, &start));
        }
    }

    fn on_chunk(&mut self, samples: Vec<i16>) {
        let Some(turn) = self
            .turns
            .current()
            .filter(|turn| turn.stage == Stage::Listening)
        else {
            return;
        };
        let (session, route) = (turn.session, turn.route);
        if route == Route::Bridge {
            let chunk = AudioChunk::from_samples(session, self.capture.seq, &samples);
            self.publisher
                .send_chunk(self.topics.encode_audio_chunk(&self.id, &chunk));
        }
        self.capture.seq += 1;
        self.capture.audio.extend_from_slice(&samples);
    }

    /// The capture of `session` is over (`reason`): the bridge or the satellite works out
    /// the answer.
    pub(crate) fn end_capture(&mut self, session: u32, reason: EndReason) {
        let Some(turn) = self.turns.listening_ended(session, now()).cloned() else {
            return;
        };
        tracing::info!(satellite = %self.id, session, reason = ?reason, chunks = self.capture.seq, "Capture ended.");
        self.emit(SatelliteEvent::CaptureEnded {
            session,
            reason,
            chunks: self.capture.seq,
        });
        match turn.route {
            Route::Bridge => self.send_audio_end(session, reason),
            Route::Local => self.answer_locally(session),
        }
    }

    /// The bridge's reply audio for `session` (a turn of ours, or an announcement when
    /// idle): accepts the session and plays what is in order.
    pub(crate) fn accept_reply(&mut self, session: u32) -> bool {
        if !self.turns.is_current(session) {
            if self.turns.stage() != Stage::Idle {
                tracing::debug!(satellite = %self.id, session, "Reply for another session ignored.");
                return false;
            }
            // An announcement (`say`) or an answer to `ask`: a turn the bridge opened.
            self.turns.begin(session, Route::Bridge);
        }
        if self.reply_session != session {
            self.reply_session = session;
            self.reply = ReplyQueue::default();
        }
        if !self.turns.bridge_answered(session, now()) {
            return false;
        }
        self.link.bridge_answered();
        if self
            .turns
            .current()
            .is_some_and(|turn| turn.stage == Stage::Responding)
            && self.capture.session == session
        {
            // The bridge answers before our endpointer decided: stop capturing.
            self.listener.command(FrontCommand::Stop);
        }
        true
    }

    pub(crate) fn on_player(&mut self, event: PlayerEvent) {
        match event {
            PlayerEvent::Started(PlayKey::Reply(session)) => self.turns.playing(session),
            PlayerEvent::Started(_) => {}
            PlayerEvent::Drained(PlayKey::Reply(session)) => self.turns.waiting(session, now()),
            PlayerEvent::Drained(_) => {}
            PlayerEvent::Finished {
                key,
                interrupted,
                path,
            } => {
                tracing::info!(satellite = %self.id, ?key, interrupted, path = ?path, "Played.");
                match key {
                    PlayKey::Reply(session) if !interrupted => {
                        self.turns.finished(session);
                    }
                    key if Some(key) == self.answer_key => {
                        self.answer_key = None;
                        if let Some(turn) = self.turns.current().cloned() {
                            self.turns.finished(turn.session);
                        }
                    }
                    _ => {}
                }
                self.emit(SatelliteEvent::Played {
                    key,
                    interrupted,
                    path,
                });
            }
        }
    }
}
