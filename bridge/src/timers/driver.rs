//! The thin async driver around the [`TimerBook`]: one task owns the book, takes commands
//! through a bounded channel (spoken intents, `timer/set` and `timer/cancel` from
//! automations, satellites' local events), sleeps until the next deadline, saves the book
//! after each change and applies the effects (timer events, the retained list, announcements).
//!
//! With Redis the book is shared by every bridge of the household: each change is written
//! over the book it was made on (compare-and-swap) and made again when another bridge wrote
//! first, and each bridge reads the book again every [`REFRESH`], so that a timer set through
//! one bridge rings through another when the first is gone, and a due timer is claimed, and
//! announced, by exactly one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use hive_skills::Lang;
use hive_skills::calendar::reminder_due;
use hive_skills::timer::{TimerIntent, timer_fired_reply};
use hive_topics::{LocalEvent, SatelliteId, TimerCancel, TimerEvent, TimerInfo, TimerSet};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::book::{Effect, Selector, Timer, TimerBook};
use super::store::{Stored, TimerStore, TimerStoreError};
use super::voice;
use crate::context::StoreKind;
use crate::pipeline::{Shared, announce};

/// Commands waiting for the driver. The driver only does bookkeeping, so this fills only
/// under a flood of automation messages; those are then dropped (and logged), while a spoken
/// request waits for room.
const COMMAND_QUEUE: usize = 64;

/// How often a bridge sharing its book (Redis) reads it again: how late, at worst, a timer
/// set through a bridge that has since died rings through another.
const REFRESH: Duration = Duration::from_secs(1);

/// How many times a change is made again after other bridges wrote first, before it is kept
/// in memory only.
const CONFLICT_RETRIES: usize = 8;

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
    /// A reminder added to the calendar by voice, rung at `at_ms` on `satellite`.
    Remind {
        satellite: Option<SatelliteId>,
        text: String,
        at_ms: u64,
        lang: Lang,
    },
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

    /// Rings `text` as a reminder at `at_ms` on `satellite`; false when the driver has
    /// stopped (shutdown).
    pub(crate) async fn remind(
        &self,
        satellite: Option<SatelliteId>,
        text: String,
        at_ms: u64,
        lang: Lang,
    ) -> bool {
        let command = TimerCommand::Remind {
            satellite,
            text,
            at_ms,
            lang,
        };
        self.commands.send(command).await.is_ok()
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
    /// The book, and the record it was read from or written as.
    stored: Stored,
    /// The book holds changes the store refused (a full disk, Redis away): written with the
    /// next change, or (Redis) at the next refresh.
    dirty: bool,
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
    let default_lang = shared.config.assistant.language.parse().unwrap_or(Lang::En);
    let shares_book = store.is_some() && shared.config.context.store == StoreKind::Redis;
    let mut driver = Driver {
        shared,
        store,
        stored: Stored::default(),
        dirty: false,
        announcements: JoinSet::new(),
        default_lang,
        shutdown: shutdown.clone(),
    };
    driver.reload().await;
    tracing::info!(timers = driver.stored.book.all().len(), "Timers loaded.");
    driver.publish_list().await;
    let mut refresh = tokio::time::interval(REFRESH);
    refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let deadline = driver.stored.book.next_deadline_ms().map(|at| {
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
                let now = crate::pipeline::now_ms();
                let effects = driver.transact(|book| book.due(now)).await;
                driver.apply(effects).await;
            }
            _ = refresh.tick(), if shares_book => driver.refresh().await,
            Some(_) = driver.announcements.join_next(), if !driver.announcements.is_empty() => {}
        }
    }
    let drain = async { while driver.announcements.join_next().await.is_some() {} };
    if tokio::time::timeout(ANNOUNCE_GRACE, drain).await.is_err() {
        tracing::warn!("Timer announcements did not finish in time.");
    }
}

/// Runs a store call on the blocking pool: the store may be a disk or a network server.
async fn blocking<T: Send + 'static>(
    action: &'static str,
    call: impl FnOnce() -> Result<T, TimerStoreError> + Send + 'static,
) -> Result<T, TimerStoreError> {
    tokio::task::spawn_blocking(call)
        .await
        .unwrap_or_else(|error| {
            Err(TimerStoreError {
                action,
                detail: error.to_string(),
            })
        })
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
                let (speech, effects) = self
                    .transact(|book| {
                        voice::execute(book, intent.clone(), satellite.as_ref(), lang, now)
                    })
                    .await;
                // Answer first: the confirmation must not wait for the events.
                let _ = reply.send(speech);
                self.apply(effects).await;
            }
            TimerCommand::Set(set) => {
                let lang = self.default_lang;
                let set = self
                    .transact(|book| {
                        book.set(
                            set.satellite.clone(),
                            set.name.clone(),
                            set.duration_s,
                            lang,
                            now,
                        )
                    })
                    .await;
                match set {
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
            TimerCommand::Remind {
                satellite,
                text,
                at_ms,
                lang,
            } => {
                let set = self
                    .transact(|book| book.remind(satellite.clone(), text.clone(), at_ms, lang, now))
                    .await;
                match set {
                    Ok((timer, effects)) => {
                        tracing::info!(timer = %timer.id, satellite = ?timer.satellite, in_s = timer.duration_s, "Reminder set.");
                        self.apply(effects).await;
                    }
                    Err(error) => {
                        tracing::warn!(
                            ?error,
                            code = "reminder_refused",
                            "Reminder kept in the calendar but it will not ring."
                        );
                    }
                }
            }
            TimerCommand::Cancel(cancel) => {
                let selector = Selector {
                    id: cancel.timer_id.filter(|id| !id.trim().is_empty()),
                    name: cancel.name.filter(|name| !name.trim().is_empty()),
                    satellite: cancel.satellite,
                    reminders: true,
                };
                let (cancelled, effects) = self.transact(|book| book.cancel(&selector)).await;
                if cancelled.is_empty() {
                    tracing::info!(?selector, "No timer to cancel.");
                }
                self.apply(effects).await;
            }
            TimerCommand::SatelliteEvent { satellite, event } => {
                let lang = self.default_lang;
                let effects = self
                    .transact(|book| book.on_satellite_event(&satellite, &event, lang, now))
                    .await;
                self.apply(effects).await;
            }
        }
    }

    /// Makes `change` on the book and writes the result over the record the book was read
    /// from, before anything is told: a timer announced is never announced again after a
    /// crash, nor by another bridge. When another bridge wrote first, the change is made
    /// again on the book it wrote. When the store fails, the change is kept in memory: the
    /// timers still ring until the bridge stops.
    async fn transact<R>(&mut self, mut change: impl FnMut(&mut TimerBook) -> R) -> R {
        let mut conflicts = 0;
        loop {
            let mut book = self.stored.book.clone();
            let result = change(&mut book);
            let Some(store) = self.store.clone() else {
                self.stored.book = book;
                return result;
            };
            let base = self.stored.clone();
            let written = book.clone();
            match blocking("save", move || store.commit(&base, written)).await {
                Ok(Some(stored)) => {
                    self.stored = stored;
                    self.dirty = false;
                    return result;
                }
                Ok(None) if conflicts < CONFLICT_RETRIES && self.reload().await => {
                    conflicts += 1;
                    tracing::debug!(
                        conflicts,
                        "Another bridge changed the timers first; making the change again."
                    );
                }
                Ok(None) => {
                    tracing::error!(
                        code = "timers_not_saved",
                        "Timers keep changing under this bridge; the change is kept in memory only."
                    );
                    return self.keep_in_memory(book, result);
                }
                Err(error) => {
                    tracing::error!(%error, code = "timers_not_saved", "Timers not saved; they run until the bridge stops.");
                    return self.keep_in_memory(book, result);
                }
            }
        }
    }

    fn keep_in_memory<R>(&mut self, book: TimerBook, result: R) -> R {
        self.stored.book = book;
        self.dirty = true;
        result
    }

    /// Reads the book from the store; `false` (logged) when the store cannot be read.
    async fn reload(&mut self) -> bool {
        let Some(store) = self.store.clone() else {
            return false;
        };
        match blocking("load", move || store.load()).await {
            Ok(stored) => {
                if let Some(damage) = &stored.damage {
                    tracing::error!(%damage, code = "timers_unreadable", "Saved timers cannot be read; starting without them.");
                }
                if self.dirty && !stored.same_record(&self.stored) {
                    tracing::warn!(
                        "Another bridge changed the timers while this one could not save; its changes kept in memory are dropped."
                    );
                }
                if !stored.same_record(&self.stored) {
                    self.stored = stored;
                    self.dirty = false;
                }
                true
            }
            Err(error) => {
                tracing::error!(%error, code = "timers_unreadable", "Saved timers cannot be read.");
                false
            }
        }
    }

    /// Picks up what the other bridges of the household changed, or writes what this one
    /// kept in memory while the store failed.
    async fn refresh(&mut self) {
        if self.dirty {
            self.transact(|_| ()).await;
        } else {
            let Some(store) = self.store.clone() else {
                return;
            };
            // Quietly: a Redis away is said by the next change that fails to save.
            if let Ok(stored) = blocking("load", move || store.load()).await
                && !stored.same_record(&self.stored)
            {
                self.stored = stored;
                // Another bridge changed the book: every bridge says the new list, so the
                // retained one ends up the newest even when the changer's publish arrived
                // after an older one, or the changer died before publishing.
                self.publish_list().await;
            }
        }
    }

    /// Tells what changed. The book was saved by [`Driver::transact`] before.
    async fn apply(&mut self, effects: Vec<Effect>) {
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
                Effect::Announce(timer) => self.announce(timer),
            }
        }
    }

    async fn publish_list(&self) {
        let list: Vec<TimerInfo> = self
            .stored
            .book
            .all()
            .iter()
            .map(|timer| timer.info())
            .collect();
        self.shared
            .publish(self.shared.topics.encode_timer_list(&list))
            .await;
    }

    fn announce(&mut self, timer: Timer) {
        let Timer {
            satellite,
            name,
            lang,
            reminder,
            ..
        } = timer;
        let Some(satellite) = satellite else {
            tracing::info!("Timer without a satellite rang; reported on timer/event only.");
            return;
        };
        let text = match (reminder, name) {
            (true, Some(text)) => reminder_due(&text, lang),
            (_, name) => timer_fired_reply(name.as_deref(), lang),
        };
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
