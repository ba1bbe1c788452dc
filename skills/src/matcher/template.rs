//! Trigger phrases compiled into templates: literal words and `{slot}` references.

use crate::matcher::normalize::tokenize;
use crate::skill::ParameterSpec;

/// One element of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    /// A literal word, normalised.
    Word(String),
    /// A slot: the index of the intent's parameter it fills.
    Slot(usize),
}

/// A compiled trigger phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    pub(crate) parts: Vec<Part>,
}

/// Why a trigger phrase does not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplateError {
    /// Nothing left once normalised.
    Blank,
    /// Braces that are not a whole `{word}`.
    Malformed,
    /// A slot naming no parameter.
    UnknownSlot(String),
    /// The same slot twice.
    RepeatedSlot(String),
}

impl Template {
    /// Compiles `trigger` against the intent's `parameters`.
    pub(crate) fn compile(
        trigger: &str,
        parameters: &[ParameterSpec],
    ) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        for word in trigger.split_whitespace() {
            if let Some(inner) = word.strip_prefix('{') {
                let name = inner.strip_suffix('}').ok_or(TemplateError::Malformed)?;
                if name.contains(['{', '}']) {
                    return Err(TemplateError::Malformed);
                }
                let index = parameters
                    .iter()
                    .position(|parameter| parameter.name == name)
                    .ok_or_else(|| TemplateError::UnknownSlot(name.to_owned()))?;
                if parts.contains(&Part::Slot(index)) {
                    return Err(TemplateError::RepeatedSlot(name.to_owned()));
                }
                parts.push(Part::Slot(index));
            } else if word.contains(['{', '}']) {
                return Err(TemplateError::Malformed);
            } else {
                parts.extend(
                    tokenize(word)
                        .into_iter()
                        .map(|token| Part::Word(token.norm)),
                );
            }
        }
        if parts.is_empty() {
            return Err(TemplateError::Blank);
        }
        Ok(Template { parts })
    }

    /// Whether the template has a slot for parameter `index`.
    pub(crate) fn uses_slot(&self, index: usize) -> bool {
        self.parts.contains(&Part::Slot(index))
    }

    /// How many literal words the template has: more words, more specific.
    pub(crate) fn literal_count(&self) -> usize {
        self.parts
            .iter()
            .filter(|part| matches!(part, Part::Word(_)))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skill::ParamType;

    fn parameter(name: &str) -> ParameterSpec {
        ParameterSpec {
            name: name.into(),
            kind: ParamType::String,
            required: false,
            description: "x".into(),
            values: Vec::new(),
            synonyms: Default::default(),
            minimum: None,
            maximum: None,
        }
    }

    #[test]
    fn compiles_words_and_slots() {
        let parameters = [parameter("duration"), parameter("name")];
        let cases: &[(&str, Result<Vec<Part>, TemplateError>)] = &[
            (
                "Set a {name} timer for {duration}",
                Ok(vec![
                    Part::Word("set".into()),
                    Part::Word("a".into()),
                    Part::Slot(1),
                    Part::Word("timer".into()),
                    Part::Word("for".into()),
                    Part::Slot(0),
                ]),
            ),
            (
                "quelle heure est-il",
                Ok(["quelle", "heure", "est", "il"]
                    .map(|w| Part::Word(w.into()))
                    .to_vec()),
            ),
            ("{duration}", Ok(vec![Part::Slot(0)])),
            ("  ", Err(TemplateError::Blank)),
            ("timer {duration", Err(TemplateError::Malformed)),
            ("timer {duration}s", Err(TemplateError::Malformed)),
            ("timer x{duration}", Err(TemplateError::Malformed)),
            ("timer {{duration}}", Err(TemplateError::Malformed)),
            (
                "timer {when}",
                Err(TemplateError::UnknownSlot("when".into())),
            ),
            (
                "{name} and {name}",
                Err(TemplateError::RepeatedSlot("name".into())),
            ),
        ];
        for (trigger, expected) in cases {
            let compiled = Template::compile(trigger, &parameters).map(|template| template.parts);
            assert_eq!(&compiled, expected, "{trigger}");
        }
    }
}
