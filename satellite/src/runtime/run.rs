//! Wiring: builds every part from the configuration, starts the tasks and threads, runs the
//! main loop, and shuts everything down in order.
//!
//! Tasks and threads, and the channels between them (capacities in parentheses):
//! - input thread(s) → listener thread: 16 kHz frames (100 × 20 ms; full: drop and count);
//! - listener thread → main loop: wake, chunks, end of speech (256; the listener waits);
//! - main loop → listener: commands (16; full: refuse and log);
//! - MQTT connection task → main loop: parsed messages (256; full: drop and count);
//! - main loop → player thread: sentences and stop (256; full: refuse and log);
//! - player thread → main loop: started, drained, finished (64; the player waits);
//! - background jobs (speech-to-text, speech synthesis, action hooks) → main loop (64);
//! - heartbeat and sensor tasks publish directly.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hive_skills::Lang;
use hive_topics::{SatelliteId, Topics};
use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::satellite::{Capture, Inputs, Satellite};
use crate::actions::Face;
use crate::audio::{AudioError, AudioInput, FrameSink, open_input, open_output};
use crate::clock::{Clock, SystemClock};
use crate::config::SatelliteConfig;
use crate::counters::Counters;
use crate::events::SatelliteEvent;
use crate::eyes::outputs_for;
use crate::mqtt::{MqttError, run_heartbeat, run_sensors, spawn as spawn_connection};
use crate::offline::{EspeakTts, LocalAssistant, OfflineError, OfflineStt, OfflineTts};
use crate::playback::ReplyQueue;
use crate::state::{Eyes, Link, Turns};
use crate::storage::{Store, StoreError};
use crate::wake::{WakeError, WakeModel};

/// How long the tasks may take to finish after shutdown before they are abandoned.
const GRACE: Duration = Duration::from_secs(5);

/// Why the satellite could not start (once started it keeps going whatever fails).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A configuration value that validation should have caught.
    #[error("configuration: {0}")]
    Config(String),
    /// Audio input or output.
    #[error(transparent)]
    Audio(#[from] AudioError),
    /// The wake word model or engine.
    #[error(transparent)]
    Wake(#[from] WakeError),
    /// The MQTT settings.
    #[error(transparent)]
    Mqtt(#[from] MqttError),
    /// Degraded mode's engines.
    #[error(transparent)]
    Offline(#[from] OfflineError),
    /// The state file.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A thread could not start.
    #[error("cannot start a thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// What a caller may add to a run besides the configuration.
pub struct RunOptions {
    /// Where [`SatelliteEvent`]s go (tests and displays subscribe to it).
    pub events: broadcast::Sender<SatelliteEvent>,
    /// Wall-clock time for timers; the system clock by default.
    pub clock: Arc<dyn Clock>,
    /// A speech-to-text engine to use instead of loading `degraded.stt_model`.
    pub stt: Option<Arc<dyn OfflineStt>>,
    /// A speech synthesiser to use instead of espeak-ng.
    pub tts: Option<Arc<dyn OfflineTts>>,
    /// An audio input to use instead of `audio.input` (e.g. a [`crate::audio::QueueInput`]).
    pub input: Option<Box<dyn AudioInput>>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            events: broadcast::channel(1024).0,
            clock: Arc::new(SystemClock),
            stt: None,
            tts: None,
            input: None,
        }
    }
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions").finish_non_exhaustive()
    }
}

/// Degraded mode's speech-to-text, loaded on demand (see [`crate::offline::OnDemandStt`]).
/// It is loaded here, on a blocking thread, to tell at start-up whether it can be; the
/// satellite starts degraded and lets it go once it hears from the bridge. A failure is
/// logged, not fatal: the satellite still works with the bridge, and says offline that it
/// did not understand.
async fn load_stt(config: &SatelliteConfig) -> Option<Arc<dyn OfflineStt>> {
    if !config.degraded.enabled {
        return None;
    }
    #[cfg(feature = "offline-stt")]
    {
        let degraded = config.degraded.clone();
        let load: crate::offline::Loader = Box::new(move || {
            let languages: Vec<Lang> = degraded
                .languages
                .iter()
                .filter_map(|code| code.parse().ok())
                .collect();
            let language = Lang::from_str(&degraded.stt_language).ok();
            let prompt = degraded
                .stt_prompt
                .clone()
                .unwrap_or_else(|| crate::offline::default_prompt(&languages));
            let model = degraded.stt_model.clone().unwrap_or_default();
            crate::offline::WhisperOffline::load(
                &model,
                language,
                languages,
                prompt,
                degraded.stt_threads,
            )
            .map(|stt| Arc::new(stt) as Arc<dyn OfflineStt>)
        });
        let stt: Arc<dyn OfflineStt> = Arc::new(crate::offline::OnDemandStt::new(load));
        let checked = Arc::clone(&stt);
        let loaded = tokio::task::spawn_blocking(move || checked.prepare()).await;
        match loaded {
            Ok(Ok(())) => Some(stt),
            Ok(Err(error)) => {
                tracing::error!(error = %error, code = "local_stt_unavailable", "Degraded mode cannot understand speech.");
                None
            }
            Err(error) => {
                tracing::error!(error = %error, "Loading speech-to-text panicked.");
                None
            }
        }
    }
    #[cfg(not(feature = "offline-stt"))]
    {
        tracing::warn!("Built without `offline-stt`: degraded mode cannot understand speech.");
        None
    }
}

/// Runs the satellite until `shutdown` is cancelled.
///
/// # Errors
/// Something needed at start-up failed: the audio input or output, the wake word model,
/// the MQTT settings, the state file.
pub async fn run(
    config: SatelliteConfig,
    options: RunOptions,
    shutdown: CancellationToken,
) -> Result<(), RunError> {
    let config = Arc::new(config);
    let id = SatelliteId::new(config.satellite.id.clone())
        .map_err(|error| RunError::Config(error.to_string()))?;
    let topics = Topics::new(config.mqtt.prefix.clone())
        .map_err(|error| RunError::Config(error.to_string()))?;
    let time_zone = chrono_tz::Tz::from_str(&config.satellite.time_zone)
        .map_err(|_| RunError::Config(format!("time zone {}", config.satellite.time_zone)))?;
    let lang = Lang::from_str(&config.satellite.language)
        .map_err(|error| RunError::Config(error.to_string()))?;

    let store = Store::new(config.storage.path.clone());
    let local = store.load()?;
    let model = WakeModel::load(config.wake.model.as_deref())?;
    tracing::info!(satellite = %id, model = %model.source().display(), wake_word = %model.name(), "Wake word loaded.");
    let input = match options.input {
        Some(input) => input,
        None => open_input(&config.audio.input)?,
    };
    let output = open_output(&config.audio.output)?;
    let assistant = Arc::new(LocalAssistant::new(id.as_str(), time_zone, lang)?);
    let stt = match options.stt {
        Some(stt) => Some(stt),
        None => load_stt(&config).await,
    };
    let tts: Arc<dyn OfflineTts> = options.tts.unwrap_or_else(|| {
        Arc::new(EspeakTts::new(
            config.degraded.tts_command.clone(),
            config.degraded.voices.clone(),
            config.degraded.tts_speed,
        ))
    });

    let counters = Arc::new(Counters::default());
    let tasks = shutdown.child_token();
    let eyes = Eyes::new(true);
    let (view_tx, view_rx) = watch::channel(eyes.view());
    let (inbound_tx, inbound) = mpsc::channel(256);
    let connection = spawn_connection(
        &config.mqtt,
        topics.clone(),
        id.clone(),
        inbound_tx,
        view_rx.clone(),
        counters.clone(),
        tasks.clone(),
    )?;

    let (frames_tx, frames_rx) = std::sync::mpsc::sync_channel(100);
    let (front_tx, front) = mpsc::channel(256);
    let listener = crate::listen::spawn(
        model,
        config.wake.clone(),
        config.listen.clone(),
        frames_rx,
        front_tx,
    )?;
    let stop_input = Arc::new(AtomicBool::new(false));
    let input = input.start(
        FrameSink::new(frames_tx, counters.audio_dropped.clone()),
        stop_input.clone(),
    );
    let input = match input {
        Ok(input) => input,
        Err(error) => {
            listener.stop();
            tasks.cancel();
            return Err(error.into());
        }
    };
    let (player_tx, player_events) = mpsc::channel(64);
    let player = crate::playback::spawn(output, player_tx)?;
    let (jobs_tx, jobs) = mpsc::channel(64);

    let mut background = tokio::task::JoinSet::new();
    let publisher = connection.publisher.clone();
    background.spawn(run_heartbeat(
        topics.clone(),
        id.clone(),
        Duration::from_secs_f64(config.heartbeat.interval_s),
        counters.clone(),
        view_rx,
        connection.state.clone(),
        move |message| publisher.send(message),
        tasks.clone(),
    ));
    let publisher = connection.publisher.clone();
    background.spawn(run_sensors(
        topics.clone(),
        id.clone(),
        config.sensors.clone(),
        move |message| publisher.send(message),
        tasks.clone(),
    ));

    let satellite = Satellite {
        id: id.clone(),
        topics,
        config: config.clone(),
        publisher: connection.publisher.clone(),
        counters,
        events: options.events,
        listener,
        player,
        outputs: outputs_for(&config.eyes, id.as_str()),
        view: view_tx,
        eyes,
        // Validated when loaded; a config built in code falls back to the default.
        face: Face::new(
            Duration::try_from_secs_f64(config.eyes.emotion_half_life_s)
                .unwrap_or(hive_skills::emotion::DEFAULT_HALF_LIFE),
        ),
        link: Link::new(),
        turns: Turns::new(Duration::from_secs_f64(config.turn.reply_timeout_s)),
        degraded: None,
        reply: ReplyQueue::default(),
        reply_session: 0,
        capture: Capture::default(),
        muted: false,
        local,
        store,
        clock: options.clock,
        assistant,
        stt,
        tts,
        jobs: jobs_tx,
        serial: 0,
        answer_key: None,
    };
    tracing::info!(satellite = %id, "Satellite running.");
    let inputs = Inputs {
        inbound,
        connection: connection.state.clone(),
        front,
        player: player_events,
        jobs,
    };
    let satellite = satellite.run(inputs, shutdown.clone()).await;

    tracing::info!(satellite = %id, "Shutting down.");
    tasks.cancel();
    satellite.save().await;
    stop_input.store(true, Ordering::Relaxed);
    let Satellite {
        listener, player, ..
    } = satellite;
    let threads = tokio::task::spawn_blocking(move || {
        player.stop();
        listener.stop();
        input.join();
    });
    let drain = async {
        let _ = threads.await;
        while background.join_next().await.is_some() {}
        let _ = connection.task.await;
    };
    if tokio::time::timeout(GRACE, drain).await.is_err() {
        tracing::warn!(satellite = %id, grace_s = GRACE.as_secs(), "Some tasks did not stop in time.");
    }
    Ok(())
}
