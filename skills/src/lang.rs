//! The languages Hive speaks, and how to recognise their names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A language Hive understands and answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
    /// Dutch (including Flemish).
    Nl,
}

impl Lang {
    /// Every supported language, in a stable order.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::Nl];

    /// The ISO 639-1 code: `en`, `fr` or `nl`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Nl => "nl",
        }
    }
}

/// The text given to [`Lang::from_str`] names no supported language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language `{0}`: expected en, fr or nl")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;

    /// Accepts ISO codes with or without a region (`en`, `en-US`, `fr_BE`, `nl-BE`), ISO 639-2
    /// codes (`eng`, `fra`, `fre`, `nld`, `dut`) and the languages' names in English, French and
    /// Dutch (`french`, `français`, `Frans`, `vlaams`…), case-insensitively.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let lowered = text.trim().to_lowercase();
        // The primary subtag of a BCP 47 tag or a POSIX locale (`fr_BE.UTF-8`).
        let primary = lowered
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default();
        let lang = match primary {
            "en" | "eng" | "english" | "anglais" | "engels" => Lang::En,
            "fr" | "fra" | "fre" | "french" | "français" | "francais" | "frans" => Lang::Fr,
            "nl" | "nld" | "dut" | "dutch" | "flemish" | "néerlandais" | "neerlandais"
            | "flamand" | "nederlands" | "vlaams" => Lang::Nl,
            _ => return Err(UnknownLang(text.to_owned())),
        };
        Ok(lang)
    }
}

impl fmt::Display for Lang {
    /// Writes the two-letter code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Lang {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_locales_and_names() {
        let cases = [
            ("en", Lang::En),
            ("EN", Lang::En),
            ("en-US", Lang::En),
            ("en_GB.UTF-8", Lang::En),
            ("english", Lang::En),
            ("Anglais", Lang::En),
            ("fr", Lang::Fr),
            ("fr-FR", Lang::Fr),
            ("fr_BE", Lang::Fr),
            ("french", Lang::Fr),
            ("Français", Lang::Fr),
            ("fre", Lang::Fr),
            ("nl", Lang::Nl),
            ("nl-BE", Lang::Nl),
            ("Dutch", Lang::Nl),
            ("Nederlands", Lang::Nl),
            ("vlaams", Lang::Nl),
            (" nl ", Lang::Nl),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<Lang>(), Ok(expected), "{text}");
        }
    }

    #[test]
    fn rejects_unknown_languages() {
        for text in ["", "de", "de-DE", "klingon", "e"] {
            assert!(text.parse::<Lang>().is_err(), "{text}");
        }
    }

    #[test]
    fn displays_and_serialises_as_two_letter_code() {
        for lang in Lang::ALL {
            assert_eq!(lang.to_string().len(), 2);
            let json = serde_json::to_string(&lang).unwrap();
            assert_eq!(json, format!("\"{lang}\""));
            assert_eq!(serde_json::from_str::<Lang>(&json).unwrap(), lang);
        }
        assert_eq!(serde_json::from_str::<Lang>("\"fr-BE\"").unwrap(), Lang::Fr);
    }
}
