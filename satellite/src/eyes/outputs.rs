//! The eye outputs. None may block: the command hook runs in the background.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use hive_topics::Emotion;

use crate::config::{EyesConfig, EyesOutputKind};
use crate::hook;
use crate::state::EyeView;

/// How long an eye command may run.
const HOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// An eye output.
pub trait EyesOutput: Send + Sync {
    /// Shows a new colour and mode.
    fn show(&mut self, view: EyeView);
    /// Shows an emotion (`show_emotion`).
    fn emotion(&mut self, emotion: Emotion, intensity: f32);
}

/// The outputs `config` asks for.
pub fn outputs_for(config: &EyesConfig, satellite: &str) -> Vec<Box<dyn EyesOutput>> {
    let mut outputs: Vec<Box<dyn EyesOutput>> = Vec::new();
    for kind in &config.outputs {
        match kind {
            EyesOutputKind::Log => outputs.push(Box::new(LogEyes {
                satellite: satellite.to_owned(),
            })),
            EyesOutputKind::Terminal if std::io::stderr().is_terminal() => {
                outputs.push(Box::new(TerminalEyes))
            }
            EyesOutputKind::Terminal => {}
        }
    }
    if !config.command.is_empty() || !config.emotion_command.is_empty() {
        outputs.push(Box::new(CommandEyes {
            command: config.command.clone(),
            emotion_command: config.emotion_command.clone(),
        }));
    }
    outputs
}

fn emotion_word(emotion: Emotion) -> String {
    serde_json::to_value(emotion)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A log line per change.
#[derive(Debug, Clone)]
pub struct LogEyes {
    satellite: String,
}

impl EyesOutput for LogEyes {
    fn show(&mut self, view: EyeView) {
        tracing::info!(satellite = %self.satellite, eyes = %view.colour, mode = %view.mode, "Eyes changed.");
    }

    fn emotion(&mut self, emotion: Emotion, intensity: f32) {
        tracing::info!(satellite = %self.satellite, emotion = emotion_word(emotion), intensity, "Showing an emotion.");
    }
}

/// A 24-bit coloured block on standard error.
#[derive(Debug, Clone, Copy)]
pub struct TerminalEyes;

impl EyesOutput for TerminalEyes {
    fn show(&mut self, view: EyeView) {
        let (r, g, b) = view.colour.rgb();
        let _ = writeln!(
            std::io::stderr(),
            "\x1b[48;2;{r};{g};{b}m      \x1b[0m \x1b[48;2;{r};{g};{b}m      \x1b[0m  {} ({})",
            view.colour,
            view.mode
        );
    }

    fn emotion(&mut self, emotion: Emotion, intensity: f32) {
        let face = match emotion {
            Emotion::Neutral => "(-_-)",
            Emotion::Happy => "(^_^)",
            Emotion::Sad => "(;_;)",
            Emotion::Angry => "(>_<)",
            Emotion::Surprised => "(O_O)",
            Emotion::Thinking => "(o_O)",
            Emotion::Sleepy => "(u_u)",
            Emotion::Love => "(♥_♥)",
        };
        let _ = writeln!(
            std::io::stderr(),
            "  {face}  {} {intensity:.1}",
            emotion_word(emotion)
        );
    }
}

/// Runs the configured commands with `{colour}`, `{mode}`, `{r}`, `{g}`, `{b}` or
/// `{emotion}`, `{intensity}` filled in.
#[derive(Debug, Clone)]
pub struct CommandEyes {
    command: Vec<String>,
    emotion_command: Vec<String>,
}

impl EyesOutput for CommandEyes {
    fn show(&mut self, view: EyeView) {
        let (r, g, b) = view.colour.rgb();
        hook::spawn(
            hook::fill(
                &self.command,
                &[
                    ("colour", view.colour.to_string()),
                    ("mode", view.mode.to_string()),
                    ("r", r.to_string()),
                    ("g", g.to_string()),
                    ("b", b.to_string()),
                ],
            ),
            HOOK_TIMEOUT,
        );
    }

    fn emotion(&mut self, emotion: Emotion, intensity: f32) {
        hook::spawn(
            hook::fill(
                &self.emotion_command,
                &[
                    ("emotion", emotion_word(emotion)),
                    ("intensity", format!("{intensity:.2}")),
                ],
            ),
            HOOK_TIMEOUT,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emotion_words_are_the_protocol_words() {
        assert_eq!(emotion_word(Emotion::Happy), "happy");
        assert_eq!(emotion_word(Emotion::Love), "love");
    }

    #[test]
    fn outputs_follow_the_configuration() {
        let config = EyesConfig {
            outputs: vec![EyesOutputKind::Log],
            command: vec!["leds".into(), "{colour}".into()],
            ..EyesConfig::default()
        };
        assert_eq!(outputs_for(&config, "kitchen").len(), 2);
        let none = EyesConfig {
            outputs: Vec::new(),
            ..EyesConfig::default()
        };
        assert!(outputs_for(&none, "kitchen").is_empty());
    }
}
