//! French: "vingt et un", "quatorze heures cinq", "trois virgule cinq".

use super::speller::{Abbreviation, Currency, Speller, Unit, When, abbr};

const UNITS: [&str; 17] = [
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
    "douze", "treize", "quatorze", "quinze", "seize",
];
const TENS: [&str; 7] = [
    "",
    "dix",
    "vingt",
    "trente",
    "quarante",
    "cinquante",
    "soixante",
];

const ABBREVIATIONS: &[Abbreviation] = &[
    abbr("c.-à-d.", "c'est-à-dire", When::Always),
    abbr("p. ex.", "par exemple", When::Always),
    abbr("Mlle", "Mademoiselle", When::Always),
    abbr("Mme", "Madame", When::Always),
    abbr("MM.", "Messieurs", When::BeforeCapital),
    abbr("M.", "Monsieur", When::BeforeCapital),
    abbr("Dr.", "Docteur", When::Always),
    abbr("Dr", "Docteur", When::BeforeCapital),
    abbr("Pr", "Professeur", When::BeforeCapital),
    abbr("etc.", "et cetera", When::Always),
    abbr("env.", "environ", When::Always),
    abbr("av.", "avenue", When::Always),
    abbr("bd", "boulevard", When::BeforeCapital),
    abbr("n°", "numéro", When::BeforeDigit),
    abbr("N°", "numéro", When::BeforeDigit),
];

/// French number words (traditional spelling) and abbreviations.
pub(crate) struct French;

fn below_hundred(n: u64) -> String {
    let (tens, unit) = ((n / 10) as usize, (n % 10) as usize);
    match n {
        0..17 => UNITS[n as usize].to_owned(),
        17..20 => format!("dix-{}", UNITS[unit]),
        _ => match tens {
            2..=6 => match unit {
                0 => TENS[tens].to_owned(),
                1 => format!("{} et un", TENS[tens]),
                _ => format!("{}-{}", TENS[tens], UNITS[unit]),
            },
            7 if unit == 1 => "soixante et onze".to_owned(),
            7 => format!("soixante-{}", below_hundred(10 + unit as u64)),
            8 if unit == 0 => "quatre-vingts".to_owned(),
            8 => format!("quatre-vingt-{}", UNITS[unit]),
            _ => format!("quatre-vingt-{}", below_hundred(10 + unit as u64)),
        },
    }
}

/// `n` below a thousand; `before_mille` drops the plural `s` of `cents` and `vingts`
/// ("deux cent mille", "quatre-vingt mille").
fn below_thousand(n: u64, before_mille: bool) -> String {
    let (hundreds, rest) = (n / 100, n % 100);
    let mut words = match hundreds {
        0 => String::new(),
        1 => "cent".to_owned(),
        _ if rest == 0 && !before_mille => format!("{} cents", UNITS[hundreds as usize]),
        _ => format!("{} cent", UNITS[hundreds as usize]),
    };
    if rest > 0 {
        if !words.is_empty() {
            words.push(' ');
        }
        let tail = below_hundred(rest);
        words.push_str(if before_mille && rest == 80 {
            "quatre-vingt"
        } else {
            &tail
        });
    }
    words
}

/// The feminine form for hours and minutes: "une", "vingt et une".
fn feminine(words: String) -> String {
    if words == "un" {
        "une".to_owned()
    } else if words.ends_with(" et un") || words.ends_with("-un") {
        format!("{words}e")
    } else {
        words
    }
}

impl Speller for French {
    fn cardinal(&self, n: u64) -> String {
        if n == 0 {
            return UNITS[0].to_owned();
        }
        let mut parts = Vec::new();
        let mut rest = n;
        for (scale, one, many) in [
            (1_000_000_000, "milliard", "milliards"),
            (1_000_000, "million", "millions"),
        ] {
            if rest >= scale {
                let count = rest / scale;
                parts.push(format!(
                    "{} {}",
                    self.cardinal(count),
                    if count == 1 { one } else { many }
                ));
                rest %= scale;
            }
        }
        if rest >= 1_000 {
            let count = rest / 1_000;
            parts.push(if count == 1 {
                "mille".to_owned()
            } else {
                format!("{} mille", below_thousand(count, true))
            });
            rest %= 1_000;
        }
        if rest > 0 {
            parts.push(below_thousand(rest, false));
        }
        parts.join(" ")
    }

    fn ordinal(&self, n: u64, suffix: &str) -> Option<String> {
        let feminine_first = match suffix {
            "er" => false,
            "re" | "ère" => true,
            "e" | "ème" | "eme" | "è" | "ᵉ" => false,
            _ => return None,
        };
        if n == 1 {
            return Some(
                if feminine_first {
                    "première"
                } else {
                    "premier"
                }
                .to_owned(),
            );
        }
        if n == 0 || matches!(suffix, "er" | "re" | "ère") {
            return None;
        }
        let cardinal = self.cardinal(n);
        let split = cardinal.rfind([' ', '-']).map_or(0, |i| i + 1);
        let (head, last) = cardinal.split_at(split);
        let stem = match last {
            "cinq" => "cinqu".to_owned(),
            "neuf" => "neuv".to_owned(),
            word if word.ends_with('s')
                && (word.ends_with("vingts")
                    || word.ends_with("cents")
                    || word.ends_with("ons")
                    || word.ends_with("ards")) =>
            {
                word[..word.len() - 1].to_owned()
            }
            word if word.ends_with('e') => word[..word.len() - 1].to_owned(),
            word => word.to_owned(),
        };
        Some(format!("{head}{stem}ième"))
    }

    fn minus(&self) -> &'static str {
        "moins"
    }

    fn decimal(&self, whole: &str, fraction: &str) -> String {
        let zeros = fraction.chars().take_while(|&c| c == '0').count();
        let significant = &fraction[zeros..];
        let mut words: Vec<String> = vec!["zéro".to_owned(); zeros];
        if significant.len() <= 3 {
            if let Ok(n) = significant.parse::<u64>() {
                words.push(self.cardinal(n));
            }
        } else {
            words.extend(
                significant
                    .chars()
                    .filter_map(|c| c.to_digit(10))
                    .map(|d| UNITS[d as usize].to_owned()),
            );
        }
        format!("{whole} virgule {}", words.join(" "))
    }

    fn time(&self, hour: u32, minute: u32) -> String {
        let h = feminine(self.cardinal(u64::from(hour)));
        let word = if hour <= 1 { "heure" } else { "heures" };
        if minute == 0 {
            format!("{h} {word}")
        } else {
            format!("{h} {word} {}", feminine(self.cardinal(u64::from(minute))))
        }
    }

    fn hour_letter_times(&self) -> bool {
        true
    }

    fn unit(&self, unit: Unit, plural: bool) -> &'static str {
        match (unit, plural) {
            (Unit::Celsius, false) => "degré Celsius",
            (Unit::Celsius, true) => "degrés Celsius",
            (Unit::Fahrenheit, false) => "degré Fahrenheit",
            (Unit::Fahrenheit, true) => "degrés Fahrenheit",
            (Unit::Degree, false) => "degré",
            (Unit::Degree, true) => "degrés",
            (Unit::Percent, _) => "pour cent",
            (Unit::KilometerPerHour, false) => "kilomètre heure",
            (Unit::KilometerPerHour, true) => "kilomètres heure",
            (Unit::Kilometer, false) => "kilomètre",
            (Unit::Kilometer, true) => "kilomètres",
            (Unit::Kilogram, false) => "kilogramme",
            (Unit::Kilogram, true) => "kilogrammes",
            (Unit::Centimeter, false) => "centimètre",
            (Unit::Centimeter, true) => "centimètres",
            (Unit::KilowattHour, false) => "kilowattheure",
            (Unit::KilowattHour, true) => "kilowattheures",
        }
    }

    fn plural(&self, _negative: bool, whole: u64, _has_fraction: bool) -> bool {
        whole >= 2
    }

    fn money(&self, currency: Currency, whole: u64, cents: u32) -> String {
        let (one, many) = match currency {
            Currency::Euro => ("euro", "euros"),
            Currency::Dollar => ("dollar", "dollars"),
            Currency::Pound => ("livre", "livres"),
        };
        let units = format!(
            "{} {}",
            self.cardinal(whole),
            if whole >= 2 { many } else { one }
        );
        match (whole, cents) {
            (_, 0) => units,
            (0, _) => format!(
                "{} {}",
                self.cardinal(u64::from(cents)),
                if cents >= 2 { "centimes" } else { "centime" }
            ),
            _ => format!("{units} {}", self.cardinal(u64::from(cents))),
        }
    }

    fn currency_name(&self, currency: Currency) -> &'static str {
        match currency {
            Currency::Euro => "euros",
            Currency::Dollar => "dollars",
            Currency::Pound => "livres",
        }
    }

    fn group_separators(&self) -> &'static [char] {
        &[' ', '\u{a0}', '\u{202f}', '.']
    }

    fn decimal_separators(&self) -> &'static [char] {
        &[',', '.']
    }

    fn and(&self) -> &'static str {
        "et"
    }

    fn abbreviations(&self) -> &'static [Abbreviation] {
        ABBREVIATIONS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tts::normalize::normalize;

    #[test]
    fn cardinals() {
        let cases = [
            (0, "zéro"),
            (1, "un"),
            (16, "seize"),
            (17, "dix-sept"),
            (21, "vingt et un"),
            (22, "vingt-deux"),
            (70, "soixante-dix"),
            (71, "soixante et onze"),
            (77, "soixante-dix-sept"),
            (80, "quatre-vingts"),
            (81, "quatre-vingt-un"),
            (90, "quatre-vingt-dix"),
            (99, "quatre-vingt-dix-neuf"),
            (100, "cent"),
            (101, "cent un"),
            (200, "deux cents"),
            (201, "deux cent un"),
            (1_000, "mille"),
            (2_000, "deux mille"),
            (80_000, "quatre-vingt mille"),
            (200_000, "deux cent mille"),
            (
                999_999,
                "neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf",
            ),
            (1_000_000, "un million"),
            (200_000_000, "deux cents millions"),
            (3_000_000_000, "trois milliards"),
        ];
        for (n, words) in cases {
            assert_eq!(French.cardinal(n), words, "{n}");
        }
    }

    #[test]
    fn ordinals() {
        let cases = [
            (1, "er", "premier"),
            (1, "re", "première"),
            (2, "e", "deuxième"),
            (5, "e", "cinquième"),
            (9, "ème", "neuvième"),
            (4, "e", "quatrième"),
            (21, "e", "vingt et unième"),
            (80, "e", "quatre-vingtième"),
            (1000, "e", "millième"),
        ];
        for (n, suffix, words) in cases {
            assert_eq!(
                French.ordinal(n, suffix).as_deref(),
                Some(words),
                "{n}{suffix}"
            );
        }
        assert_eq!(French.ordinal(2, "er"), None);
    }

    #[test]
    fn normalises_french_text() {
        let cases = [
            ("Il fait 21 degrés.", "Il fait vingt et un degrés."),
            ("-5", "moins cinq"),
            ("3.5", "trois virgule cinq"),
            ("3,5", "trois virgule cinq"),
            ("2,05", "deux virgule zéro cinq"),
            ("1 000 personnes", "mille personnes"),
            ("25.000 habitants", "vingt-cinq mille habitants"),
            ("Il est 14:05.", "Il est quatorze heures cinq."),
            ("7:30", "sept heures trente"),
            ("1:00", "une heure"),
            ("21:01", "vingt et une heures une"),
            (
                "à 14h05 ou 18h",
                "à quatorze heures cinq ou dix-huit heures",
            ),
            ("-3 °C", "moins trois degrés Celsius"),
            ("1,5°C", "un virgule cinq degré Celsius"),
            ("50 %", "cinquante pour cent"),
            ("90 km/h", "quatre-vingt-dix kilomètres heure"),
            ("12 km", "douze kilomètres"),
            ("2 kg", "deux kilogrammes"),
            ("€5", "cinq euros"),
            ("5 €", "cinq euros"),
            ("1,50 €", "un euro cinquante"),
            ("0,20 €", "vingt centimes"),
            ("$3", "trois dollars"),
            (
                "M. Dupont et Mme Martin",
                "Monsieur Dupont et Madame Martin",
            ),
            ("la lettre M. suivante", "la lettre M. suivante"),
            ("pommes, poires, etc.", "pommes, poires, et cetera."),
            (
                "le 1er mai et la 2e fois",
                "le premier mai et la deuxième fois",
            ),
        ];
        for (text, spoken) in cases {
            assert_eq!(normalize(text, "fr"), spoken, "{text}");
        }
    }
}
