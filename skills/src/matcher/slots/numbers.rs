//! Spoken numbers in English, French and Dutch, as digits or words, up to 999.
//!
//! Works on normalised tokens (lowercase, accents folded, hyphens split), so "quatre-vingt-dix"
//! arrives as `quatre vingt dix` and "tweeëntwintig" as `tweeentwintig`. One table serves all
//! three languages: whisper's language detection is unreliable on short utterances, and the
//! words barely collide.

/// Number words below one hundred that stand alone, in all three languages.
fn word_value(word: &str) -> Option<u64> {
    let value = match word {
        "zero" | "nul" => 0,
        "one" | "un" | "une" | "een" => 1,
        "two" | "deux" | "twee" => 2,
        "three" | "trois" | "drie" => 3,
        "four" | "quatre" | "vier" => 4,
        "five" | "cinq" | "vijf" => 5,
        "six" | "zes" => 6,
        "seven" | "sept" | "zeven" => 7,
        "eight" | "huit" | "acht" => 8,
        "nine" | "neuf" | "negen" => 9,
        "ten" | "dix" | "tien" => 10,
        "eleven" | "onze" | "elf" => 11,
        "twelve" | "douze" | "twaalf" => 12,
        "thirteen" | "treize" | "dertien" => 13,
        "fourteen" | "quatorze" | "veertien" => 14,
        "fifteen" | "quinze" | "vijftien" => 15,
        "sixteen" | "seize" | "zestien" => 16,
        "seventeen" | "zeventien" => 17,
        "eighteen" | "achttien" => 18,
        "nineteen" | "negentien" => 19,
        "twenty" | "vingt" | "vingts" => 20,
        "thirty" | "trente" => 30,
        "forty" | "fourty" | "quarante" | "veertig" => 40,
        "fifty" | "cinquante" | "vijftig" => 50,
        "sixty" | "soixante" | "zestig" => 60,
        "seventy" | "septante" | "zeventig" => 70,
        "eighty" | "huitante" | "octante" | "tachtig" => 80,
        "ninety" | "nonante" | "negentig" => 90,
        _ => return dutch_tens(word),
    };
    Some(value)
}

/// Dutch tens (`twintig`…`negentig`) and Dutch compounds written as one word: units before tens
/// joined by `en` (`eenentwintig` = 21, `vijfendertig` = 35, `negenennegentig` = 99).
fn dutch_tens(word: &str) -> Option<u64> {
    const UNITS: [(&str, u64); 9] = [
        ("een", 1),
        ("twee", 2),
        ("drie", 3),
        ("vier", 4),
        ("vijf", 5),
        ("zes", 6),
        ("zeven", 7),
        ("acht", 8),
        ("negen", 9),
    ];
    const TENS: [(&str, u64); 8] = [
        ("twintig", 20),
        ("dertig", 30),
        ("veertig", 40),
        ("vijftig", 50),
        ("zestig", 60),
        ("zeventig", 70),
        ("tachtig", 80),
        ("negentig", 90),
    ];
    if let Some((_, tens)) = TENS.iter().find(|(name, _)| *name == word) {
        return Some(*tens);
    }
    UNITS.iter().find_map(|(unit, unit_value)| {
        let rest = word.strip_prefix(unit)?.strip_prefix("en")?;
        TENS.iter()
            .find(|(name, _)| *name == rest)
            .map(|(_, tens)| tens + unit_value)
    })
}

/// A Dutch hundred written as one word: `honderd`, `tweehonderd`, `honderdvijf`,
/// `driehonderdtwintig`.
fn dutch_hundreds(word: &str) -> Option<u64> {
    let (before, after) = word.split_once("honderd")?;
    let multiplier = if before.is_empty() {
        1
    } else {
        word_value(before).filter(|v| (2..=9).contains(v))?
    };
    let rest = if after.is_empty() {
        0
    } else {
        word_value(after.strip_prefix("en").unwrap_or(after)).filter(|v| (1..100).contains(v))?
    };
    Some(multiplier * 100 + rest)
}

fn is_hundred(word: &str) -> bool {
    matches!(word, "hundred" | "hundreds" | "cent" | "cents" | "honderd")
}

/// Whether `next` may follow `last` inside one number below a hundred: units after tens
/// ("twenty one", "vingt et un"), 1–19 after the French 60 and 80 ("soixante-douze",
/// "quatre-vingt-dix"), 7–9 after ten ("dix-sept", and so "soixante-dix-sept").
fn may_follow(last: u64, next: u64) -> bool {
    match last {
        60 | 80 => (1..=19).contains(&next),
        10 => (7..=9).contains(&next),
        20..=90 if last.is_multiple_of(10) => (1..=9).contains(&next),
        _ => false,
    }
}

/// Parses a spoken number below a hundred at the start of `tokens`: its value and the tokens it
/// used. The English articles "a"/"an" count as one ("an hour", "a hundred").
fn below_hundred(tokens: &[&str]) -> Option<(u64, usize)> {
    let first = *tokens.first()?;
    if matches!(first, "a" | "an") {
        return Some((1, 1));
    }
    let (mut value, mut used, mut last) =
        if first == "quatre" && matches!(tokens.get(1), Some(&"vingt" | &"vingts")) {
            (80, 2, 80)
        } else {
            let value = word_value(first).or_else(|| dutch_hundreds(first))?;
            (value, 1, value)
        };
    loop {
        // "vingt et un", "soixante et onze": French joins with `et` before one and eleven.
        let skip_et = usize::from(tokens.get(used) == Some(&"et"));
        let Some(next) = tokens.get(used + skip_et).and_then(|word| word_value(word)) else {
            break;
        };
        let joined_ok = skip_et == 0 || matches!(next, 1 | 11);
        if value >= 100 || !joined_ok || !may_follow(last, next) {
            break;
        }
        value += next;
        last = next;
        used += skip_et + 1;
    }
    Some((value, used))
}

/// Parses a whole number spoken as words (up to 999) at the start of `tokens`.
fn words_prefix(tokens: &[&str]) -> Option<(u64, usize)> {
    let (value, used) = match below_hundred(tokens) {
        Some(found) => found,
        None if tokens.first().is_some_and(|word| is_hundred(word)) => (1, 0),
        None => return None,
    };
    if value >= 100 || !tokens.get(used).is_some_and(|word| is_hundred(word)) {
        return Some((value, used));
    }
    if !(1..=9).contains(&value) {
        return Some((value, used));
    }
    let mut total = value * 100;
    let mut used = used + 1;
    // "one hundred and five": the `and` belongs to the number only if a number follows.
    let skip_and = usize::from(tokens.get(used) == Some(&"and"));
    if let Some((rest, rest_used)) = tokens
        .get(used + skip_and..)
        .filter(|rest| !matches!(rest.first(), Some(&"a" | &"an")))
        .and_then(below_hundred)
        && (1..100).contains(&rest)
    {
        total += rest;
        used += skip_and + rest_used;
    }
    Some((total, used))
}

/// A number written with digits: `5`, `90`, `1.5` (normalisation turns `1,5` into `1.5`).
fn digits(token: &str) -> Option<f64> {
    let valid = token.starts_with(|c: char| c.is_ascii_digit())
        && token.chars().all(|c| c.is_ascii_digit() || c == '.')
        && token.matches('.').count() <= 1;
    if !valid {
        return None;
    }
    token.parse().ok().filter(|value: &f64| value.is_finite())
}

/// Parses a number at the start of `tokens`, in digits or words: its value and how many tokens
/// it used (the longest reading).
pub(crate) fn number_prefix(tokens: &[&str]) -> Option<(f64, usize)> {
    if let Some(value) = tokens.first().and_then(|token| digits(token)) {
        return Some((value, 1));
    }
    words_prefix(tokens).map(|(value, used)| (value as f64, used))
}

/// Parses `tokens` as exactly one number, or nothing. Bare articles ("a") are not numbers here.
pub(crate) fn parse_number(tokens: &[&str]) -> Option<f64> {
    if matches!(tokens, [] | ["a" | "an"]) {
        return None;
    }
    match number_prefix(tokens)? {
        (value, used) if used == tokens.len() => Some(value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<f64> {
        let normalised = crate::matcher::normalize_phrase(text);
        let tokens: Vec<&str> = normalised.split(' ').filter(|t| !t.is_empty()).collect();
        parse_number(&tokens)
    }

    #[test]
    fn parses_numbers_in_three_languages() {
        let cases: &[(&str, f64)] = &[
            ("0", 0.0),
            ("7", 7.0),
            ("42", 42.0),
            ("1.5", 1.5),
            ("2,5", 2.5),
            ("one", 1.0),
            ("thirteen", 13.0),
            ("twenty", 20.0),
            ("twenty-one", 21.0),
            ("forty five", 45.0),
            ("ninety-nine", 99.0),
            ("a hundred", 100.0),
            ("one hundred and five", 105.0),
            ("three hundred", 300.0),
            ("hundred twenty", 120.0),
            ("un", 1.0),
            ("une", 1.0),
            ("dix-sept", 17.0),
            ("vingt et un", 21.0),
            ("vingt et une", 21.0),
            ("vingt-deux", 22.0),
            ("trente-cinq", 35.0),
            ("soixante", 60.0),
            ("soixante-dix", 70.0),
            ("soixante et onze", 71.0),
            ("soixante-douze", 72.0),
            ("soixante-dix-sept", 77.0),
            ("quatre-vingts", 80.0),
            ("quatre-vingt-un", 81.0),
            ("quatre-vingt-dix", 90.0),
            ("quatre-vingt-onze", 91.0),
            ("quatre-vingt-dix-neuf", 99.0),
            ("septante-deux", 72.0),
            ("nonante", 90.0),
            ("cent", 100.0),
            ("deux cents", 200.0),
            ("cent vingt", 120.0),
            ("een", 1.0),
            ("twaalf", 12.0),
            ("twintig", 20.0),
            ("eenentwintig", 21.0),
            ("tweeëntwintig", 22.0),
            ("vijfendertig", 35.0),
            ("negenennegentig", 99.0),
            ("honderd", 100.0),
            ("tweehonderd", 200.0),
            ("honderdvijf", 105.0),
            ("honderdtwintig", 120.0),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), Some(*expected), "{text}");
        }
    }

    #[test]
    fn rejects_non_numbers_and_ill_formed_sequences() {
        for text in [
            "",
            "a",
            "an",
            "timer",
            "five twenty",
            "twenty ten",
            "vingt dix",
            "un deux",
            "1.2.3",
            "x5",
            "een timer",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn number_prefix_reports_tokens_used() {
        type Case<'a> = (&'a [&'a str], Option<(f64, usize)>);
        let cases: &[Case<'_>] = &[
            (&["twenty", "one", "minutes"], Some((21.0, 2))),
            (&["an", "hour"], Some((1.0, 1))),
            (&["quatre", "vingt", "dix", "secondes"], Some((90.0, 3))),
            (&["vingt", "et", "minutes"], Some((20.0, 1))),
            (&["one", "hundred", "and", "a", "half"], Some((100.0, 2))),
            (&["minutes"], None),
        ];
        for (tokens, expected) in cases {
            assert_eq!(number_prefix(tokens), *expected, "{tokens:?}");
        }
    }
}
