//! Text normalisation for matching: lowercase, no punctuation, folded accents, split apostrophes
//! and hyphens, expanded English contractions.
//!
//! Each token keeps its surface form (`raw`: case and accents kept) next to the folded form
//! used for comparison (`norm`), so a free-text slot such as a timer's name is reported as
//! spoken ("pâtes", not "pates").

use crate::matcher::fillers;

/// One word of an utterance or a trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// Lowercased, accents folded, ASCII where the source was Latin: what matching compares.
    pub(crate) norm: String,
    /// The surface form, case and accents kept: what free-text slots report.
    pub(crate) raw: String,
    /// Whether the word is a filler ("hey", "please", "s'il te plaît"): an extra filler barely
    /// lowers a match's score.
    pub(crate) filler: bool,
}

/// Splits `text` into matching tokens.
///
/// `"Quelle heure est-il ?"` → `quelle heure est il`; `"What's the time?"` →
/// `what is the time`; `"d'une"` → `de une`; `"5min"` → `5 min`; `"1,5 uur"` → `1.5 uur`.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for word in text.split_whitespace() {
        let word: String = word
            .chars()
            .map(|c| if is_apostrophe(c) { '\'' } else { c })
            .collect();
        // Punctuation around a word would hide a contraction ("can't," has the tail `t,`).
        let word = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
        for piece in split_apostrophes(word) {
            split_piece(&piece, &mut tokens);
        }
    }
    fillers::mark(&mut tokens);
    tokens
}

/// The normalised form of a phrase as the matcher compares it: lowercase, no punctuation,
/// accents folded, apostrophes and hyphens split, English contractions expanded, words joined by
/// single spaces (`"Quelle heure est-il ?"` → `quelle heure est il`).
pub fn normalize_phrase(text: &str) -> String {
    let norms: Vec<String> = tokenize(text).into_iter().map(|token| token.norm).collect();
    norms.join(" ")
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{b4}' | '\u{2bc}' | '\u{2032}'
    )
}

/// Splits a word on apostrophes, expanding English contractions so that
/// "what's" and "what is" compare equal ("what's" → `what is`, "don't" → `do not`), and restoring
/// French elisions ("l'heure" → `le heure`, "qu'il" → `que il`).
fn split_apostrophes(word: &str) -> Vec<String> {
    let parts: Vec<&str> = word.split('\'').collect();
    if let [head_raw, tail_raw] = parts.as_slice()
        && !head_raw.is_empty()
        && !tail_raw.is_empty()
    {
        let (head, tail) = (&head_raw.to_lowercase(), &tail_raw.to_lowercase());
        let expanded = match tail.as_str() {
            "s" => Some("is"),
            "re" => Some("are"),
            "m" => Some("am"),
            "ll" => Some("will"),
            "ve" => Some("have"),
            "d" => Some("would"),
            _ => None,
        };
        if let Some(expanded) = expanded {
            return vec![(*head_raw).to_owned(), expanded.to_owned()];
        }
        // French elision: the elided word comes back ("d'une" → `de une`, "qu'il" → `que il`,
        // "l'heure" → `le heure`), so "minuteur d'une minute" matches "minuteur de {duration}".
        let restored = match head.as_str() {
            "l" => Some("le"),
            "d" => Some("de"),
            "j" => Some("je"),
            "n" => Some("ne"),
            "c" => Some("ce"),
            "m" => Some("me"),
            "t" => Some("te"),
            "s" if matches!(tail.as_str(), "il" | "ils") => Some("si"),
            "s" => Some("se"),
            "qu" => Some("que"),
            "jusqu" => Some("jusque"),
            "lorsqu" => Some("lorsque"),
            "puisqu" => Some("puisque"),
            _ => None,
        };
        if let Some(restored) = restored {
            return vec![restored.to_owned(), (*tail_raw).to_owned()];
        }
        if tail == "t" && head.ends_with('n') {
            let verb = match head.as_str() {
                "can" => "can",
                "won" => "will",
                "shan" => "shall",
                other => &other[..other.len() - 1],
            };
            return vec![verb.to_owned(), "not".to_owned()];
        }
    }
    // Dutch clitics: "'t" is "het", "'k" is "ik", "'n" is "een" ("hoe laat is 't").
    if let ["", clitic] = parts.as_slice() {
        let full = match clitic.to_lowercase().as_str() {
            "t" => Some("het"),
            "k" => Some("ik"),
            "n" => Some("een"),
            _ => None,
        };
        if let Some(full) = full {
            return vec![full.to_owned()];
        }
    }
    parts
        .into_iter()
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Splits an apostrophe-free piece on punctuation, symbols and digit/letter boundaries, keeping
/// a decimal separator between digits (as `.`).
fn split_piece(piece: &str, tokens: &mut Vec<Token>) {
    let chars: Vec<char> = piece.chars().collect();
    let mut current = String::new();
    for (index, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            let boundary = current
                .chars()
                .last()
                .is_some_and(|last| last.is_ascii_digit() != c.is_ascii_digit() && last != '.');
            if boundary {
                push_token(&mut current, tokens);
            }
            current.push(c);
        } else if matches!(c, '.' | ',')
            && current
                .chars()
                .last()
                .is_some_and(|last| last.is_ascii_digit())
            && chars.get(index + 1).is_some_and(char::is_ascii_digit)
        {
            current.push('.');
        } else {
            push_token(&mut current, tokens);
        }
    }
    push_token(&mut current, tokens);
}

fn push_token(current: &mut String, tokens: &mut Vec<Token>) {
    if current.is_empty() {
        return;
    }
    let raw = std::mem::take(current);
    tokens.push(Token {
        norm: fold(&raw.to_lowercase()),
        raw,
        filler: false,
    });
}

/// Folds the accents and ligatures of French and Dutch (and common Latin letters) to ASCII.
pub(crate) fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        let replacement = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
            'æ' => "ae",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ē' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
            'œ' => "oe",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
            'ý' | 'ÿ' => "y",
            'ß' => "ss",
            other => {
                folded.push(other);
                continue;
            }
        };
        folded.push_str(replacement);
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str) -> String {
        normalize_phrase(text)
    }

    #[test]
    fn normalises_whisper_output() {
        let cases = [
            ("What time is it?", "what time is it"),
            (" Quelle heure est-il ?", "quelle heure est il"),
            ("Hoe laat is het?", "hoe laat is het"),
            ("What's the time?!", "what is the time"),
            ("¿Qué hora es?", "que hora es"),
            ("¡Hola!", "hola"),
            ("Il est quelle heure ?", "il est quelle heure"),
            ("Tu as l'heure ?", "tu as le heure"),
            ("Qu'il est tard…", "que il est tard"),
            ("Un quart d'heure", "un quart de heure"),
            ("S'il te plaît", "si il te plait"),
            ("Aujourd'hui", "aujourd hui"),
            ("Five o'clock", "five o clock"),
            ("'s Avonds", "s avonds"),
            ("Hoe laat is 't?", "hoe laat is het"),
            (
                "Combien de temps reste-t-il ?",
                "combien de temps reste t il",
            ),
            ("Lance le chronomètre.", "lance le chronometre"),
            (
                "Zet een timer op vijf minuten.",
                "zet een timer op vijf minuten",
            ),
            ("Tweeëntwintig seconden", "tweeentwintig seconden"),
            ("Set a 5-minute timer.", "set a 5 minute timer"),
            ("5min", "5 min"),
            ("2h30", "2 h 30"),
            ("1,5 uur", "1.5 uur"),
            ("1.5 hours.", "1.5 hours"),
            ("Wait, 5, 10", "wait 5 10"),
            (
                "Don't stop, I can't, it won't",
                "do not stop i can not it will not",
            ),
            ("Today’s date", "today is date"),
            ("OK.   Fine", "ok fine"),
            ("Cœur", "coeur"),
            ("", ""),
            ("?!.,", ""),
        ];
        for (text, expected) in cases {
            assert_eq!(norms(text), expected, "{text}");
        }
    }

    #[test]
    fn keeps_the_raw_surface_form() {
        let tokens = tokenize("Minuteur Pâtes!");
        let raw: Vec<&str> = tokens.iter().map(|t| t.raw.as_str()).collect();
        let norm: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(raw, ["Minuteur", "Pâtes"]);
        assert_eq!(norm, ["minuteur", "pates"]);
    }

    #[test]
    fn marks_fillers() {
        let tokens = tokenize("Hey, what time is it now, s'il te plaît?");
        let fillers: Vec<&str> = tokens
            .iter()
            .filter(|t| t.filler)
            .map(|t| t.norm.as_str())
            .collect();
        assert_eq!(fillers, ["hey", "now", "si", "il", "te", "plait"]);
    }
}
