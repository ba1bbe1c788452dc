//! Reading a span of tokens as a typed slot value.

use std::collections::BTreeMap;

use crate::matcher::normalize::Token;
use crate::matcher::slots::duration::parse_duration;
use crate::matcher::slots::numbers::parse_number;
use crate::skill::{ParamType, SlotValue};

/// Words dropped from the front of a free-text slot: "cancel the pasta timer" names `pasta`,
/// "pour les pâtes" names `pâtes`.
const LEADING_ARTICLES: &[&str] = &[
    "the", "a", "an", "my", "le", "la", "les", "l", "un", "une", "des", "du", "mon", "ma", "mes",
    "de", "het", "een", "mijn",
];

/// How a slot's words are read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SlotKind {
    /// The parameter's type.
    pub(crate) kind: ParamType,
    /// For enums: every normalised spoken form, mapped to its value.
    pub(crate) forms: BTreeMap<String, String>,
}

impl SlotKind {
    /// The most tokens a slot of this kind may span; bounds the matcher's search.
    pub(crate) fn max_tokens(&self) -> usize {
        match self.kind {
            ParamType::String => 5,
            ParamType::Integer | ParamType::Number => 6,
            ParamType::Boolean => 1,
            ParamType::Duration => 12,
            ParamType::Enum => self
                .forms
                .keys()
                .map(|form| form.split(' ').count())
                .max()
                .unwrap_or(1),
        }
    }

    /// Reads `tokens` as a whole value of this kind, or `None`.
    pub(crate) fn parse(&self, tokens: &[Token]) -> Option<SlotValue> {
        if tokens.is_empty() || tokens.len() > self.max_tokens() {
            return None;
        }
        let norms: Vec<&str> = tokens.iter().map(|token| token.norm.as_str()).collect();
        match self.kind {
            ParamType::String => parse_text(tokens),
            ParamType::Integer => {
                let value = parse_number(&norms)?;
                (value.fract() == 0.0).then_some(SlotValue::Integer(value as i64))
            }
            ParamType::Number => parse_number(&norms).map(SlotValue::Number),
            ParamType::Boolean => parse_boolean(norms[0]).map(SlotValue::Boolean),
            ParamType::Duration => parse_duration(&norms).map(SlotValue::Duration),
            ParamType::Enum => self
                .forms
                .get(&norms.join(" "))
                .map(|value| SlotValue::Enum(value.clone())),
        }
    }
}

/// Free text: the words as heard (case and accents kept) without a leading article; an article
/// alone is no name. A filler at either edge is not part of a name ("…called pasta please"
/// names `pasta`).
fn parse_text(tokens: &[Token]) -> Option<SlotValue> {
    if tokens.first()?.filler || tokens.last()?.filler {
        return None;
    }
    let is_article = |token: &Token| LEADING_ARTICLES.contains(&token.norm.as_str());
    if tokens.len() == 1 && is_article(&tokens[0]) {
        return None;
    }
    let start = usize::from(is_article(&tokens[0]));
    let words: Vec<&str> = tokens[start..]
        .iter()
        .map(|token| token.raw.as_str())
        .collect();
    Some(SlotValue::Text(words.join(" ")))
}

fn parse_boolean(word: &str) -> Option<bool> {
    match word {
        "yes" | "true" | "on" | "oui" | "vrai" | "ja" | "aan" => Some(true),
        "no" | "false" | "off" | "non" | "faux" | "nee" | "uit" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::normalize::tokenize;

    fn kind(kind: ParamType) -> SlotKind {
        SlotKind {
            kind,
            forms: BTreeMap::new(),
        }
    }

    #[test]
    fn reads_each_kind() {
        let mood = SlotKind {
            kind: ParamType::Enum,
            forms: BTreeMap::from([
                ("happy".to_owned(), "happy".to_owned()),
                ("in love".to_owned(), "love".to_owned()),
                ("en colere".to_owned(), "angry".to_owned()),
            ]),
        };
        let cases: Vec<(SlotKind, &str, Option<SlotValue>)> = vec![
            (
                kind(ParamType::String),
                "Pâtes",
                Some(SlotValue::Text("Pâtes".into())),
            ),
            (
                kind(ParamType::String),
                "the pasta",
                Some(SlotValue::Text("pasta".into())),
            ),
            (
                kind(ParamType::String),
                "les pâtes",
                Some(SlotValue::Text("pâtes".into())),
            ),
            (kind(ParamType::String), "the", None),
            (kind(ParamType::String), "de", None),
            (kind(ParamType::String), "pasta please", None),
            (kind(ParamType::String), "one two three four five six", None),
            (
                kind(ParamType::Integer),
                "twenty one",
                Some(SlotValue::Integer(21)),
            ),
            (kind(ParamType::Integer), "1.5", None),
            (kind(ParamType::Number), "1,5", Some(SlotValue::Number(1.5))),
            (
                kind(ParamType::Boolean),
                "oui",
                Some(SlotValue::Boolean(true)),
            ),
            (
                kind(ParamType::Boolean),
                "nee",
                Some(SlotValue::Boolean(false)),
            ),
            (kind(ParamType::Boolean), "maybe", None),
            (
                kind(ParamType::Duration),
                "cinq minutes",
                Some(SlotValue::Duration(300)),
            ),
            (kind(ParamType::Duration), "pasta", None),
            (mood.clone(), "Happy", Some(SlotValue::Enum("happy".into()))),
            (
                mood.clone(),
                "in love",
                Some(SlotValue::Enum("love".into())),
            ),
            (
                mood.clone(),
                "en colère",
                Some(SlotValue::Enum("angry".into())),
            ),
            (mood, "sad", None),
        ];
        for (slot, text, expected) in cases {
            assert_eq!(slot.parse(&tokenize(text)), expected, "{text}");
        }
    }
}
