//! Dutch: "eenentwintig", "veertien uur vijf", "drie komma vijf".

use super::speller::{Abbreviation, Currency, Speller, Unit, When, abbr};

const UNITS: [&str; 20] = [
    "nul",
    "een",
    "twee",
    "drie",
    "vier",
    "vijf",
    "zes",
    "zeven",
    "acht",
    "negen",
    "tien",
    "elf",
    "twaalf",
    "dertien",
    "veertien",
    "vijftien",
    "zestien",
    "zeventien",
    "achttien",
    "negentien",
];
const TENS: [&str; 10] = [
    "", "", "twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig",
];
const ORDINALS: [&str; 20] = [
    "",
    "eerste",
    "tweede",
    "derde",
    "vierde",
    "vijfde",
    "zesde",
    "zevende",
    "achtste",
    "negende",
    "tiende",
    "elfde",
    "twaalfde",
    "dertiende",
    "veertiende",
    "vijftiende",
    "zestiende",
    "zeventiende",
    "achttiende",
    "negentiende",
];

const ABBREVIATIONS: &[Abbreviation] = &[
    abbr("d.w.z.", "dat wil zeggen", When::Always),
    abbr("i.p.v.", "in plaats van", When::Always),
    abbr("z.s.m.", "zo snel mogelijk", When::Always),
    abbr("o.a.", "onder andere", When::Always),
    abbr("bijv.", "bijvoorbeeld", When::Always),
    abbr("bv.", "bijvoorbeeld", When::Always),
    abbr("dhr.", "de heer", When::Always),
    abbr("Dhr.", "De heer", When::Always),
    abbr("mevr.", "mevrouw", When::Always),
    abbr("Mevr.", "Mevrouw", When::Always),
    abbr("dr.", "dokter", When::Always),
    abbr("Dr.", "dokter", When::Always),
    abbr("enz.", "enzovoort", When::Always),
    abbr("incl.", "inclusief", When::Always),
    abbr("excl.", "exclusief", When::Always),
    abbr("ca.", "circa", When::Always),
    abbr("nr.", "nummer", When::BeforeDigit),
];

/// Dutch number words (spelled as the Taalunie advises: one word up to `duizend`, a space
/// after it) and abbreviations.
pub(crate) struct Dutch;

fn below_hundred(n: u64) -> String {
    match n {
        0..20 => UNITS[n as usize].to_owned(),
        _ if n.is_multiple_of(10) => TENS[(n / 10) as usize].to_owned(),
        _ => {
            let unit = UNITS[(n % 10) as usize];
            // "tweeëntwintig": a trema where two e's would run together.
            let and = if unit.ends_with('e') { "ën" } else { "en" };
            format!("{unit}{and}{}", TENS[(n / 10) as usize])
        }
    }
}

fn below_thousand(n: u64) -> String {
    let (hundreds, rest) = (n / 100, n % 100);
    let head = match hundreds {
        0 => String::new(),
        1 => "honderd".to_owned(),
        _ => format!("{}honderd", UNITS[hundreds as usize]),
    };
    if rest == 0 {
        head
    } else {
        format!("{head}{}", below_hundred(rest))
    }
}

impl Speller for Dutch {
    fn cardinal(&self, n: u64) -> String {
        if n == 0 {
            return UNITS[0].to_owned();
        }
        let mut parts = Vec::new();
        let mut rest = n;
        for (scale, name) in [(1_000_000_000, "miljard"), (1_000_000, "miljoen")] {
            if rest >= scale {
                parts.push(format!("{} {name}", self.cardinal(rest / scale)));
                rest %= scale;
            }
        }
        if rest >= 1_000 {
            let count = rest / 1_000;
            parts.push(if count == 1 {
                "duizend".to_owned()
            } else {
                format!("{}duizend", below_thousand(count))
            });
            rest %= 1_000;
        }
        if rest > 0 {
            // "één" alone, stressed, so it is not read as the article "een".
            parts.push(if rest == 1 {
                "één".to_owned()
            } else {
                below_thousand(rest)
            });
        }
        parts.join(" ")
    }

    fn ordinal(&self, n: u64, suffix: &str) -> Option<String> {
        if !matches!(suffix, "e" | "ste" | "de" | "ᵉ") || n == 0 {
            return None;
        }
        let small = n % 100;
        if !(1..20).contains(&small) {
            return Some(format!("{}ste", self.cardinal(n)));
        }
        let head = n - small;
        Some(match head {
            0 => ORDINALS[small as usize].to_owned(),
            _ if head.is_multiple_of(1_000) => {
                format!("{} {}", self.cardinal(head), ORDINALS[small as usize])
            }
            _ => format!("{}{}", self.cardinal(head), ORDINALS[small as usize]),
        })
    }

    fn minus(&self) -> &'static str {
        "min"
    }

    fn decimal(&self, whole: &str, fraction: &str) -> String {
        let zeros = fraction.chars().take_while(|&c| c == '0').count();
        let significant = &fraction[zeros..];
        let mut words: Vec<String> = vec!["nul".to_owned(); zeros];
        if significant.len() <= 3 {
            if let Ok(n) = significant.parse::<u64>() {
                words.push(self.cardinal(n));
            }
        } else {
            words.extend(
                significant
                    .chars()
                    .filter_map(|c| c.to_digit(10))
                    .map(|d| self.cardinal(u64::from(d))),
            );
        }
        format!("{whole} komma {}", words.join(" "))
    }

    fn time(&self, hour: u32, minute: u32) -> String {
        let h = self.cardinal(u64::from(hour));
        if minute == 0 {
            format!("{h} uur")
        } else {
            format!("{h} uur {}", self.cardinal(u64::from(minute)))
        }
    }

    fn unit(&self, unit: Unit, plural: bool) -> &'static str {
        match (unit, plural) {
            (Unit::Celsius, false) => "graad Celsius",
            (Unit::Celsius, true) => "graden Celsius",
            (Unit::Fahrenheit, false) => "graad Fahrenheit",
            (Unit::Fahrenheit, true) => "graden Fahrenheit",
            (Unit::Degree, false) => "graad",
            (Unit::Degree, true) => "graden",
            (Unit::Percent, _) => "procent",
            (Unit::KilometerPerHour, _) => "kilometer per uur",
            (Unit::Kilometer, _) => "kilometer",
            (Unit::Kilogram, _) => "kilogram",
            (Unit::Centimeter, _) => "centimeter",
            (Unit::KilowattHour, _) => "kilowattuur",
        }
    }

    fn plural(&self, _negative: bool, whole: u64, has_fraction: bool) -> bool {
        whole != 1 || has_fraction
    }

    fn money(&self, currency: Currency, whole: u64, cents: u32) -> String {
        let name = match currency {
            Currency::Euro => "euro",
            Currency::Dollar => "dollar",
            Currency::Pound => "pond",
        };
        match (whole, cents) {
            (_, 0) => format!("{} {name}", self.cardinal(whole)),
            (0, _) => format!("{} cent", self.cardinal(u64::from(cents))),
            _ => format!(
                "{} {name} {}",
                self.cardinal(whole),
                self.cardinal(u64::from(cents))
            ),
        }
    }

    fn currency_name(&self, currency: Currency) -> &'static str {
        match currency {
            Currency::Euro => "euro",
            Currency::Dollar => "dollar",
            Currency::Pound => "pond",
        }
    }

    fn group_separators(&self) -> &'static [char] {
        &['.', '\u{a0}', '\u{202f}']
    }

    fn decimal_separators(&self) -> &'static [char] {
        &[',', '.']
    }

    fn and(&self) -> &'static str {
        "en"
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
            (0, "nul"),
            (1, "één"),
            (13, "dertien"),
            (21, "eenentwintig"),
            (22, "tweeëntwintig"),
            (23, "drieëntwintig"),
            (45, "vijfenveertig"),
            (100, "honderd"),
            (101, "honderdeen"),
            (250, "tweehonderdvijftig"),
            (1_000, "duizend"),
            (1_001, "duizend één"),
            (2_500, "tweeduizend vijfhonderd"),
            (
                999_999,
                "negenhonderdnegenennegentigduizend negenhonderdnegenennegentig",
            ),
            (1_000_000, "één miljoen"),
            (3_000_000_000, "drie miljard"),
        ];
        for (n, words) in cases {
            assert_eq!(Dutch.cardinal(n), words, "{n}");
        }
    }

    #[test]
    fn ordinals() {
        let cases = [
            (1, "eerste"),
            (3, "derde"),
            (8, "achtste"),
            (19, "negentiende"),
            (20, "twintigste"),
            (21, "eenentwintigste"),
            (100, "honderdste"),
            (101, "honderdeerste"),
            (1_002, "duizend tweede"),
        ];
        for (n, words) in cases {
            assert_eq!(Dutch.ordinal(n, "e").as_deref(), Some(words), "{n}");
        }
    }

    #[test]
    fn normalises_dutch_text() {
        let cases = [
            ("Het is 21 graden.", "Het is eenentwintig graden."),
            ("-5", "min vijf"),
            ("3.5", "drie komma vijf"),
            ("3,5", "drie komma vijf"),
            ("1.000 mensen", "duizend mensen"),
            ("Het is 14:05.", "Het is veertien uur vijf."),
            ("7:30", "zeven uur dertig"),
            ("8:00", "acht uur"),
            ("-2°C", "min twee graden Celsius"),
            ("1 °C", "één graad Celsius"),
            ("50%", "vijftig procent"),
            ("120 km/h", "honderdtwintig kilometer per uur"),
            ("5 km", "vijf kilometer"),
            ("3 kg", "drie kilogram"),
            ("€5", "vijf euro"),
            ("5 €", "vijf euro"),
            ("€ 2,50", "twee euro vijftig"),
            ("€0,50", "vijftig cent"),
            ("$3", "drie dollar"),
            ("fruit, bv. appels", "fruit, bijvoorbeeld appels"),
            ("appels, peren, enz.", "appels, peren, enzovoort."),
            ("dhr. Jansen", "de heer Jansen"),
            ("de 1e en de 3de keer", "de eerste en de derde keer"),
        ];
        for (text, spoken) in cases {
            assert_eq!(normalize(text, "nl"), spoken, "{text}");
        }
    }
}
