//! The thin async driver around the [`TimerBook`]: one task owns the book, takes commands
//! through a bounded channel (spoken intents, `timer/set` and `timer/cancel` from
//! automations, satellites' local events), sleeps until the next deadline, saves the book
//! after each change and applies the effects (timer events, the retained list, announcements).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use hive_skills::Lang;
use hive_skills::timer::{TimerIntent, timer_fired_reply};
use hive_topics::{LocalEvent, SatelliteId, TimerCancel, TimerEvent, TimerInfo, TimerSet};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::book::{Effect, Selector, TimerBook};
use super::store::TimerStore;
use super::voice;
use crate::pipeline::{Shared, announce};

/// Commands waiting for the driver. The driver only does bookkeeping, so this fills only
/// under a flood of automation messages; those are then dropped (and logged), while a spoken
/// request waits for room.
const COMMAND_QUEUE: usize = 64;

/// How long announcements in progress get to finish at shutdown.
const ANNOUNCE_GRACE: Duration = Duration::from_secs(2);

/// What the driver is asked to do.
#[derive(Debug)]
pub(crate) enum TimerCommand {
    /// A spoken or LLM timer/stopwatch intent; the answer goes back on `reply`.
    Voice {
        intent: TimerIntent,
        satellite: Option<SatelliteId>,
        lang: Lang,
        reply: oneshot::Sender<String>,
    },
    /// `{p}/timer/set` from an automation.
    Set(TimerSet),
    /// `{p}/timer/cancel` from an automation.
    Cancel(TimerCancel),
    /// A satellite's `{p}/satellite/{id}/event`.
    SatelliteEvent {
        satellite: SatelliteId,
        event: LocalEvent,
    },
}

/// The handle turns and the router use to reach the timer driver.
#[derive(Debug, Clone)]
pub(crate) struct Timers {
    commands: mpsc::Sender<TimerCommand>,
}

impl Timers {
    /// A handle and the receiver its driver will own.
    pub(crate) fn channel() -> (Timers, mpsc::Receiver<TimerCommand>) {
        let (commands, receiver) = mpsc::channel(COMMAND_QUEUE);
        (Timers { commands }, receiver)
    }

    /// Executes a timer or stopwatch intent; `None` when the driver has stopped (shutdown).
    pub(crate) async fn voice(
        &self,
        intent: TimerIntent,
        satellite: Option<SatelliteId>,
        lang: Lang,
    ) -> Option<String> {
        let (reply, answer) = oneshot::channel();
        let command = TimerCommand::Voice {
            intent,
            satellite,
            lang,
            reply,
        };
        self.commands.send(command).await.ok()?;
        answer.await.ok()
    }

    /// Hands over an automation request or a satellite's event without waiting: the router
    /// must never block.
    pub(crate) fn notify(&self, command: TimerCommand) {
        if let Err(error) = self.commands.try_send(command) {
            tracing::warn!(%error, "Timer driver is busy; timer message dropped.");
        }
    }
}

/// Sessions of announcements: bit 30 set and bit 31 clear, unlike the router's sessions (bit
/// 31 set) and never 0.
fn announcement_session() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let seed = crate::pipeline::now_ms() as u32;
    0x4000_0000 | (seed.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed)) & 0x3fff_ffff)
}

/// The driver's state.
struct Driver {
    shared: Arc<Shared>,
    store: Option<TimerStore>,
    book: TimerBook,
    announcements: JoinSet<()>,
    default_lang: Lang,
    shutdown: CancellationToken,
}

/// Runs the timers until `shutdown`: loads the saved book, fires what fell due while the
/// bridge was down (late, once), then serves commands and deadlines.
pub(crate) async fn run(
    shared: Arc<Shared>,
    store: Option<TimerStore>,
    mut commands: mpsc::Receiver<TimerCommand>,
    shutdown: CancellationToken,
) {
    // The store may be a network server (Redis): its calls run on the blocking pool.
    let loaded = match store.clone() {
        Some(store) => Some(
            tokio::task::spawn_blocking(move || store.load())
                .await
                .unwrap_or_else(|error| {
                    Err(super::store::TimerStoreError {
                        action: "load",
                        detail: error.to_string(),
                    })
                }),
        ),
        None => None,
    };
    let book = match loaded {
        Some(Ok(book)) => book,
        Some(Err(error)) => {
            tracing::error!(%error, code = "timers_unreadable", "Saved timers cannot be read; starting without them.");
            TimerBook::default()
        }
        None => TimerBook::default(),
    };
    let default_lang = shared.config.assistant.language.parse().unwrap_or(Lang::En);
    let mut driver = Driver {
        shared,
        store,
        book,
        announcements: JoinSet::new(),
        default_lang,
        shutdown: shutdown.clone(),
    };
    tracing::info!(timers = driver.book.all().len(), "Timers loaded.");
    driver.publish_list().await;
    loop {
        let deadline = driver.book.next_deadline_ms().map(|at| {
            let wait = at.saturating_sub(crate::pipeline::now_ms());
            tokio::time::Instant::now() + Duration::from_millis(wait)
        });
        tokio::select! {
            () = shutdown.cancelled() => break,
            command = commands.recv() => match command {
                Some(command) => driver.handle(command).await,
                None => break,
            },
            () = sleep_until(deadline), if deadline.is_some() => {
                let effects = driver.book.due(crate::pipeline::now_ms());
                driver.apply(effects).await;
            }
            Some(_) = driver.announcements.join_next(), if !driver.announcements.is_empty() => {}
        }
    }
    let drain = async { while driver.announcements.join_next().await.is_some() {} };
    if tokio::time::timeout(ANNOUNCE_GRACE, drain).await.is_err() {
        tracing::warn!("Timer announcements did not finish in time.");
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

impl Driver {
    async fn handle(&mut self, command: TimerCommand) {
        let now = crate::pipeline::now_ms();
        match command {
            TimerCommand::Voice {
                intent,
                satellite,
                lang,
                reply,
            } => {
                let stopwatch = matches!(
                    intent,
                    TimerIntent::StopwatchStart | TimerIntent::StopwatchStop
                );
                let (speech, effects) =
                    voice::execute(&mut self.book, intent, satellite.as_ref(), lang, now);
                if stopwatch {
                    self.save().await;
                }
                // Answer first: the confirmation must not wait for the events.
                let _ = reply.send(speech);
                self.apply(effects).await;
            }
            TimerCommand::Set(set) => {
                let lang = self.default_lang;
                match self
                    .book
                    .set(set.satellite, set.name, set.duration_s, lang, now)
                {
                    Ok((timer, effects)) => {
                        tracing::info!(timer = %timer.id, satellite = ?timer.satellite, "Timer set by an automation.");
                        self.apply(effects).await;
                    }
                    Err(error) => {
                        tracing::warn!(
                            ?error,
                            code = "timer_refused",
                            "Timer from an automation refused."
                        );
                    }
                }
            }
            TimerCommand::Cancel(cancel) => {
                let selector = Selector {
                    id: cancel.timer_id.filter(|id| !id.trim().is_empty()),
                    name: cancel.name.filter(|name| !name.trim().is_empty()),
                    satellite: cancel.satellite,
                };
                let (cancelled, effects) = self.book.cancel(&selector);
                if cancelled.is_empty() {
                    tracing::info!(?selector, "No timer to cancel.");
                }
                self.apply(effects).await;
            }
            TimerCommand::SatelliteEvent { satellite, event } => {
                let stopwatch = matches!(event, LocalEvent::Stopwatch { .. });
                let effects =
                    self.book
                        .on_satellite_event(&satellite, &event, self.default_lang, now);
                if stopwatch {
                    self.save().await;
                }
                self.apply(effects).await;
            }
        }
    }

    /// Saves the book and waits for the store: the effects that follow (an announcement)
    /// must come after the book that no longer holds them is saved.
    async fn save(&self) {
        let Some(store) = self.store.clone() else {
            return;
        };
        let book = self.book.clone();
        let saved = tokio::task::spawn_blocking(move || store.save(&book))
            .await
            .unwrap_or_else(|error| {
                Err(super::store::TimerStoreError {
                    action: "save",
                    detail: error.to_string(),
                })
            });
        if let Err(error) = saved {
            tracing::error!(%error, code = "timers_not_saved", "Timers not saved; they run until the bridge stops.");
        }
    }

    /// Saves first, then tells: a timer announced is never announced again after a crash.
    async fn apply(&mut self, effects: Vec<Effect>) {
        if effects.is_empty() {
            return;
        }
        self.save().await;
        for effect in effects {
            match effect {
                Effect::Event(kind, timer) => {
                    tracing::info!(timer = %timer.id, satellite = ?timer.satellite, ?kind, "Timer event.");
                    let event = TimerEvent {
                        kind,
                        timer: timer.info(),
                    };
                    self.shared
                        .publish(self.shared.topics.encode_timer_event(&event))
                        .await;
                }
                Effect::ListChanged => self.publish_list().await,
                Effect::Announce(timer) => self.announce(timer.satellite, timer.name, timer.lang),
            }
        }
    }

    async fn publish_list(&self) {
        let list: Vec<TimerInfo> = self.book.all().iter().map(|timer| timer.info()).collect();
        self.shared
            .publish(self.shared.topics.encode_timer_list(&list))
            .await;
    }

    fn announce(&mut self, satellite: Option<SatelliteId>, name: Option<String>, lang: Lang) {
        let Some(satellite) = satellite else {
            tracing::info!("Timer without a satellite rang; reported on timer/event only.");
            return;
        };
        let text = timer_fired_reply(name.as_deref(), lang);
        self.announcements.spawn(announce(
            self.shared.clone(),
            satellite,
            announcement_session(),
            text,
            lang.code().to_owned(),
            self.shutdown.child_token(),
        ));
    }
}
