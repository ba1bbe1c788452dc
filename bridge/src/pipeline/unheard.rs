//! Telling a speaker that speech-to-text is not loaded (its model is missing or broken, and
//! the bridge is retrying): a short spoken and written reply in the bridge's language, then an
//! `stt_unavailable` error report, counted in `/metrics`.
//!
//! The reply goes first: a satellite that gets an error while it is still listening ends the
//! turn and would drop the reply that follows.

use std::sync::Arc;

use hive_skills::Lang;
use hive_topics::{ErrorReport, SatelliteId};
use tokio::sync::Mutex;

use super::respond::{Destination, ReplySink};
use super::shared::Shared;
use super::timings::TurnClock;
use crate::stt::SttError;

/// The code on the error topic and in `/metrics`.
pub(crate) const CODE: &str = "stt_unavailable";

/// Whether `error` means the engine is not loaded (rather than failing on this audio).
pub(crate) fn is_unloaded(error: &SttError) -> bool {
    matches!(error, SttError::Missing { .. } | SttError::Load { .. })
}

/// Answers the voice turn `session` with why it cannot be understood.
pub(crate) async fn reply_unloaded(
    shared: &Arc<Shared>,
    satellite: &SatelliteId,
    session: u32,
    error: &SttError,
    clock: Arc<Mutex<TurnClock>>,
) {
    tracing::error!(%error, code = CODE, "Speech-to-text unavailable; told the speaker.");
    let missing = matches!(error, SttError::Missing { .. });
    let lang = shared.config.assistant.language.clone();
    let spoken = message(lang.parse().unwrap_or(Lang::En), missing);
    let destination = Destination::Satellite {
        satellite: satellite.clone(),
        session,
    };
    let mut sink = ReplySink::new(shared.clone(), destination, &lang, clock);
    sink.sentence(spoken).await;
    let reply = sink.finish(None).await;
    shared.telemetry.error(CODE);
    shared
        .telemetry
        .turn(Some(satellite), "", &reply, CODE, None);
    let report = ErrorReport {
        session: Some(session),
        code: CODE.into(),
        message: if missing {
            "Speech-to-text is unavailable: the speech model is missing.".into()
        } else {
            "Speech-to-text is unavailable: the speech model could not be loaded.".into()
        },
        recoverable: true,
    };
    shared
        .publish(shared.topics.encode_error(satellite, &report))
        .await;
}

/// What the speaker hears: what is wrong in their words, and what still works. No path or
/// engine error: those are in the log and on `/health`.
fn message(lang: Lang, missing: bool) -> &'static str {
    match (lang, missing) {
        (Lang::En, true) => {
            "I can't understand speech right now: the speech model is missing. You can still type your question."
        }
        (Lang::En, false) => {
            "I can't understand speech right now: the speech model could not be loaded. You can still type your question."
        }
        (Lang::Fr, true) => {
            "Je ne peux pas comprendre la parole pour le moment : le modèle de reconnaissance vocale est absent. Vous pouvez toujours écrire votre question."
        }
        (Lang::Fr, false) => {
            "Je ne peux pas comprendre la parole pour le moment : le modèle de reconnaissance vocale n'a pas pu être chargé. Vous pouvez toujours écrire votre question."
        }
        (Lang::Nl, true) => {
            "Ik kan nu geen spraak verstaan: het spraakmodel ontbreekt. Je kunt je vraag nog wel typen."
        }
        (Lang::Nl, false) => {
            "Ik kan nu geen spraak verstaan: het spraakmodel kon niet worden geladen. Je kunt je vraag nog wel typen."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_unloaded_model_gets_this_reply() {
        assert!(is_unloaded(&SttError::Missing {
            path: "/m.bin".into()
        }));
        assert!(is_unloaded(&SttError::Load {
            path: "/m.bin".into(),
            detail: "bad magic".into()
        }));
        assert!(!is_unloaded(&SttError::Inference("oops".into())));
    }

    #[test]
    fn every_language_says_it_short_and_without_internals() {
        for lang in [Lang::En, Lang::Fr, Lang::Nl] {
            for missing in [true, false] {
                let text = message(lang, missing);
                assert!(text.len() < 200, "{text}");
                assert!(!text.contains('/') && !text.contains("whisper"), "{text}");
            }
        }
    }
}
