//! Scoring an utterance against one template: a word-level edit distance in which slots absorb
//! spans of words that parse as their type.
//!
//! The costs encode what a voice command tolerates. Whisper's near misses ("minute"/"minutes",
//! "chronometer"/"chronomètre") cost their character distance; an extra filler ("hey",
//! "please") costs [`FILLER_COST`]; a missing function word ("how much time left") costs
//! [`MISSING_FUNCTION_WORD_COST`]. Edits that may change the meaning cost more: a missing
//! content word 1, a different word [`MISMATCH_COST`], an extra content word
//! [`EXTRA_WORD_COST`] ("what day is it *tomorrow*", "what time is it *in Paris*"). A required
//! slot cannot go missing, and a template with a free-text slot tolerates none of these edits,
//! not even a dropped function word, since the slot would swallow whatever the user really
//! asked about.
//!
//! The score is `1 - cost / max(template length, words heard)`, fillers not counted as heard.
//! With the default threshold of 0.8, fillers, near misses and dropped function words pass on
//! any template, while one meaning-changing edit passes only on templates of seven words or
//! more: the LLM handles the rest.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::matcher::normalize::Token;
use crate::matcher::slots::SlotKind;
use crate::matcher::template::{Part, Template};
use crate::skill::{ParamType, SlotValue};

/// The cost of an extra filler word.
const FILLER_COST: f32 = 0.02;
/// The cost of an extra word that is not a filler.
const EXTRA_WORD_COST: f32 = 1.5;
/// The cost of a template word heard as a different word.
const MISMATCH_COST: f32 = 1.25;
/// The cost of a missing template word.
const MISSING_WORD_COST: f32 = 1.0;
/// The cost of a missing function word (article, auxiliary, preposition).
const MISSING_FUNCTION_WORD_COST: f32 = 0.5;
/// The cost of a missing optional slot.
const MISSING_SLOT_COST: f32 = 1.0;
/// Words closer than this (character similarity) count as a near miss rather than a mismatch.
const NEAR_MISS: f32 = 0.8;

/// Function words, normalised, whose absence rarely changes a command's meaning.
const FUNCTION_WORDS: &[&str] = &[
    // English.
    "a", "an", "the", "is", "are", "am", "it", "of", "for", "to", "on", "at", "my", "do", "does",
    // French.
    "le", "la", "les", "un", "une", "de", "des", "du", "au", "aux", "est", "il", "que", "ce", "se",
    // Dutch.
    "het", "een", "er", "van", "op", "voor", "te", "je",
];

/// The slots of one intent, as the aligner needs them.
pub(crate) struct SlotSpecs<'a> {
    /// How each parameter's words are read, by parameter index.
    pub(crate) kinds: &'a [SlotKind],
    /// Whether each parameter is required.
    pub(crate) required: &'a [bool],
    /// A key per parameter under which parsed spans are cached; parameters that read words the
    /// same way share a key.
    pub(crate) cache_keys: &'a [usize],
}

/// Parsed spans of one utterance, shared by every template tried against it.
pub(crate) struct SpanCache<'t> {
    tokens: &'t [Token],
    parsed: RefCell<HashMap<(usize, usize, usize), Option<SlotValue>>>,
}

impl<'t> SpanCache<'t> {
    /// A cache over `tokens`.
    pub(crate) fn new(tokens: &'t [Token]) -> SpanCache<'t> {
        SpanCache {
            tokens,
            parsed: RefCell::new(HashMap::new()),
        }
    }

    /// Whether `tokens[start..start + len]` reads as a value of `kind`.
    fn parses(&self, kind: &SlotKind, key: usize, start: usize, len: usize) -> bool {
        let tokens = self.tokens;
        self.parsed
            .borrow_mut()
            .entry((key, start, len))
            .or_insert_with(|| kind.parse(&tokens[start..start + len]))
            .is_some()
    }

    /// The value `tokens[start..start + len]` reads as.
    fn parse(&self, kind: &SlotKind, key: usize, start: usize, len: usize) -> Option<SlotValue> {
        let tokens = self.tokens;
        self.parsed
            .borrow_mut()
            .entry((key, start, len))
            .or_insert_with(|| kind.parse(&tokens[start..start + len]))
            .clone()
    }
}

/// The best alignment of an utterance with a template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Alignment {
    /// From 0.0 to 1.0 (exact).
    pub(crate) score: f32,
    /// The filled slots: parameter index and value.
    pub(crate) slots: Vec<(usize, SlotValue)>,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Start,
    Word,
    Slot { param: usize, len: usize },
    SkipPart,
    ExtraToken,
}

/// Aligns `cache`'s tokens with `template`; `None` when a required slot cannot be filled.
pub(crate) fn align(
    template: &Template,
    specs: &SlotSpecs<'_>,
    cache: &SpanCache<'_>,
) -> Option<Alignment> {
    let tokens = cache.tokens;
    let (m, n) = (template.parts.len(), tokens.len());
    let width = n + 1;
    let mut cost = vec![f32::INFINITY; (m + 1) * width];
    let mut back = vec![Step::Start; (m + 1) * width];
    cost[0] = 0.0;
    for i in 0..=m {
        for j in 0..=n {
            if i == 0 && j == 0 {
                continue;
            }
            let mut best = (f32::INFINITY, Step::Start);
            let mut consider = |candidate: f32, step: Step| {
                if candidate < best.0 {
                    best = (candidate, step);
                }
            };
            if i > 0 {
                match &template.parts[i - 1] {
                    Part::Word(word) => {
                        if j > 0 {
                            consider(
                                cost[(i - 1) * width + j - 1]
                                    + substitution(word, &tokens[j - 1].norm),
                                Step::Word,
                            );
                        }
                        consider(cost[(i - 1) * width + j] + missing(word), Step::SkipPart);
                    }
                    &Part::Slot(param) => {
                        let kind = &specs.kinds[param];
                        for len in 1..=j.min(kind.max_tokens()) {
                            let before = cost[(i - 1) * width + j - len];
                            if before.is_finite()
                                && cache.parses(kind, specs.cache_keys[param], j - len, len)
                            {
                                consider(before, Step::Slot { param, len });
                            }
                        }
                        if !specs.required[param] {
                            consider(
                                cost[(i - 1) * width + j] + MISSING_SLOT_COST,
                                Step::SkipPart,
                            );
                        }
                    }
                }
            }
            if j > 0 {
                let extra = if tokens[j - 1].filler {
                    FILLER_COST
                } else {
                    EXTRA_WORD_COST
                };
                consider(cost[i * width + j - 1] + extra, Step::ExtraToken);
            }
            cost[i * width + j] = best.0;
            back[i * width + j] = best.1;
        }
    }
    let total = cost[m * width + n];
    if !total.is_finite() {
        return None;
    }
    // Walk back to collect the slots and count the words heard.
    let (mut i, mut j) = (m, n);
    let mut heard = 0usize;
    let mut slots = Vec::new();
    // Edits other than fillers and near misses.
    let mut meaning_changes = 0usize;
    while i > 0 || j > 0 {
        match back[i * width + j] {
            Step::Start => break,
            Step::Word => {
                if let Part::Word(word) = &template.parts[i - 1] {
                    meaning_changes +=
                        usize::from(substitution(word, &tokens[j - 1].norm) >= MISMATCH_COST);
                }
                heard += 1;
                i -= 1;
                j -= 1;
            }
            Step::Slot { param, len } => {
                let value =
                    cache.parse(&specs.kinds[param], specs.cache_keys[param], j - len, len)?;
                slots.push((param, value));
                heard += 1;
                i -= 1;
                j -= len;
            }
            Step::SkipPart => {
                // Even a dropped function word counts here: next to a free-text slot, it is
                // how the slot swallows words ("…left *for the* {name}" heard as "…left until
                // christmas").
                meaning_changes += 1;
                i -= 1;
            }
            Step::ExtraToken => {
                let filler = tokens[j - 1].filler;
                heard += usize::from(!filler);
                meaning_changes += usize::from(!filler);
                j -= 1;
            }
        }
    }
    let free_text = template.parts.iter().any(|part| match part {
        Part::Slot(param) => specs.kinds[*param].kind == ParamType::String,
        Part::Word(_) => false,
    });
    if free_text && meaning_changes > 0 {
        return None;
    }
    slots.reverse();
    let length = m.max(heard).max(1) as f32;
    let score = (1.0 - total / length).clamp(0.0, 1.0);
    Some(Alignment { score, slots })
}

/// The cost of hearing `heard` where the template says `word`.
fn substitution(word: &str, heard: &str) -> f32 {
    if word == heard {
        return 0.0;
    }
    // Similarity is at most shorter/longer length: skip the distance when that is too low.
    let (a, b) = (word.chars().count(), heard.chars().count());
    if (a.min(b) as f32) < NEAR_MISS * a.max(b) as f32 {
        return MISMATCH_COST;
    }
    let similarity = similarity(word, heard);
    if similarity >= NEAR_MISS {
        1.0 - similarity
    } else {
        MISMATCH_COST
    }
}

/// The cost of not hearing template word `word` at all.
fn missing(word: &str) -> f32 {
    if FUNCTION_WORDS.contains(&word) {
        MISSING_FUNCTION_WORD_COST
    } else {
        MISSING_WORD_COST
    }
}

/// Character similarity, 1 − Levenshtein distance / longer length. Words with digits never
/// nearly match ("5" is not "6").
fn similarity(a: &str, b: &str) -> f32 {
    if a.chars().chain(b.chars()).any(|c| c.is_ascii_digit()) {
        return 0.0;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let longer = a.len().max(b.len());
    if longer == 0 {
        return 1.0;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let replace = previous[j] + usize::from(ca != cb);
            current[j + 1] = replace.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    1.0 - previous[b.len()] as f32 / longer as f32
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::matcher::normalize::tokenize;
    use crate::skill::{ParamType, ParameterSpec};

    fn parameter(name: &str, kind: ParamType, required: bool) -> ParameterSpec {
        ParameterSpec {
            name: name.into(),
            kind,
            required,
            description: "x".into(),
            values: Vec::new(),
            synonyms: BTreeMap::new(),
            minimum: None,
            maximum: None,
        }
    }

    /// Scores `text` against `trigger`, whose parameters are a required duration and an
    /// optional name.
    fn score(trigger: &str, text: &str) -> Option<(f32, Vec<(usize, SlotValue)>)> {
        let parameters = [
            parameter("duration", ParamType::Duration, true),
            parameter("name", ParamType::String, false),
        ];
        let template = Template::compile(trigger, &parameters).unwrap();
        let kinds = [
            SlotKind {
                kind: ParamType::Duration,
                forms: BTreeMap::new(),
            },
            SlotKind {
                kind: ParamType::String,
                forms: BTreeMap::new(),
            },
        ];
        let specs = SlotSpecs {
            kinds: &kinds,
            required: &[true, false],
            cache_keys: &[0, 1],
        };
        let tokens = tokenize(text);
        let cache = SpanCache::new(&tokens);
        align(&template, &specs, &cache).map(|alignment| (alignment.score, alignment.slots))
    }

    #[test]
    fn scores_exact_near_and_far_utterances() {
        let cases: &[(&str, &str, f32, f32)] = &[
            ("what time is it", "What time is it?", 1.0, 1.0),
            (
                "what time is it",
                "Hey, what time is it now please?",
                0.95,
                0.99,
            ),
            ("what time is it", "what time is it in paris", 0.45, 0.55),
            ("what day is it", "what day is it tomorrow", 0.65, 0.75),
            ("what time is it", "tell me a joke", 0.0, 0.3),
            ("what time is it", "what time is", 0.87, 0.88),
            ("how much time is left", "how much time left", 0.89, 0.91),
            ("start the stopwatch", "start the stopwatches", 0.9, 0.99),
            ("start the stopwatch", "stop the stopwatch", 0.55, 0.6),
            ("start the stopwatch", "start the", 0.6, 0.7),
            (
                "il reste combien de temps",
                "il reste combien de bieres",
                0.7,
                0.76,
            ),
            (
                "set a timer for {duration} please",
                "set a timer for 5 minutes please",
                1.0,
                1.0,
            ),
        ];
        for (trigger, text, low, high) in cases {
            let (score, _) = score(trigger, text).unwrap();
            assert!(
                (*low..=*high).contains(&score),
                "{trigger} / {text}: {score}"
            );
        }
    }

    #[test]
    fn fills_slots_and_refuses_a_missing_required_slot() {
        let (score_exact, slots) = score(
            "set a {name} timer for {duration}",
            "Set a pasta timer for ten minutes.",
        )
        .unwrap();
        assert_eq!(score_exact, 1.0);
        assert_eq!(
            slots,
            [
                (1, SlotValue::Text("pasta".into())),
                (0, SlotValue::Duration(600))
            ]
        );

        let (score_filler, slots) = score(
            "set a timer for {duration} called {name}",
            "set a timer for 5 minutes called pasta please",
        )
        .unwrap();
        assert!(score_filler > 0.95, "{score_filler}");
        assert_eq!(
            slots,
            [
                (0, SlotValue::Duration(300)),
                (1, SlotValue::Text("pasta".into()))
            ]
        );

        assert_eq!(
            score("set a timer for {duration}", "set a timer for pasta"),
            None
        );
        // A free-text slot tolerates no meaning-changing edit: it would swallow the real topic.
        assert_eq!(score("cancel the {name} timer", "cancel the timer"), None);
        assert_eq!(
            score(
                "how long is left for the {name}",
                "how long is left until christmas"
            ),
            None
        );
        let (near, slots) = score(
            "how long is left for the {name}",
            "hey how long is left for the pasta",
        )
        .unwrap();
        assert!(near > 0.95, "{near}");
        assert_eq!(slots, [(1, SlotValue::Text("pasta".into()))]);
    }

    #[test]
    fn similarity_is_character_based_and_ignores_digits() {
        let cases = [
            ("minute", "minutes", 0.857),
            ("chronometre", "chronometer", 0.818),
            ("it", "is", 0.5),
            ("5", "6", 0.0),
            ("abc", "abc", 1.0),
        ];
        for (a, b, expected) in cases {
            assert!((similarity(a, b) - expected).abs() < 0.001, "{a}/{b}");
        }
    }
}
