//! The router: one task that receives every parsed message and hands it to the right turn.
//! It owns the table of active turns (one per satellite) and never waits on a turn.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use hive_topics::{Availability, Inbound, Retained, SatelliteId, Target};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::early::EarlyAudio;
use super::refuse::{refuse_ask, refuse_satellite};
use super::respond::Destination;
use super::shared::Shared;
use super::span::turn_span;
use super::turn::{AudioIn, text_turn, voice_turn};
use super::understand::Asker;
use crate::limits::{Admission, SessionGuard, SessionHandle};
use crate::satellites::{SatelliteGate, Verdict};
use crate::timers::TimerCommand;

/// Chunks buffered for a turn that is busy running VAD: 256 × 20–100 ms is 5–25 s.
const AUDIO_QUEUE: usize = 256;

struct ActiveTurn {
    session: u32,
    /// `None` for a typed question: audio for it has nowhere to go.
    audio: Option<mpsc::Sender<AudioIn>>,
    cancel: CancellationToken,
    /// Whether its task still runs (a cancelled turn ends at its next await).
    live: SessionHandle,
}

/// Satellites remembered with the session of their last refused turn; bounded because ids
/// come from the network.
const MAX_REFUSED: usize = 1024;

/// Routes inbound messages to turns.
pub(crate) struct Router {
    shared: Arc<Shared>,
    turns: HashMap<SatelliteId, ActiveTurn>,
    known: BTreeSet<SatelliteId>,
    tasks: JoinSet<()>,
    shutdown: CancellationToken,
    next_session: u32,
    /// Turn rate and sessions in progress (`[limits]`).
    admission: Admission,
    /// The session of each satellite's last refused turn, so that its `audio/start` is
    /// not refused (and reported) a second time.
    refused: HashMap<SatelliteId, u32>,
    /// `[satellites] allow`: messages of other satellites stop here.
    gate: SatelliteGate,
    /// Chunks that overtook their turn's start on the way through the broker.
    early: EarlyAudio,
}

impl Router {
    pub(crate) fn new(shared: Arc<Shared>, shutdown: CancellationToken) -> Self {
        // Bridge-made sessions start high so that they rarely meet a satellite's random ones.
        let seed = super::understand::now_ms() as u32 | 0x8000_0000;
        let admission = Admission::new(&shared.config.limits);
        let gate = SatelliteGate::new(&shared.config.satellites);
        Router {
            shared,
            turns: HashMap::new(),
            known: BTreeSet::new(),
            tasks: JoinSet::new(),
            shutdown,
            next_session: seed,
            admission,
            refused: HashMap::new(),
            gate,
            early: EarlyAudio::default(),
        }
    }

    /// Runs until the inbound channel closes or shutdown; then cancels the turns and waits
    /// for them (they end at their next await).
    pub(crate) async fn run(mut self, mut inbound: mpsc::Receiver<Inbound>) {
        loop {
            tokio::select! {
                () = self.shutdown.cancelled() => break,
                message = inbound.recv() => match message {
                    Some(message) => self.route(message),
                    None => break,
                },
                Some(_) = self.tasks.join_next(), if !self.tasks.is_empty() => {}
            }
        }
        for turn in self.turns.values() {
            turn.cancel.cancel();
        }
        while self.tasks.join_next().await.is_some() {}
    }

    fn session(&mut self) -> u32 {
        self.next_session = self.next_session.wrapping_add(1).max(1);
        self.next_session
    }

    fn route(&mut self, message: Inbound) {
        // Before anything else: an unlisted satellite gets no session, no reply and no
        // place on the status board.
        if let Verdict::Refuse { satellite, first } = self.gate.check(&message) {
            if first {
                tracing::warn!(satellite = %satellite, kind = message.kind(), "Satellite not in [satellites] allow; its messages are ignored.");
            }
            self.shared.telemetry.refused("satellite_not_allowed");
            return;
        }
        self.shared.telemetry.observe(&message);
        match message {
            Inbound::Wake { satellite, wake } => {
                self.known.insert(satellite.clone());
                tracing::info!(satellite = %satellite, session = wake.session, score = wake.score, "Wake word heard.");
                self.start_voice(satellite, wake.session);
            }
            Inbound::AudioStart { satellite, start } => {
                let unknown = !self.is_current(&satellite, start.session);
                // In a group, audio reaches every instance but the session belongs to the one
                // the broker gave the wake to (see `cluster`): the others let it pass.
                if unknown && self.shared.config.cluster.enabled() {
                    tracing::debug!(satellite = %satellite, session = start.session, "Audio of another instance's turn; ignored.");
                    self.early.forget(&satellite);
                    return;
                }
                if unknown && self.refused.get(&satellite) == Some(&start.session) {
                    self.early.forget(&satellite);
                    return;
                }
                if unknown {
                    self.start_voice(satellite.clone(), start.session);
                }
                self.feed(&satellite, start.session, AudioIn::Start);
                for chunk in self.early.take(&satellite, start.session) {
                    self.feed(&satellite, start.session, AudioIn::Chunk(chunk));
                }
            }
            Inbound::AudioChunk { satellite, chunk } => {
                let session = chunk.session;
                if self.is_current(&satellite, session) {
                    self.feed(&satellite, session, AudioIn::Chunk(chunk));
                } else if !self
                    .early
                    .hold(&satellite, chunk, std::time::Instant::now())
                {
                    tracing::debug!(satellite = %satellite, session, "Audio for no current session; dropped.");
                }
            }
            Inbound::AudioEnd { satellite, end } => {
                let session = end.session;
                self.feed(&satellite, session, AudioIn::End(end));
            }
            Inbound::Text { satellite, input } => {
                self.known.insert(satellite.clone());
                let session = input.session.unwrap_or_else(|| self.session());
                let destination = Destination::Satellite {
                    satellite: satellite.clone(),
                    session,
                };
                let asker = Asker {
                    satellite: Some(satellite.clone()),
                    session: Some(session),
                };
                let Some((guard, live)) = self.admit(&satellite, session) else {
                    return;
                };
                let cancel = self.replace(&satellite, session, None, live);
                let shared = self.shared.clone();
                let span = turn_span(Some(&satellite), Some(session));
                self.tasks.spawn(
                    guarded(
                        guard,
                        text_turn(shared, destination, asker, input.text, input.lang, cancel),
                    )
                    .instrument(span),
                );
            }
            Inbound::Ask(ask) => {
                let admitted = self.admission.admit(None, None, std::time::Instant::now());
                let guard = match admitted {
                    Ok((guard, _)) => guard,
                    Err(refusal) => {
                        self.tasks
                            .spawn(refuse_ask(self.shared.clone(), ask.id, refusal));
                        return;
                    }
                };
                let speak_on = ask.satellite.clone().map(|satellite| {
                    let session = self.session();
                    (satellite, session)
                });
                let asker = Asker {
                    satellite: speak_on.as_ref().map(|(satellite, _)| satellite.clone()),
                    session: speak_on.as_ref().map(|(_, session)| *session),
                };
                let destination = Destination::Ask {
                    id: ask.id,
                    speak_on,
                };
                let shared = self.shared.clone();
                let cancel = self.shutdown.child_token();
                let span = turn_span(asker.satellite.as_ref(), asker.session);
                self.tasks.spawn(
                    guarded(
                        guard,
                        text_turn(shared, destination, asker, ask.text, ask.lang, cancel),
                    )
                    .instrument(span),
                );
            }
            Inbound::Say { target, say } => {
                let satellites: Vec<SatelliteId> = match target {
                    Target::Satellite(satellite) => vec![satellite],
                    Target::All => self.known.iter().cloned().collect(),
                };
                if satellites.is_empty() {
                    tracing::warn!("Say to all satellites, but none is known yet.");
                }
                for satellite in satellites {
                    let session = self.session();
                    let shared = self.shared.clone();
                    let cancel = self.shutdown.child_token();
                    let text = say.text.clone();
                    let lang = say
                        .lang
                        .clone()
                        .unwrap_or_else(|| shared.config.assistant.language.clone());
                    self.tasks.spawn(super::announce::announce(
                        shared, satellite, session, text, lang, cancel,
                    ));
                }
            }
            Inbound::SatelliteStatus {
                satellite,
                availability,
            } => match availability {
                Availability::Online => {
                    self.known.insert(satellite);
                }
                Availability::Offline => {
                    // The satellite vanished: free its turn at once. A turn that already
                    // ended is only forgotten: leaving after an answer is no news.
                    if let Some(turn) = self.turns.remove(&satellite)
                        && turn.live.is_live()
                    {
                        tracing::warn!(satellite = %satellite, session = turn.session, "Satellite went offline mid-turn; turn closed.");
                        turn.cancel.cancel();
                    }
                    self.known.remove(&satellite);
                }
            },
            // Timers: automations' requests and what satellites did on their own.
            Inbound::TimerSet(set) => self.shared.timers.notify(TimerCommand::Set(set)),
            Inbound::TimerCancel(cancel) => {
                self.shared.timers.notify(TimerCommand::Cancel(cancel));
            }
            Inbound::Event { satellite, event } => {
                self.shared
                    .timers
                    .notify(TimerCommand::SatelliteEvent { satellite, event });
            }
            // External skills: registration is swapped in here, between turns.
            Inbound::SkillManifest { skill, manifest } => {
                match self.shared.skills.register(skill.clone(), manifest) {
                    Ok(true) => tracing::info!(skill = %skill, "External skill registered."),
                    Ok(false) => {}
                    Err(error) => {
                        tracing::error!(%error, code = "skill_manifest_invalid", "External skill refused.");
                    }
                }
            }
            Inbound::Cleared(Retained::SkillManifest(skill))
                if self.shared.skills.unregister(&skill) =>
            {
                tracing::info!(skill = %skill, "External skill unregistered.");
            }
            Inbound::SkillResponse { skill, response } => {
                self.shared.skill_calls.on_response(&skill, response);
            }
            Inbound::Heartbeat { satellite, .. } => {
                self.known.insert(satellite);
            }
            // In a group, an instance that died left its last will, `offline`, retained: the
            // living put `online` back so that satellites keep talking.
            Inbound::BridgeStatus(Availability::Offline)
                if self.shared.config.cluster.enabled() =>
            {
                tracing::info!("Another bridge of the group went offline; still online here.");
                let shared = self.shared.clone();
                self.tasks.spawn(async move {
                    let online = shared.topics.encode_bridge_status(Availability::Online);
                    shared.publish(online).await;
                });
            }
            _ => {}
        }
    }

    /// Cancels the satellite's current turn and registers a new one.
    fn replace(
        &mut self,
        satellite: &SatelliteId,
        session: u32,
        audio: Option<mpsc::Sender<AudioIn>>,
        live: SessionHandle,
    ) -> CancellationToken {
        let cancel = self.shutdown.child_token();
        if let Some(previous) = self.turns.insert(
            satellite.clone(),
            ActiveTurn {
                session,
                audio,
                cancel: cancel.clone(),
                live,
            },
        ) {
            if previous.session != session {
                tracing::info!(satellite = %satellite, old = previous.session, new = session, "New turn replaces the old one.");
            }
            previous.cancel.cancel();
        }
        cancel
    }

    fn start_voice(&mut self, satellite: SatelliteId, session: u32) {
        let Some((guard, live)) = self.admit(&satellite, session) else {
            return;
        };
        let (sender, receiver) = mpsc::channel(AUDIO_QUEUE);
        let cancel = self.replace(&satellite, session, Some(sender), live);
        let shared = self.shared.clone();
        let span = turn_span(Some(&satellite), Some(session));
        self.tasks.spawn(
            guarded(
                guard,
                voice_turn(shared, satellite, session, receiver, cancel),
            )
            .instrument(span),
        );
    }

    /// Admits a satellite's new turn under `[limits]`, or reports the refusal to it.
    fn admit(
        &mut self,
        satellite: &SatelliteId,
        session: u32,
    ) -> Option<(SessionGuard, SessionHandle)> {
        let replacing = self.turns.get(satellite).map(|turn| turn.live.clone());
        match self.admission.admit(
            Some(satellite),
            replacing.as_ref(),
            std::time::Instant::now(),
        ) {
            Ok(admitted) => {
                self.refused.remove(satellite);
                Some(admitted)
            }
            Err(refusal) => {
                if self.refused.len() >= MAX_REFUSED {
                    self.refused.clear();
                }
                self.refused.insert(satellite.clone(), session);
                self.tasks.spawn(refuse_satellite(
                    self.shared.clone(),
                    satellite.clone(),
                    session,
                    refusal,
                ));
                None
            }
        }
    }

    /// Whether `session` is the satellite's turn now.
    fn is_current(&self, satellite: &SatelliteId, session: u32) -> bool {
        self.turns
            .get(satellite)
            .is_some_and(|turn| turn.session == session)
    }

    fn feed(&mut self, satellite: &SatelliteId, session: u32, audio: AudioIn) {
        let Some(turn) = self
            .turns
            .get(satellite)
            .filter(|turn| turn.session == session)
        else {
            tracing::debug!(satellite = %satellite, session, "Audio for no current session; dropped.");
            return;
        };
        if turn
            .audio
            .as_ref()
            .is_none_or(|sender| sender.try_send(audio).is_err())
        {
            tracing::debug!(satellite = %satellite, session, "Turn is not taking audio; chunk dropped.");
        }
    }
}

/// Runs a turn holding its session guard, so that it counts as in progress until its task
/// has really ended.
async fn guarded(guard: SessionGuard, turn: impl std::future::Future<Output = ()>) {
    turn.await;
    drop(guard);
}
