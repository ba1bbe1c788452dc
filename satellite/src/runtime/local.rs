//! The loop's degraded mode: answering a turn on the satellite, the bridge's silence, and
//! the local timers.

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use hive_skills::Lang;
use hive_topics::LocalEvent;

use super::satellite::{Job, Satellite};
use crate::audio::alarm;
use crate::counters::Counters;
use crate::events::SatelliteEvent;
use crate::offline::{Heard, OfflineError, not_understood, timer_announcement};
use crate::playback::{PlayKey, PlayerCommand, Sentence};
use crate::state::Expiry;

impl Satellite {
    pub(crate) fn default_lang(&self) -> Lang {
        self.config.satellite.language.parse().unwrap_or(Lang::En)
    }

    /// Transcribes the current capture on a blocking thread; the result comes back as
    /// [`Job::Heard`].
    pub(crate) fn answer_locally(&mut self, session: u32) {
        Counters::bump(&self.counters.degraded_turns);
        // Without the pre-roll: it serves the bridge's larger models, but the wake word's
        // last syllable in it makes small local models hear an extra word ("Give, what time
        // is it?") that defeats the matcher. The wake word's end is estimated late rather
        // than early, so little of a question said in one breath is lost.
        let mut audio = std::mem::take(&mut self.capture.audio);
        audio.drain(..self.capture.pre_roll.min(audio.len()));
        let jobs = self.jobs.clone();
        let Some(stt) = self.stt.clone().filter(|_| self.config.degraded.enabled) else {
            let result = Err(if self.config.degraded.enabled {
                OfflineError::NoStt
            } else {
                OfflineError::Stt("degraded.enabled is false".into())
            });
            tokio::spawn(async move {
                let _ = jobs.send(Job::Heard { session, result }).await;
            });
            return;
        };
        tracing::info!(satellite = %self.id, session, seconds = audio.len() as f32 / 16_000.0, "Transcribing locally.");
        tokio::spawn(async move {
            let result = tokio::task::spawn_blocking(move || stt.transcribe(&audio))
                .await
                .unwrap_or_else(|error| Err(OfflineError::Stt(error.to_string())));
            let _ = jobs.send(Job::Heard { session, result }).await;
        });
    }

    pub(crate) async fn on_job(&mut self, job: Job) {
        match job {
            Job::Heard { session, result } => self.on_heard(session, result).await,
            Job::Spoken {
                key,
                session,
                result,
            } => self.on_spoken(key, session, result),
            Job::ActionDone(ack) => self.acknowledge(ack),
        }
    }

    async fn on_heard(&mut self, session: u32, result: Result<Heard, OfflineError>) {
        if !self.turns.is_current(session) {
            return;
        }
        let lang = self.default_lang();
        let (text, hint) = match result {
            Ok(heard) => (heard.text, heard.lang),
            Err(error) => {
                tracing::error!(satellite = %self.id, session, error = %error, code = "local_stt_failed", "Local speech-to-text failed.");
                self.flash_error();
                (String::new(), None)
            }
        };
        tracing::info!(satellite = %self.id, session, text = %text, "Heard locally.");
        self.emit(SatelliteEvent::Heard {
            session,
            text: text.clone(),
        });
        let now = Utc
            .timestamp_millis_opt(self.clock.now_ms() as i64)
            .single()
            .unwrap_or_default();
        let assistant = Arc::clone(&self.assistant);
        let answer = if text.trim().is_empty() {
            crate::offline::LocalAnswer {
                speech: not_understood(hint.unwrap_or(lang)).to_owned(),
                lang: hint.unwrap_or(lang),
                intent: None,
                events: Vec::new(),
            }
        } else {
            assistant.answer(&text, hint, &mut self.local, now)
        };
        for event in &answer.events {
            if let LocalEvent::TimerSet { timer_id, .. } = event
                && let Some(timer) = self.local.timers.list().iter().find(|t| &t.id == timer_id)
            {
                self.emit(SatelliteEvent::TimerSet(timer.clone()));
            }
        }
        let changed = !answer.events.is_empty();
        for event in answer.events {
            self.report(event);
        }
        if changed {
            self.save().await;
        }
        tracing::info!(satellite = %self.id, session, intent = ?answer.intent, lang = %answer.lang, text = %answer.speech, "Answering locally.");
        self.emit(SatelliteEvent::LocalReply {
            session: Some(session),
            text: answer.speech.clone(),
            lang: answer.lang,
            intent: answer.intent,
        });
        self.speak(answer.speech, answer.lang, Some(session));
    }

    /// Synthesises `text` in the background; plays it when ready (as the answer to
    /// `session`, if given).
    pub(crate) fn speak(&mut self, text: String, lang: Lang, session: Option<u32>) {
        self.serial += 1;
        let key = PlayKey::Local(self.serial);
        if session.is_some() {
            self.answer_key = Some(key);
        }
        let (tts, jobs) = (Arc::clone(&self.tts), self.jobs.clone());
        tokio::spawn(async move {
            let result = tts.speak(&text, lang).await;
            let _ = jobs
                .send(Job::Spoken {
                    key,
                    session,
                    result,
                })
                .await;
        });
    }

    fn on_spoken(
        &mut self,
        key: PlayKey,
        session: Option<u32>,
        result: Result<crate::audio::Pcm, OfflineError>,
    ) {
        if let Some(session) = session
            && (!self.turns.is_current(session) || self.answer_key != Some(key))
        {
            return;
        }
        let pcm = match result {
            Ok(pcm) => pcm,
            Err(error) => {
                tracing::error!(satellite = %self.id, error = %error, code = "local_tts_failed", "Local text-to-speech failed.");
                self.flash_error();
                if let Some(session) = session {
                    self.answer_key = None;
                    self.turns.finished(session);
                }
                return;
            }
        };
        if let Some(session) = session {
            self.turns.local_answered(session);
        }
        self.player.send(PlayerCommand::Play(
            key,
            Sentence {
                index: 0,
                samples: pcm.samples,
                sample_rate: pcm.sample_rate,
                last: true,
            },
        ));
    }

    pub(crate) fn on_expiry(&mut self, expiry: Expiry, now: Instant) {
        match expiry {
            Expiry::NoAnswer(turn) => {
                let retry =
                    std::time::Duration::from_secs_f64(self.config.turn.retry_bridge_after_s);
                tracing::warn!(satellite = %self.id, session = turn.session, timeout_s = self.config.turn.reply_timeout_s, "The bridge did not answer in time; answering locally.");
                self.link.no_answer(now, retry);
                self.answer_locally(turn.session);
            }
            Expiry::Stalled(turn) => {
                tracing::warn!(satellite = %self.id, session = turn.session, "The rest of the reply never came.");
                if self.reply.has_waiting() {
                    // Play what came after the gap rather than nothing.
                    let session = turn.session;
                    self.turns.begin(session, crate::state::Route::Bridge);
                    self.turns.bridge_answered(session, now);
                    for ready in self.reply.skip_gap() {
                        self.player
                            .send(PlayerCommand::Play(PlayKey::Reply(session), ready));
                    }
                }
            }
        }
    }

    /// Rings every timer that is due: the alarm, then its announcement.
    pub(crate) async fn ring_due_timers(&mut self) {
        let fired = self.local.timers.fired(self.clock.now_ms());
        if fired.is_empty() {
            return;
        }
        for timer in fired {
            Counters::bump(&self.counters.timers_fired);
            tracing::info!(satellite = %self.id, timer = %timer.id, name = ?timer.name, "Timer rang.");
            self.emit(SatelliteEvent::TimerFired(timer.clone()));
            self.report(LocalEvent::TimerFired {
                timer_id: timer.id.clone(),
                name: timer.name.clone(),
            });
            self.serial += 1;
            let degraded = &self.config.degraded;
            let tone = alarm(16_000, degraded.alarm_hz, degraded.alarm_beeps);
            self.player.send(PlayerCommand::Play(
                PlayKey::Alarm(self.serial),
                Sentence {
                    index: 0,
                    samples: tone,
                    sample_rate: 16_000,
                    last: true,
                },
            ));
            let announcement = timer_announcement(&timer);
            self.emit(SatelliteEvent::LocalReply {
                session: None,
                text: announcement.clone(),
                lang: timer.lang,
                intent: Some("timer.fired".into()),
            });
            self.speak(announcement, timer.lang, None);
        }
        self.save().await;
    }
}
