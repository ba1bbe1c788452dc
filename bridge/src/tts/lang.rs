//! Language tags: how engines decide whether they can speak a requested language.
//!
//! Tags are BCP-47-ish (`en`, `en-US`, `en_us`, `fr-BE`). Matching is on the primary
//! subtag: an engine configured for `en` speaks `en-US` and `en-GB`, and one configured
//! for `en-US` speaks `en`. Regional accents are the engine's choice (its voice).

/// The lower-cased primary subtag of a language tag: `"en-US"` → `"en"`, `"nl_BE"` → `"nl"`.
pub fn primary_language(tag: &str) -> String {
    tag.trim()
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// A tag in canonical lower-case, hyphenated form: `"en_US"` → `"en-us"`.
pub(crate) fn canonical(tag: &str) -> String {
    tag.trim().replace('_', "-").to_ascii_lowercase()
}

/// Whether an engine configured for `configured` can speak `requested`.
pub(crate) fn matches(configured: &str, requested: &str) -> bool {
    let primary = primary_language(requested);
    !primary.is_empty() && primary_language(configured) == primary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_on_the_primary_subtag() {
        let cases = [
            ("en", "en", true),
            ("en", "en-US", true),
            ("en_US", "en", true),
            ("EN-us", "en-gb", true),
            ("fr", "nl", false),
            ("fr", "", false),
            ("", "", false),
        ];
        for (configured, requested, expected) in cases {
            assert_eq!(
                matches(configured, requested),
                expected,
                "{configured} / {requested}"
            );
        }
        assert_eq!(canonical(" en_US "), "en-us");
        assert_eq!(primary_language("nl_BE"), "nl");
    }
}
