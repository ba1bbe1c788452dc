//! From text to the phoneme ids a Piper voice reads, as Piper does it.
//!
//! The text is cut into clauses at `.`, `?`, `!`, `,`, `:` and `;` (followed by whitespace
//! or the end). Each clause becomes IPA through espeak-ng; its punctuation is put back after
//! it (`, ` `: ` `; ` inside a sentence, `.` `?` `!` at its end), and `.`, `?` and `!` end a
//! sentence. The IPA is decomposed (NFD), passed through the voice's phoneme map, and each
//! code point is looked up in the id table, with the pad id after each one, the begin id
//! (`^`, pad) first and the end id (`$`) last. Piper runs the model once per sentence.

use std::collections::BTreeSet;

use unicode_normalization::UnicodeNormalization;

use super::voice::{BOS, EOS, PAD, PhonemeType, Voice};
use crate::tts::espeak::program::EspeakProgram;

/// How a clause ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Terminator {
    Period,
    Question,
    Exclamation,
    Comma,
    Colon,
    Semicolon,
    /// The end of the text without punctuation.
    None,
}

impl Terminator {
    /// What Piper appends after the clause's phonemes.
    fn phonemes(self) -> &'static str {
        match self {
            Terminator::Period => ".",
            Terminator::Question => "?",
            Terminator::Exclamation => "!",
            Terminator::Comma => ", ",
            Terminator::Colon => ": ",
            Terminator::Semicolon => "; ",
            Terminator::None => "",
        }
    }

    fn ends_sentence(self) -> bool {
        matches!(
            self,
            Terminator::Period | Terminator::Question | Terminator::Exclamation
        )
    }
}

/// A piece of text between punctuation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Clause<'a> {
    pub(crate) text: &'a str,
    pub(crate) terminator: Terminator,
}

fn is_punctuation(c: char) -> bool {
    matches!(c, '.' | '?' | '!' | ',' | ':' | ';' | '…')
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»')
}

/// Cuts text into clauses.
pub(crate) fn clauses(text: &str) -> Vec<Clause<'_>> {
    let mut clauses = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_punctuation(c) {
            continue;
        }
        let mut run = vec![c];
        let mut end = i + c.len_utf8();
        while let Some(&(j, next)) = chars.peek() {
            if is_punctuation(next) || is_closer(next) {
                run.push(next);
                end = j + next.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        if !text[end..].chars().next().is_none_or(char::is_whitespace) {
            continue;
        }
        let terminator = if run.contains(&'?') {
            Terminator::Question
        } else if run.contains(&'!') {
            Terminator::Exclamation
        } else if run.contains(&'.') || run.contains(&'…') {
            Terminator::Period
        } else if run.contains(&';') {
            Terminator::Semicolon
        } else if run.contains(&':') {
            Terminator::Colon
        } else {
            Terminator::Comma
        };
        clauses.push(Clause {
            text: text[start..i].trim(),
            terminator,
        });
        start = end;
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        clauses.push(Clause {
            text: rest,
            terminator: Terminator::None,
        });
    }
    clauses
}

/// Removes espeak-ng's language-switch flags, e.g. `(en)` and `(fr)` around a borrowed word.
fn strip_language_flags(ipa: &str) -> String {
    let mut out = String::with_capacity(ipa.len());
    let mut in_flag = false;
    for c in ipa.chars() {
        match c {
            '(' => in_flag = true,
            ')' if in_flag => in_flag = false,
            _ if !in_flag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Joins clause phonemes into sentences, putting the punctuation back.
pub(crate) fn sentences(clauses: &[(String, Terminator)]) -> Vec<String> {
    let mut sentences = Vec::new();
    let mut current = String::new();
    for (phonemes, terminator) in clauses {
        current.push_str(phonemes.trim());
        current.push_str(terminator.phonemes());
        if terminator.ends_sentence() {
            sentences.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        sentences.push(current.trim_end().to_owned());
    }
    sentences
}

/// Phonemises `text` for `voice`: one phoneme string per sentence.
pub(crate) fn phonemize(
    text: &str,
    voice: &Voice,
    espeak: &EspeakProgram,
) -> Result<Vec<String>, String> {
    let mut phonemes = Vec::new();
    for clause in clauses(text) {
        let ipa = match &voice.phonemes {
            _ if clause.text.is_empty() => String::new(),
            PhonemeType::Espeak(espeak_voice) => {
                let lines = espeak.ipa(espeak_voice, clause.text)?;
                // espeak-ng writes a line per clause it finds itself (e.g. at a dash).
                strip_language_flags(&lines.split_whitespace().collect::<Vec<_>>().join(" "))
            }
            PhonemeType::Text => clause.text.to_lowercase(),
        };
        phonemes.push((ipa, clause.terminator));
    }
    Ok(sentences(&phonemes))
}

/// The model input for one sentence's phonemes, and the phonemes the voice has no id for.
pub(crate) fn phoneme_ids(phonemes: &str, voice: &Voice) -> (Vec<i64>, BTreeSet<char>) {
    let id = |c: char| voice.ids.get(&c).map(Vec::as_slice).unwrap_or_default();
    let mut ids = Vec::with_capacity(phonemes.len() * 2 + 3);
    let mut missing = BTreeSet::new();
    ids.extend_from_slice(id(BOS));
    ids.extend_from_slice(id(PAD));
    for c in phonemes.nfd() {
        let mapped = voice
            .phoneme_map
            .get(&c)
            .cloned()
            .unwrap_or_else(|| vec![c]);
        for phoneme in mapped {
            match voice.ids.get(&phoneme) {
                Some(phoneme_ids) => {
                    ids.extend_from_slice(phoneme_ids);
                    ids.extend_from_slice(id(PAD));
                }
                None => {
                    missing.insert(phoneme);
                }
            }
        }
    }
    ids.extend_from_slice(id(EOS));
    (ids, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_clauses_at_punctuation_followed_by_space() {
        let got = clauses("Hello, world: it is 3.5 degrees; nice! Is it?! Yes... ok");
        let expected = [
            ("Hello", Terminator::Comma),
            ("world", Terminator::Colon),
            ("it is 3.5 degrees", Terminator::Semicolon),
            ("nice", Terminator::Exclamation),
            ("Is it", Terminator::Question),
            ("Yes", Terminator::Period),
            ("ok", Terminator::None),
        ];
        assert_eq!(
            got,
            expected.map(|(text, terminator)| Clause { text, terminator })
        );
        assert_eq!(
            clauses("\"Stop.\" Go"),
            [
                Clause {
                    text: "\"Stop",
                    terminator: Terminator::Period
                },
                Clause {
                    text: "Go",
                    terminator: Terminator::None
                }
            ]
        );
        assert!(clauses("  ").is_empty());
    }

    #[test]
    fn puts_punctuation_back_and_groups_sentences() {
        let clauses = [
            ("həlˈoʊ".to_owned(), Terminator::Comma),
            ("wˈɜːld".to_owned(), Terminator::Period),
            ("hˈaʊ ɑːɹ juː".to_owned(), Terminator::Question),
            ("ˈoʊkeɪ".to_owned(), Terminator::None),
        ];
        assert_eq!(
            sentences(&clauses),
            ["həlˈoʊ, wˈɜːld.", "hˈaʊ ɑːɹ juː?", "ˈoʊkeɪ"]
        );
    }

    #[test]
    fn strips_language_flags() {
        assert_eq!(
            strip_language_flags("ʒə (en)wˈiːkɛnd(fr) ɛ"),
            "ʒə wˈiːkɛnd ɛ"
        );
    }

    #[test]
    fn maps_phonemes_to_ids_with_padding() {
        let json = r#"{"audio": {"sample_rate": 22050}, "espeak": {"voice": "fr-fr"},
            "phoneme_id_map": {"_": [0], "^": [1], "$": [2], " ": [3], "c": [16], "a": [14], "̧": [140]},
            "phoneme_map": {"x": ["a", "a"]}}"#;
        let voice = Voice::parse(json).unwrap();
        // "ç" is decomposed into "c" + cedilla, as Piper does; "x" is mapped; "z" is missing.
        let (ids, missing) = phoneme_ids("ça xz", &voice);
        assert_eq!(ids, [1, 0, 16, 0, 140, 0, 14, 0, 3, 0, 14, 0, 14, 0, 2]);
        assert_eq!(missing, BTreeSet::from(['z']));
    }
}
