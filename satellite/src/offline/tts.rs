//! Local text-to-speech for degraded mode: espeak-ng as a subprocess (it runs on anything,
//! a Pi Zero included, and speaks French and Dutch).

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use hive_skills::Lang;
use tokio::io::AsyncWriteExt;

use super::error::OfflineError;
use crate::audio::{Pcm, decode_wav};

/// How long one sentence may take to synthesise.
const TIMEOUT: Duration = Duration::from_secs(20);

/// A text-to-speech engine.
pub trait OfflineTts: Send + Sync {
    /// Speaks `text` in `lang`.
    ///
    /// # Errors
    /// The engine failed.
    fn speak<'a>(
        &'a self,
        text: &'a str,
        lang: Lang,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Pcm, OfflineError>> + Send + 'a>>;
}

/// espeak-ng, one process per sentence.
#[derive(Debug, Clone)]
pub struct EspeakTts {
    command: String,
    voices: BTreeMap<String, String>,
    speed: u32,
}

impl EspeakTts {
    /// espeak-ng at `command`, with a voice per language code and a speed in words per
    /// minute.
    pub fn new(command: String, voices: BTreeMap<String, String>, speed: u32) -> EspeakTts {
        EspeakTts {
            command,
            voices,
            speed,
        }
    }

    async fn run(&self, text: &str, lang: Lang) -> Result<Pcm, OfflineError> {
        let failed = |detail: String| OfflineError::Tts {
            command: self.command.clone(),
            detail,
        };
        let voice = self
            .voices
            .get(lang.code())
            .cloned()
            .unwrap_or_else(|| lang.code().to_owned());
        let mut child = tokio::process::Command::new(&self.command)
            .args([
                "--stdout",
                "-v",
                &voice,
                "-s",
                &self.speed.to_string(),
                "--stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| failed(format!("{error} (apt-get install espeak-ng)")))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(text.as_bytes())
                .await
                .map_err(|error| failed(error.to_string()))?;
        }
        let output = tokio::time::timeout(TIMEOUT, child.wait_with_output())
            .await
            .map_err(|_| failed(format!("took longer than {} s", TIMEOUT.as_secs())))?
            .map_err(|error| failed(error.to_string()))?;
        if !output.status.success() {
            return Err(failed(
                String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            ));
        }
        decode_wav(&output.stdout, "espeak-ng output").map_err(|error| failed(error.to_string()))
    }
}

impl OfflineTts for EspeakTts {
    fn speak<'a>(
        &'a self,
        text: &'a str,
        lang: Lang,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Pcm, OfflineError>> + Send + 'a>>
    {
        Box::pin(self.run(text, lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn espeak_speaks_each_language() {
        let voices = crate::config::DegradedConfig::default().voices;
        let tts = EspeakTts::new("espeak-ng".into(), voices, 160);
        for (text, lang) in [
            ("It is ten past four.", Lang::En),
            ("Il est seize heures.", Lang::Fr),
            ("Het is vier uur.", Lang::Nl),
        ] {
            let pcm = tts.speak(text, lang).await.unwrap();
            assert!(
                pcm.sample_rate > 0 && pcm.samples.len() > pcm.sample_rate as usize / 2,
                "{text}"
            );
        }
    }

    #[tokio::test]
    async fn a_missing_program_is_a_readable_error() {
        let tts = EspeakTts::new("/nonexistent/espeak".into(), BTreeMap::new(), 160);
        let error = tts.speak("hello", Lang::En).await.unwrap_err();
        assert!(error.to_string().contains("espeak-ng"), "{error}");
    }
}
