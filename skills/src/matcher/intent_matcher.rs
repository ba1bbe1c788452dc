//! The local intent matcher: every enabled skill's trigger phrases, compiled once, tried
//! against an utterance.

use std::collections::BTreeMap;

use crate::error::ManifestError;
use crate::lang::Lang;
use crate::matcher::align::{SlotSpecs, SpanCache, align};
use crate::matcher::normalize::tokenize;
use crate::matcher::slots::SlotKind;
use crate::matcher::template::Template;
use crate::skill::{IntentMatch, Manifest, ParamType};

/// Utterances longer than this are never commands; they go to the LLM unmatched.
const MAX_TOKENS: usize = 32;

/// Scores closer than this are ties.
const SCORE_EPSILON: f32 = 1e-4;

/// How eagerly the matcher matches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MatcherOptions {
    /// The lowest score accepted, in (0, 1].
    pub(crate) threshold: f32,
    /// Whether triggers of languages other than the hinted one are tried.
    pub(crate) other_languages: bool,
}

/// One intent with its compiled triggers.
struct CompiledIntent {
    skill: String,
    intent: String,
    parameter_names: Vec<String>,
    kinds: Vec<SlotKind>,
    required: Vec<bool>,
    cache_keys: Vec<usize>,
    templates: Vec<(Lang, Template)>,
}

/// Matches utterances against the triggers of a set of skills.
pub(crate) struct IntentMatcher {
    intents: Vec<CompiledIntent>,
    options: MatcherOptions,
}

/// A candidate match, ranked by score, then the hinted language, then specificity.
struct Candidate {
    score: f32,
    hinted: bool,
    literals: usize,
    intent: usize,
    lang: Lang,
    slots: Vec<(usize, crate::skill::SlotValue)>,
}

impl Candidate {
    fn beats(&self, other: &Candidate) -> bool {
        if (self.score - other.score).abs() > SCORE_EPSILON {
            return self.score > other.score;
        }
        (self.hinted, self.literals) > (other.hinted, other.literals)
    }
}

impl IntentMatcher {
    /// Compiles the triggers of `manifests`.
    ///
    /// # Errors
    /// A trigger or an enum parameter that does not compile (a manifest that passed
    /// [`Manifest::validate`] always compiles).
    pub(crate) fn new<'a>(
        manifests: impl IntoIterator<Item = &'a Manifest>,
        options: MatcherOptions,
    ) -> Result<IntentMatcher, ManifestError> {
        let mut intents = Vec::new();
        // Parameters of the same non-enum type read words the same way and share parsed spans;
        // each enum has its own forms and its own key.
        let mut next_enum_key = 16;
        for manifest in manifests {
            manifest.validate()?;
            for intent in &manifest.intents {
                let Some(triggers) = &intent.triggers else {
                    continue;
                };
                let mut kinds = Vec::new();
                let mut cache_keys = Vec::new();
                for parameter in &intent.parameters {
                    let forms = if parameter.kind == ParamType::Enum {
                        parameter.spoken_values(&intent.name)?
                    } else {
                        BTreeMap::new()
                    };
                    cache_keys.push(if parameter.kind == ParamType::Enum {
                        next_enum_key += 1;
                        next_enum_key
                    } else {
                        parameter.kind as usize
                    });
                    kinds.push(SlotKind {
                        kind: parameter.kind,
                        forms,
                    });
                }
                let mut templates = Vec::new();
                for (lang, phrases) in triggers.iter() {
                    for phrase in phrases {
                        // Validation already compiled every trigger; a failure here is impossible.
                        if let Ok(template) = Template::compile(phrase, &intent.parameters) {
                            templates.push((lang, template));
                        }
                    }
                }
                intents.push(CompiledIntent {
                    skill: manifest.name.clone(),
                    intent: intent.name.clone(),
                    parameter_names: intent.parameters.iter().map(|p| p.name.clone()).collect(),
                    kinds,
                    required: intent.parameters.iter().map(|p| p.required).collect(),
                    cache_keys,
                    templates,
                });
            }
        }
        Ok(IntentMatcher { intents, options })
    }

    /// The best-matching intent for `text`, if any scores at least the threshold.
    ///
    /// Every language is tried (unless `other_languages` is off): whisper's language detection
    /// is unreliable on short utterances. On equal scores the hinted language wins, then the
    /// more specific trigger; an exact match in another language beats a fuzzy one in the
    /// hinted language.
    pub(crate) fn match_text(&self, text: &str, lang_hint: Option<Lang>) -> Option<IntentMatch> {
        let tokens = tokenize(text);
        if tokens.is_empty() || tokens.len() > MAX_TOKENS {
            return None;
        }
        let cache = SpanCache::new(&tokens);
        let mut best: Option<Candidate> = None;
        for (index, intent) in self.intents.iter().enumerate() {
            let specs = SlotSpecs {
                kinds: &intent.kinds,
                required: &intent.required,
                cache_keys: &intent.cache_keys,
            };
            for (lang, template) in &intent.templates {
                let hinted = lang_hint == Some(*lang);
                if !self.options.other_languages && lang_hint.is_some() && !hinted {
                    continue;
                }
                let Some(alignment) = align(template, &specs, &cache) else {
                    continue;
                };
                if alignment.score < self.options.threshold {
                    continue;
                }
                let candidate = Candidate {
                    score: alignment.score,
                    hinted,
                    literals: template.literal_count(),
                    intent: index,
                    lang: *lang,
                    slots: alignment.slots,
                };
                if best.as_ref().is_none_or(|current| candidate.beats(current)) {
                    best = Some(candidate);
                }
            }
        }
        let best = best?;
        let intent = &self.intents[best.intent];
        Some(IntentMatch {
            skill: intent.skill.clone(),
            intent: intent.intent.clone(),
            slots: best
                .slots
                .into_iter()
                .map(|(param, value)| (intent.parameter_names[param].clone(), value))
                .collect(),
            lang: Some(best.lang),
            score: best.score,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skill::SlotValue;

    const MANIFEST: &str = r#"
name = "demo"
version = "1"
description = "Demo."

[[intents]]
name = "demo.english"
description = "English door."
[intents.triggers]
en = ["open the door"]

[[intents]]
name = "demo.dutch"
description = "Dutch door."
[intents.triggers]
nl = ["open the door"]

[[intents]]
name = "demo.garage"
description = "Garage door."
[intents.triggers]
en = ["open the garage door"]
fr = ["ouvre la porte du garage"]

[[intents]]
name = "demo.wait"
description = "Waits."
[[intents.parameters]]
name = "delay"
type = "duration"
required = true
description = "How long."
[intents.triggers]
en = ["wait {delay}"]
"#;

    fn matcher(other_languages: bool) -> IntentMatcher {
        let manifest = Manifest::from_toml(MANIFEST).unwrap();
        IntentMatcher::new(
            [&manifest],
            MatcherOptions {
                threshold: 0.8,
                other_languages,
            },
        )
        .unwrap()
    }

    #[test]
    fn ranks_by_score_then_hinted_language() {
        let matcher = matcher(true);
        type Case<'a> = (&'a str, Option<Lang>, Option<(&'a str, Lang)>);
        let cases: &[Case<'_>] = &[
            // Identical triggers in two languages: the hint decides, English first without one.
            (
                "Open the door!",
                Some(Lang::Nl),
                Some(("demo.dutch", Lang::Nl)),
            ),
            (
                "Open the door!",
                Some(Lang::En),
                Some(("demo.english", Lang::En)),
            ),
            ("Open the door!", None, Some(("demo.english", Lang::En))),
            // An exact match in another language beats nothing in the hinted one.
            (
                "Ouvre la porte du garage.",
                Some(Lang::En),
                Some(("demo.garage", Lang::Fr)),
            ),
            // A closer trigger beats a shorter one that matches fuzzily.
            (
                "Open the garage door.",
                Some(Lang::Nl),
                Some(("demo.garage", Lang::En)),
            ),
            ("Close the door.", None, None),
        ];
        for (text, hint, expected) in cases {
            let found = matcher
                .match_text(text, *hint)
                .map(|m| (m.intent.clone(), m.lang));
            let expected = expected.map(|(intent, lang)| (intent.to_owned(), Some(lang)));
            assert_eq!(found, expected, "{text} {hint:?}");
        }
    }

    #[test]
    fn other_languages_can_be_excluded() {
        let matcher = matcher(false);
        assert!(
            matcher
                .match_text("Ouvre la porte du garage.", Some(Lang::En))
                .is_none()
        );
        assert!(
            matcher
                .match_text("Ouvre la porte du garage.", Some(Lang::Fr))
                .is_some()
        );
    }

    #[test]
    fn reports_slots_by_parameter_name_and_the_score() {
        let matcher = matcher(true);
        let found = matcher
            .match_text("Please wait two minutes.", None)
            .unwrap();
        assert_eq!(found.skill, "demo");
        assert_eq!(found.slots.get("delay"), Some(&SlotValue::Duration(120)));
        assert!(found.score > 0.95 && found.score < 1.0, "{}", found.score);
        assert_eq!(
            matcher.match_text("wait two minutes", None).unwrap().score,
            1.0
        );
        assert!(matcher.match_text("wait", None).is_none());
    }
}
