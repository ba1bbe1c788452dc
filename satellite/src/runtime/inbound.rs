//! The loop's handling of MQTT messages.

use hive_skills::Lang;
use hive_topics::{AudioPayload, Control, EndReason, Inbound, Retained, TtsAudio};

use super::satellite::{Job, Satellite, now};
use super::session::new_session;
use crate::actions::{ActionOutcome, plan};
use crate::audio::decode_wav;
use crate::events::SatelliteEvent;
use crate::listen::FrontCommand;
use crate::playback::{PlayKey, PlayerCommand, Sentence};
use crate::state::{Route, Stage};

impl Satellite {
    pub(crate) async fn on_inbound(&mut self, message: Inbound) {
        match message {
            Inbound::BridgeStatus(availability) => {
                tracing::info!(satellite = %self.id, bridge = %availability, "Bridge availability.");
                self.link.bridge_status(Some(availability));
            }
            Inbound::Cleared(Retained::BridgeStatus) => self.link.bridge_status(None),
            Inbound::Reply { reply, .. } if self.accept_reply(reply.session) => {
                tracing::info!(satellite = %self.id, session = reply.session, index = reply.index, text = %reply.text, "Reply.");
                self.emit(SatelliteEvent::Reply {
                    session: reply.session,
                    index: reply.index,
                    text: reply.text,
                });
            }
            Inbound::Tts { audio, .. } => self.on_tts(audio),
            Inbound::Action { action, .. } => match plan(&action, &self.config.actions) {
                ActionOutcome::ShowEmotion { emotion, intensity } => {
                    self.face.show(emotion, intensity, now());
                    self.show_emotion();
                    self.acknowledge(hive_topics::ActionAck {
                        id: action.id,
                        ok: true,
                        error: None,
                    });
                }
                ActionOutcome::Ack(ack) => self.acknowledge(ack),
                ActionOutcome::Run(command) => {
                    let jobs = self.jobs.clone();
                    let timeout = std::time::Duration::from_secs_f64(self.config.actions.timeout_s);
                    tokio::spawn(async move {
                        let result = crate::hook::run(&command, timeout).await;
                        let ack = hive_topics::ActionAck {
                            id: action.id,
                            ok: result.is_ok(),
                            error: result.err(),
                        };
                        let _ = jobs.send(Job::ActionDone(ack)).await;
                    });
                }
            },
            Inbound::Error { error, .. } => {
                tracing::warn!(satellite = %self.id, session = ?error.session, code = %error.code, "The bridge reported an error.");
                self.flash_error();
                let ends_turn = error.session.is_some_and(|session| {
                    self.turns.current().is_some_and(|turn| {
                        turn.session == session
                            && matches!(turn.stage, Stage::Listening | Stage::Processing)
                    })
                });
                if ends_turn {
                    self.listener.command(FrontCommand::Stop);
                    self.turns.cancel(error.session);
                }
            }
            Inbound::Control { control, .. } => self.on_control(control),
            // The bridge speaks `say` itself; only a satellite on its own does.
            Inbound::Say { say, .. } if self.degraded.is_some() => {
                let lang = say
                    .lang
                    .as_deref()
                    .and_then(|code| code.parse::<Lang>().ok())
                    .unwrap_or_else(|| self.default_lang());
                self.speak(say.text, lang, None);
            }
            _ => {}
        }
    }

    /// Shows the face's emotion as it is now on every output.
    fn show_emotion(&mut self) {
        let (emotion, intensity) = self.face.current(now());
        for output in &mut self.outputs {
            output.emotion(emotion, intensity);
        }
        self.emit(SatelliteEvent::Emotion { emotion, intensity });
    }

    /// Once the shown emotion has faded: neutral on every output, and the eye colour the
    /// emotion covered shown again (an LED hook may have drawn the emotion over it).
    pub(crate) fn fade_emotion(&mut self) {
        if !self.face.tick(now()) {
            return;
        }
        tracing::info!(satellite = %self.id, "The emotion faded.");
        self.show_emotion();
        let view = self.eyes.view();
        for output in &mut self.outputs {
            output.show(view);
        }
    }

    pub(crate) fn acknowledge(&mut self, ack: hive_topics::ActionAck) {
        self.emit(SatelliteEvent::Action {
            id: ack.id.clone(),
            ok: ack.ok,
        });
        self.send(self.topics.encode_action_ack(&self.id, &ack));
    }

    fn on_tts(&mut self, audio: TtsAudio) {
        if !self.accept_reply(audio.session) {
            return;
        }
        let (samples, sample_rate) = match &audio.audio {
            AudioPayload::Pcm(_) => (
                audio
                    .audio
                    .samples()
                    .map(Iterator::collect)
                    .unwrap_or_default(),
                audio.sample_rate,
            ),
            AudioPayload::Wav(bytes) => match decode_wav(bytes, "tts audio") {
                Ok(pcm) => (pcm.samples, pcm.sample_rate),
                Err(error) => {
                    tracing::warn!(satellite = %self.id, session = audio.session, error = %error, "Unplayable reply audio.");
                    (Vec::new(), audio.sample_rate)
                }
            },
        };
        let sentence = Sentence {
            index: u32::from(audio.index),
            samples,
            sample_rate,
            last: audio.is_final,
        };
        for ready in self.reply.push(sentence) {
            self.player
                .send(PlayerCommand::Play(PlayKey::Reply(audio.session), ready));
        }
    }

    fn on_control(&mut self, control: Control) {
        match control {
            Control::Listen { session } => {
                if self.muted {
                    return;
                }
                let session = session.unwrap_or_else(new_session);
                self.begin_turn(session, 1.0, None, "listen");
                self.listener.command(FrontCommand::Listen);
            }
            Control::Stop { session } => {
                let current = self.turns.current().map(|turn| turn.session);
                if session.is_none() || session == current {
                    self.turns.stop(session);
                    self.player.send(PlayerCommand::Stop);
                    tracing::info!(satellite = %self.id, session = ?session, "Stopped.");
                }
            }
            Control::EndOfSpeech { session } => {
                if self.capture.session == session
                    && self.turns.current().is_some_and(|turn| {
                        turn.session == session && turn.stage == Stage::Listening
                    })
                {
                    self.listener.command(FrontCommand::Stop);
                    self.end_capture(session, EndReason::StoppedByBridge);
                }
            }
            Control::Cancel { session } => {
                if let Some(turn) = self.turns.cancel(session) {
                    if turn.stage == Stage::Listening {
                        self.listener.command(FrontCommand::Stop);
                        if turn.route == Route::Bridge {
                            self.send_audio_end(turn.session, EndReason::StoppedByBridge);
                        }
                    }
                    self.player.send(PlayerCommand::Stop);
                    tracing::info!(satellite = %self.id, session = turn.session, "Turn cancelled.");
                }
            }
            Control::SetVolume { volume } => {
                self.player.send(PlayerCommand::Volume(volume));
            }
            Control::SetMute { muted } => {
                self.muted = muted;
                self.listener.command(FrontCommand::Mute(muted));
            }
        }
    }
}
