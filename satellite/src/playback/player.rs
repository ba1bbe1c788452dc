//! The player: a thread that writes sounds to the [`AudioOutput`] in blocks of 100 ms,
//! paced at real time when the output is (a speaker, or WAV files standing in for one), so
//! that `stop` and barge-in cut a sound where a listener would hear it cut.
//!
//! Sounds play one after the other; the sentences of one sound back to back, which is
//! what makes a reply play without gaps when its next sentence has already arrived. It runs
//! on its own thread because a device's `halt` may wait for the sound card.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::queue::Sentence;
use crate::audio::{AudioOutput, Resampler};

/// Block written at a time.
const BLOCK: Duration = Duration::from_millis(100);
/// How far ahead of the listener the player writes.
const LEAD: Duration = Duration::from_millis(200);
/// Commands waiting for the player; a full queue refuses (and the runtime logs it).
const COMMAND_CAPACITY: usize = 256;

/// Which sound a sentence belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlayKey {
    /// The bridge's reply in a session.
    Reply(u32),
    /// Something the satellite says by itself (a local answer, a timer announcement).
    Local(u64),
    /// A timer's alarm tone.
    Alarm(u64),
}

impl PlayKey {
    fn label(self, serial: u64) -> String {
        match self {
            PlayKey::Reply(session) => format!("reply-{serial}-{session}"),
            PlayKey::Local(id) => format!("local-{serial}-{id}"),
            PlayKey::Alarm(id) => format!("alarm-{serial}-{id}"),
        }
    }
}

/// What the player is told.
#[derive(Debug, Clone, PartialEq)]
pub enum PlayerCommand {
    /// Queue a sentence of a sound.
    Play(PlayKey, Sentence),
    /// Stop at once: the current sound is cut, everything queued dropped.
    Stop,
    /// Volume 0–1.
    Volume(f32),
}

/// What the player reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlayerEvent {
    /// A sound started playing.
    Started(PlayKey),
    /// Everything queued of a sound played, but its last sentence has not come.
    Drained(PlayKey),
    /// A sound ended: played to its last sentence, or cut (`interrupted`).
    Finished {
        /// The sound.
        key: PlayKey,
        /// Whether it was cut short.
        interrupted: bool,
        /// The file it was written to, for WAV outputs.
        path: Option<PathBuf>,
    },
}

/// The running player.
#[derive(Debug)]
pub struct Player {
    commands: SyncSender<PlayerCommand>,
    thread: Option<JoinHandle<()>>,
}

impl Player {
    /// Sends a command without blocking; false when the queue is full or the player gone.
    pub fn send(&self, command: PlayerCommand) -> bool {
        match self.commands.try_send(command) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                tracing::warn!("Player queue full; sound dropped.");
                false
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    }

    /// Stops the player (cutting what plays) and waits for its thread.
    pub fn stop(mut self) {
        let _ = self.commands.try_send(PlayerCommand::Stop);
        let (closed, _) = std::sync::mpsc::sync_channel(1);
        self.commands = closed;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the player thread over `output`.
///
/// # Errors
/// The thread cannot be started.
pub fn spawn(
    output: Box<dyn AudioOutput>,
    events: mpsc::Sender<PlayerEvent>,
) -> std::io::Result<Player> {
    let (commands, receiver) = std::sync::mpsc::sync_channel(COMMAND_CAPACITY);
    let thread = std::thread::Builder::new()
        .name("player".into())
        .spawn(move || State::new(output, events).run(&receiver))?;
    Ok(Player {
        commands,
        thread: Some(thread),
    })
}

struct Current {
    key: PlayKey,
    /// Samples at the output's rate not yet written.
    buffer: VecDeque<i16>,
    /// When the first sample was (notionally) heard, and how many were written since.
    anchor: Instant,
    written: u64,
    last_queued: bool,
    drained_reported: bool,
}

struct State {
    output: Box<dyn AudioOutput>,
    events: mpsc::Sender<PlayerEvent>,
    current: Option<Current>,
    /// Sentences of later sounds.
    later: VecDeque<(PlayKey, Sentence)>,
    serial: u64,
}

impl State {
    fn new(output: Box<dyn AudioOutput>, events: mpsc::Sender<PlayerEvent>) -> State {
        State {
            output,
            events,
            current: None,
            later: VecDeque::new(),
            serial: 0,
        }
    }

    fn emit(&self, event: PlayerEvent) {
        // Blocking is fine on this thread; the runtime reads promptly.
        let _ = self.events.blocking_send(event);
    }

    fn run(mut self, commands: &Receiver<PlayerCommand>) {
        loop {
            let wait = self.next_wake().map_or(Duration::from_secs(3600), |at| {
                at.saturating_duration_since(Instant::now())
            });
            match commands.recv_timeout(wait) {
                Ok(command) => self.handle(command),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    self.cut();
                    return;
                }
            }
            self.pump();
        }
    }

    fn handle(&mut self, command: PlayerCommand) {
        match command {
            PlayerCommand::Play(key, sentence) => match &self.current {
                Some(current) if current.key == key => self.append(sentence),
                Some(_) => self.later.push_back((key, sentence)),
                None => {
                    self.start(key);
                    self.append(sentence);
                }
            },
            PlayerCommand::Stop => {
                self.later.clear();
                self.cut();
            }
            PlayerCommand::Volume(volume) => self.output.set_volume(volume),
        }
    }

    fn start(&mut self, key: PlayKey) {
        self.serial += 1;
        if let Err(error) = self.output.begin(&key.label(self.serial)) {
            tracing::error!(error = %error, "Audio output failed.");
        }
        self.current = Some(Current {
            key,
            buffer: VecDeque::new(),
            anchor: Instant::now(),
            written: 0,
            last_queued: false,
            drained_reported: false,
        });
        self.emit(PlayerEvent::Started(key));
    }

    fn append(&mut self, sentence: Sentence) {
        let rate = self.output.rate();
        if let Err(error) = self.output.sentence(sentence.index) {
            tracing::error!(error = %error, "Audio output failed.");
        }
        let samples = Resampler::convert(&sentence.samples, sentence.sample_rate, rate);
        let Some(current) = self.current.as_mut() else {
            return;
        };
        // After an underrun the listener heard silence: re-anchor so pacing restarts now.
        let heard_until = current.anchor + duration_of(current.written, rate);
        let now = Instant::now();
        if current.buffer.is_empty() && heard_until < now {
            current.anchor = now - duration_of(current.written, rate);
        }
        current.buffer.extend(samples);
        current.last_queued |= sentence.last;
        current.drained_reported = false;
    }

    /// When the pacing next needs attention.
    fn next_wake(&self) -> Option<Instant> {
        let current = self.current.as_ref()?;
        let rate = self.output.rate();
        let heard_until = current.anchor + duration_of(current.written, rate);
        if !current.buffer.is_empty() {
            Some(if self.output.realtime() {
                heard_until.checked_sub(LEAD).unwrap_or(heard_until)
            } else {
                Instant::now()
            })
        } else if current.last_queued {
            Some(if self.output.realtime() {
                heard_until
            } else {
                Instant::now()
            })
        } else {
            None
        }
    }

    /// Writes what is due, finishes what played.
    fn pump(&mut self) {
        let rate = self.output.rate();
        let realtime = self.output.realtime();
        let block = (u64::from(rate) * BLOCK.as_millis() as u64 / 1000) as usize;
        loop {
            let Some(current) = self.current.as_mut() else {
                return;
            };
            let now = Instant::now();
            let heard_until = current.anchor + duration_of(current.written, rate);
            if !current.buffer.is_empty() {
                if realtime && heard_until > now + LEAD {
                    return;
                }
                let take = block.min(current.buffer.len());
                let samples: Vec<i16> = current.buffer.drain(..take).collect();
                current.written += take as u64;
                if let Err(error) = self.output.write(&samples) {
                    tracing::error!(error = %error, "Audio output failed.");
                }
                continue;
            }
            if !current.last_queued {
                if !current.drained_reported {
                    current.drained_reported = true;
                    let key = current.key;
                    self.emit(PlayerEvent::Drained(key));
                }
                return;
            }
            if realtime && heard_until > now {
                return;
            }
            self.finish(false);
            self.start_next();
        }
    }

    fn finish(&mut self, interrupted: bool) {
        let Some(current) = self.current.take() else {
            return;
        };
        let path = self.output.finish(interrupted).unwrap_or_else(|error| {
            tracing::error!(error = %error, "Audio output failed.");
            None
        });
        self.emit(PlayerEvent::Finished {
            key: current.key,
            interrupted,
            path,
        });
    }

    fn cut(&mut self) {
        if self.current.is_some() {
            self.output.halt();
            self.finish(true);
        }
    }

    fn start_next(&mut self) {
        let Some((key, _)) = self.later.front() else {
            return;
        };
        let key = *key;
        self.start(key);
        while let Some(position) = self.later.iter().position(|(k, _)| *k == key) {
            if let Some((_, sentence)) = self.later.remove(position) {
                self.append(sentence);
            }
        }
    }
}

fn duration_of(samples: u64, rate: u32) -> Duration {
    Duration::from_secs_f64(samples as f64 / f64::from(rate.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{open_output, read_wav};
    use crate::config::OutputConfig;

    fn output(dir: &std::path::Path, realtime: bool) -> Box<dyn AudioOutput> {
        open_output(&OutputConfig::WavDir {
            dir: dir.to_owned(),
            sample_rate: 16_000,
            per_sentence: false,
            realtime,
            volume: 1.0,
        })
        .unwrap()
    }

    fn sentence(index: u32, value: i16, len: usize, last: bool) -> Sentence {
        Sentence {
            index,
            samples: vec![value; len],
            sample_rate: 16_000,
            last,
        }
    }

    async fn finished(events: &mut mpsc::Receiver<PlayerEvent>) -> (PlayKey, bool, PathBuf) {
        loop {
            match events.recv().await.unwrap() {
                PlayerEvent::Finished {
                    key,
                    interrupted,
                    path,
                } => return (key, interrupted, path.unwrap()),
                _ => continue,
            }
        }
    }

    #[tokio::test]
    async fn sentences_play_back_to_back_and_sounds_in_turn() {
        let dir = tempfile::tempdir().unwrap();
        let (events_tx, mut events) = mpsc::channel(64);
        let player = spawn(output(dir.path(), false), events_tx).unwrap();
        let key = PlayKey::Reply(42);
        player.send(PlayerCommand::Play(key, sentence(0, 100, 3000, false)));
        player.send(PlayerCommand::Play(
            PlayKey::Alarm(1),
            sentence(0, 7, 10, true),
        ));
        player.send(PlayerCommand::Play(key, sentence(1, 200, 2000, true)));
        let (first, interrupted, path) = finished(&mut events).await;
        assert_eq!((first, interrupted), (key, false));
        let samples = read_wav(&path).unwrap().samples;
        assert_eq!(samples, [vec![100; 3000], vec![200; 2000]].concat());
        let (second, _, path) = finished(&mut events).await;
        assert_eq!(second, PlayKey::Alarm(1));
        assert_eq!(read_wav(&path).unwrap().samples, vec![7; 10]);
        player.stop();
    }

    #[tokio::test]
    async fn stop_cuts_a_sound_where_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let (events_tx, mut events) = mpsc::channel(64);
        let player = spawn(output(dir.path(), true), events_tx).unwrap();
        let key = PlayKey::Reply(7);
        // Ten seconds of sound; the first event says it started.
        player.send(PlayerCommand::Play(key, sentence(0, 300, 160_000, true)));
        assert_eq!(events.recv().await, Some(PlayerEvent::Started(key)));
        player.send(PlayerCommand::Stop);
        let (stopped, interrupted, path) = finished(&mut events).await;
        assert_eq!((stopped, interrupted), (key, true));
        let written = read_wav(&path).unwrap().samples.len();
        assert!(written < 32_000, "cut after {written} samples");
        player.stop();
    }
}
