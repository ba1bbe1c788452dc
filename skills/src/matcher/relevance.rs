//! Which tools a question may need, so the language model reads a few tool schemas instead
//! of all of them.
//!
//! A small local model reads a prompt at a few dozen tokens per second on a Raspberry Pi class
//! CPU; every skill's schema together is over a thousand tokens, which alone costs tens of
//! seconds before the first word. So each intent gets a vocabulary (the words of its trigger
//! phrases in every language, its parameters' allowed values and their synonyms, the words of
//! its tool name), and a question is offered the intents whose vocabulary it shares rare
//! words with. Words that many intents share ("what", "set", "the") say little and weigh
//! little; fillers and function words weigh nothing.

use std::collections::{BTreeMap, BTreeSet};

use crate::matcher::normalize::tokenize;
use crate::skill::Manifest;

/// Words too common to point at any intent, in the three languages (normalised forms).
const STOPWORDS: &[&str] = &[
    // English.
    "a", "an", "the", "is", "are", "was", "be", "to", "of", "in", "on", "at", "for", "and", "or",
    "it", "me", "my", "i", "you", "your", "what", "how", "do", "does", "did", "can", "could",
    "will", "would", "with", "that", "this", "there", "some", "any", "about", "up", "down", "by",
    // French.
    "le", "la", "les", "un", "une", "de", "des", "du", "est", "et", "ou", "en", "au", "aux", "il",
    "elle", "je", "tu", "vous", "me", "moi", "mon", "ma", "mes", "que", "qui", "quoi", "quel",
    "quelle", "ce", "ca", "pour", "sur", "dans", "avec", "pas", "ne", "se", "sont",
    // Dutch.
    "de", "het", "een", "is", "zijn", "en", "of", "in", "op", "aan", "voor", "van", "met", "ik",
    "je", "jij", "u", "mij", "me", "mijn", "wat", "hoe", "er", "dat", "die", "dit", "te", "om",
    "niet", "wordt",
];

/// A word that appears in more than this share of the intents is not evidence.
const COMMON_SHARE: f32 = 0.4;

/// One intent's vocabulary.
#[derive(Debug, Clone)]
struct Entry {
    tool: String,
    words: BTreeSet<String>,
}

/// The vocabularies of every intent of a set of skills, with each word's weight.
#[derive(Debug, Clone, Default)]
pub(crate) struct ToolRelevance {
    entries: Vec<Entry>,
    /// Word → weight: rarer across intents weighs more.
    weights: BTreeMap<String, f32>,
}

impl ToolRelevance {
    /// Indexes the intents of `manifests`.
    pub(crate) fn new<'a>(manifests: impl IntoIterator<Item = &'a Manifest>) -> ToolRelevance {
        let mut entries = Vec::new();
        for manifest in manifests {
            for intent in &manifest.intents {
                let mut words = BTreeSet::new();
                let mut add = |text: &str| {
                    for token in tokenize(text) {
                        if !token.filler && is_content_word(&token.norm) {
                            words.insert(token.norm);
                        }
                    }
                };
                if let Some(triggers) = &intent.triggers {
                    for (_, phrases) in triggers.iter() {
                        for phrase in phrases {
                            add(&without_slots(phrase));
                        }
                    }
                }
                for parameter in &intent.parameters {
                    for value in &parameter.values {
                        add(value);
                    }
                    for synonyms in parameter.synonyms.values() {
                        for synonym in synonyms {
                            add(synonym);
                        }
                    }
                }
                add(&intent.tool_name().replace(['_', '.', '-'], " "));
                entries.push(Entry {
                    tool: intent.tool_name(),
                    words,
                });
            }
        }
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for entry in &entries {
            for word in &entry.words {
                *counts.entry(word.as_str()).or_default() += 1;
            }
        }
        let total = entries.len().max(1) as f32;
        let weights = counts
            .into_iter()
            .filter(|&(_, count)| count <= 1 || (count as f32) / total <= COMMON_SHARE)
            .map(|(word, count)| (word.to_owned(), (1.0 + total / count as f32).ln()))
            .collect();
        ToolRelevance { entries, weights }
    }

    /// The tools `text` may need, most relevant first, at most `limit`. Empty when the
    /// question shares no telling word with any intent: a chat answer needs no tools.
    pub(crate) fn select(&self, text: &str, limit: usize) -> Vec<String> {
        let words: BTreeSet<String> = tokenize(text)
            .into_iter()
            .filter(|token| !token.filler)
            .map(|token| token.norm)
            .collect();
        let mut scored: Vec<(f32, usize)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(index, entry)| {
                let score: f32 = words
                    .iter()
                    .filter(|word| entry.words.contains(*word))
                    .filter_map(|word| self.weights.get(word))
                    .sum();
                (score > 0.0).then_some((score, index))
            })
            .collect();
        // Highest score first; manifest order breaks ties, so the choice is stable.
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored
            .into_iter()
            .take(limit)
            .map(|(_, index)| self.entries[index].tool.clone())
            .collect()
    }
}

fn is_content_word(word: &str) -> bool {
    !word.is_empty() && !STOPWORDS.contains(&word) && !word.chars().all(|c| c.is_ascii_digit())
}

/// A trigger phrase without its `{slot}` placeholders.
fn without_slots(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len());
    let mut depth = 0usize;
    for c in phrase.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => out.push(' '),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Registry;
    use crate::SkillsConfig;

    fn relevance() -> ToolRelevance {
        let registry = Registry::builtin(&SkillsConfig::default()).unwrap();
        ToolRelevance::new(registry.skills().map(|skill| skill.manifest()))
    }

    #[test]
    fn a_question_about_a_timer_is_offered_timer_tools_only() {
        let tools = relevance().select("Could you cancel the pasta timer?", 3);
        assert_eq!(
            tools.first().map(String::as_str),
            Some("timer_cancel"),
            "{tools:?}"
        );
        assert!(
            tools.iter().all(|tool| tool.starts_with("timer")),
            "{tools:?}"
        );
    }

    #[test]
    fn a_feeling_is_offered_show_emotion_in_every_language() {
        let relevance = relevance();
        for question in [
            "I passed my exam! Show me a happy face.",
            "Fais une tête triste.",
            "Kijk eens blij!",
        ] {
            assert_eq!(
                relevance.select(question, 3).first().map(String::as_str),
                Some("show_emotion"),
                "{question}"
            );
        }
    }

    #[test]
    fn small_talk_needs_no_tools() {
        let relevance = relevance();
        for question in [
            "Tell me three short facts about cats.",
            "Who wrote Les Misérables?",
            "Wat is de hoofdstad van België?",
        ] {
            assert_eq!(
                relevance.select(question, 3),
                Vec::<String>::new(),
                "{question}"
            );
        }
    }

    #[test]
    fn the_limit_caps_the_tools_offered() {
        assert!(relevance().select("timer stopwatch time date", 2).len() <= 2);
    }

    #[test]
    fn slots_are_not_vocabulary() {
        let words: Vec<String> = without_slots("set a {duration} timer")
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        assert_eq!(words, ["set", "a", "timer"]);
    }
}
