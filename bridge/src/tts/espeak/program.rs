//! Running the espeak-ng program: speech as WAV, phonemes as IPA, and the list of voices.
//!
//! Text goes in on standard input (`--stdin`), never through a shell or as an argument, so
//! text starting with `-` or holding quotes is just text. Every run has a deadline and the
//! process is killed when it passes.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one espeak-ng run may take. Speaking a long reply takes well under a second.
const DEADLINE: Duration = Duration::from_secs(30);
/// How often a running process is checked against its deadline.
const POLL: Duration = Duration::from_millis(2);

/// The espeak-ng program.
#[derive(Debug, Clone)]
pub(crate) struct EspeakProgram {
    program: PathBuf,
}

/// A voice as `espeak-ng --voices` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VoiceInfo {
    /// The language the voice is selected by (`en-us`, `fr-fr`, `nl`).
    pub(crate) language: String,
    /// Other languages it speaks (`en` for `en-us`).
    pub(crate) others: Vec<String>,
}

impl EspeakProgram {
    pub(crate) fn new(program: &Path) -> Self {
        EspeakProgram {
            program: program.to_owned(),
        }
    }

    /// Speech for `text` as the WAV bytes espeak-ng writes.
    pub(crate) fn wav(
        &self,
        voice: &str,
        rate: Option<u32>,
        text: &str,
    ) -> Result<Vec<u8>, String> {
        let rate = rate.map(|rate| rate.to_string());
        let mut args = vec!["--stdout", "-v", voice];
        if let Some(rate) = &rate {
            args.extend(["-s", rate.as_str()]);
        }
        args.push("--stdin");
        self.run(&args, text)
    }

    /// IPA phonemes for `text`, one line per clause espeak-ng found.
    pub(crate) fn ipa(&self, voice: &str, text: &str) -> Result<String, String> {
        let out = self.run(&["-q", "--ipa", "-v", voice, "--stdin"], text)?;
        String::from_utf8(out).map_err(|_| "espeak-ng wrote phonemes that are not UTF-8".to_owned())
    }

    /// The voices installed.
    pub(crate) fn voices(&self) -> Result<Vec<VoiceInfo>, String> {
        let out = self.run(&["--voices"], "")?;
        Ok(parse_voices(&String::from_utf8_lossy(&out)))
    }

    /// Runs the program with `args`, `input` on standard input; returns standard output.
    fn run(&self, args: &[&str], input: &str) -> Result<Vec<u8>, String> {
        let mut child = Command::new(&self.program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| {
                format!(
                    "cannot run `{}`: {error} (install espeak-ng, e.g. `apt-get install espeak-ng`)",
                    self.program.display()
                )
            })?;
        let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("cannot connect to espeak-ng's standard streams".to_owned());
        };
        // Feed and drain on their own threads so that neither pipe can fill up and stall the
        // program while this thread watches the deadline.
        std::thread::scope(|scope| {
            let writer = scope.spawn(move || {
                let _ = stdin.write_all(input.as_bytes());
                // Dropping stdin closes it: the end of the text.
            });
            let reader = scope.spawn(move || {
                let mut out = Vec::new();
                stdout.read_to_end(&mut out).map(|_| out)
            });
            let errors = scope.spawn(move || {
                let mut out = String::new();
                let _ = stderr.read_to_string(&mut out);
                out
            });
            let started = Instant::now();
            let status = loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Ok(status),
                    Ok(None) if started.elapsed() > DEADLINE => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break Err(format!(
                            "espeak-ng took longer than {} s and was stopped",
                            DEADLINE.as_secs()
                        ));
                    }
                    Ok(None) => std::thread::sleep(POLL),
                    Err(error) => {
                        let _ = child.kill();
                        break Err(format!("cannot wait for espeak-ng: {error}"));
                    }
                }
            };
            let _ = writer.join();
            let out = reader
                .join()
                .map_err(|_| "espeak-ng output reader failed".to_owned())?;
            let errors = errors.join().unwrap_or_default();
            let status = status?;
            if !status.success() {
                let errors = errors.trim();
                return Err(format!(
                    "espeak-ng {} ({})",
                    status,
                    if errors.is_empty() {
                        "no message"
                    } else {
                        errors
                    }
                ));
            }
            out.map_err(|error| format!("cannot read espeak-ng's output: {error}"))
        })
    }
}

/// Parses the table `espeak-ng --voices` prints:
/// `Pty Language Age/Gender VoiceName File Other Languages`, e.g.
/// ` 2  en-us  --/M  English_(America)  gmw/en-US  (en 3)`.
fn parse_voices(listing: &str) -> Vec<VoiceInfo> {
    listing
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let language = fields.get(1)?.to_ascii_lowercase();
            // Age/Gender, VoiceName and File come next (no spaces in them, though the name
            // may hold brackets), then `(lang priority)` pairs.
            let others = fields
                .get(5..)
                .unwrap_or_default()
                .join(" ")
                .split('(')
                .skip(1)
                .filter_map(|pair| pair.split_whitespace().next())
                .map(str::to_ascii_lowercase)
                .collect();
            Some(VoiceInfo { language, others })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_voice_listing() {
        let listing = "Pty Language       Age/Gender VoiceName          File                 Other Languages\n \
             5  af              --/M      Afrikaans          gmw/af               \n \
             2  en-us           --/M      English_(America)  gmw/en-US            (en 3)\n \
             5  en-gb-x-gbclan  --/M      English_(Lancaster) gmw/en-GB-x-gbclan   (en-gb 3)(en 5)\n";
        let voices = parse_voices(listing);
        assert_eq!(
            voices,
            [
                VoiceInfo {
                    language: "af".into(),
                    others: vec![]
                },
                VoiceInfo {
                    language: "en-us".into(),
                    others: vec!["en".into()]
                },
                VoiceInfo {
                    language: "en-gb-x-gbclan".into(),
                    others: vec!["en-gb".into(), "en".into()]
                },
            ]
        );
    }

    #[test]
    fn a_missing_program_is_an_error_with_the_fix() {
        let error = EspeakProgram::new(Path::new("/nonexistent/espeak-ng"))
            .voices()
            .unwrap_err();
        assert!(error.contains("install espeak-ng"), "{error}");
    }
}
