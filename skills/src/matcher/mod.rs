//! The local intent matcher: normalisation, trigger templates, slot readers (numbers,
//! durations) and the fuzzy aligner that scores an utterance against a template.

mod align;
mod fillers;
mod intent_matcher;
mod normalize;
mod relevance;
mod slots;
mod template;

pub(crate) use intent_matcher::{IntentMatcher, MatcherOptions};
pub use normalize::normalize_phrase;
pub(crate) use relevance::ToolRelevance;
pub use slots::parse_duration_text;
pub(crate) use template::{Template, TemplateError};
