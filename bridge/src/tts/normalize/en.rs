//! English (American): "twenty-one", "fourteen oh five", "three point five".

use super::speller::{Abbreviation, Currency, Speller, Unit, When, abbr};

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const SCALES: [(u64, &str); 6] = [
    (1_000_000_000_000_000_000, "quintillion"),
    (1_000_000_000_000_000, "quadrillion"),
    (1_000_000_000_000, "trillion"),
    (1_000_000_000, "billion"),
    (1_000_000, "million"),
    (1_000, "thousand"),
];

const ABBREVIATIONS: &[Abbreviation] = &[
    abbr("approx.", "approximately", When::Always),
    abbr("Mrs.", "Missus", When::Always),
    abbr("Dr.", "Doctor", When::Always),
    abbr("Mr.", "Mister", When::Always),
    abbr("Ms.", "Miz", When::Always),
    abbr("St.", "Street", When::Always),
    abbr("Jr.", "Junior", When::Always),
    abbr("Sr.", "Senior", When::Always),
    abbr("Prof.", "Professor", When::Always),
    abbr("etc.", "et cetera", When::Always),
    abbr("e.g.", "for example", When::Always),
    abbr("i.e.", "that is", When::Always),
    abbr("vs.", "versus", When::Always),
    abbr("No.", "number", When::BeforeDigit),
    abbr("no.", "number", When::BeforeDigit),
];

/// English number words and abbreviations.
pub(crate) struct English;

fn below_hundred(n: u64) -> String {
    match n {
        0..20 => ONES[n as usize].to_owned(),
        _ if n.is_multiple_of(10) => TENS[(n / 10) as usize].to_owned(),
        _ => format!("{}-{}", TENS[(n / 10) as usize], ONES[(n % 10) as usize]),
    }
}

fn below_thousand(n: u64) -> String {
    let (hundreds, rest) = (n / 100, n % 100);
    match (hundreds, rest) {
        (0, _) => below_hundred(rest),
        (_, 0) => format!("{} hundred", ONES[hundreds as usize]),
        _ => format!(
            "{} hundred {}",
            ONES[hundreds as usize],
            below_hundred(rest)
        ),
    }
}

impl Speller for English {
    fn cardinal(&self, n: u64) -> String {
        if n == 0 {
            return ONES[0].to_owned();
        }
        let mut parts = Vec::new();
        let mut rest = n;
        for (scale, name) in SCALES {
            if rest >= scale {
                parts.push(format!("{} {name}", below_thousand(rest / scale)));
                rest %= scale;
            }
        }
        if rest > 0 {
            parts.push(below_thousand(rest));
        }
        parts.join(" ")
    }

    fn ordinal(&self, n: u64, suffix: &str) -> Option<String> {
        if !matches!(suffix, "st" | "nd" | "rd" | "th") {
            return None;
        }
        let cardinal = self.cardinal(n);
        let split = cardinal.rfind([' ', '-']).map_or(0, |i| i + 1);
        let (head, last) = cardinal.split_at(split);
        let last = match last {
            "one" => "first".to_owned(),
            "two" => "second".to_owned(),
            "three" => "third".to_owned(),
            "five" => "fifth".to_owned(),
            "eight" => "eighth".to_owned(),
            "nine" => "ninth".to_owned(),
            "twelve" => "twelfth".to_owned(),
            word if word.ends_with('y') => format!("{}ieth", &word[..word.len() - 1]),
            word => format!("{word}th"),
        };
        Some(format!("{head}{last}"))
    }

    fn minus(&self) -> &'static str {
        "minus"
    }

    fn decimal(&self, whole: &str, fraction: &str) -> String {
        let digits: Vec<&str> = fraction
            .chars()
            .filter_map(|c| c.to_digit(10))
            .map(|d| ONES[d as usize])
            .collect();
        format!("{whole} point {}", digits.join(" "))
    }

    fn time(&self, hour: u32, minute: u32) -> String {
        let h = self.cardinal(u64::from(hour));
        match minute {
            0 if (1..=12).contains(&hour) => format!("{h} o'clock"),
            0 => format!("{h} hundred"),
            1..=9 => format!("{h} oh {}", ONES[minute as usize]),
            _ => format!("{h} {}", self.cardinal(u64::from(minute))),
        }
    }

    /// The part of the day, not the letters: Piper runs a spoken "a m" into the minutes
    /// before it, so that "six fourteen a m" is heard as "six forty", and Whisper heard it so
    /// for most minutes from 13 to 19 (tried over each reading); "six fourteen in the
    /// morning" keeps the minutes apart, as people say it anyway.
    fn time_of_day(&self, hour: u32, minute: u32, pm: bool) -> Option<String> {
        let time = self.time(hour, minute);
        let part = match (pm, hour) {
            (_, 0 | 13..) => return Some(format!("{time} {}", if pm { "p m" } else { "a m" })),
            (false, 12) if minute == 0 => return Some("twelve midnight".into()),
            (true, 12) if minute == 0 => return Some("twelve noon".into()),
            (false, 12 | 1..=4) | (true, 10 | 11) => "at night",
            (false, _) => "in the morning",
            (true, 12 | 1..=5) => "in the afternoon",
            (true, _) => "in the evening",
        };
        Some(format!("{time} {part}"))
    }

    fn unit(&self, unit: Unit, plural: bool) -> &'static str {
        match (unit, plural) {
            (Unit::Celsius, false) => "degree Celsius",
            (Unit::Celsius, true) => "degrees Celsius",
            (Unit::Fahrenheit, false) => "degree Fahrenheit",
            (Unit::Fahrenheit, true) => "degrees Fahrenheit",
            (Unit::Degree, false) => "degree",
            (Unit::Degree, true) => "degrees",
            (Unit::Percent, _) => "percent",
            (Unit::KilometerPerHour, false) => "kilometer per hour",
            (Unit::KilometerPerHour, true) => "kilometers per hour",
            (Unit::Kilometer, false) => "kilometer",
            (Unit::Kilometer, true) => "kilometers",
            (Unit::Kilogram, false) => "kilogram",
            (Unit::Kilogram, true) => "kilograms",
            (Unit::Centimeter, false) => "centimeter",
            (Unit::Centimeter, true) => "centimeters",
            (Unit::KilowattHour, false) => "kilowatt hour",
            (Unit::KilowattHour, true) => "kilowatt hours",
        }
    }

    fn plural(&self, _negative: bool, whole: u64, has_fraction: bool) -> bool {
        whole != 1 || has_fraction
    }

    fn money(&self, currency: Currency, whole: u64, cents: u32) -> String {
        let (one, many, cent, cents_word) = match currency {
            Currency::Euro => ("euro", "euros", "cent", "cents"),
            Currency::Dollar => ("dollar", "dollars", "cent", "cents"),
            Currency::Pound => ("pound", "pounds", "penny", "pence"),
        };
        let units = format!(
            "{} {}",
            self.cardinal(whole),
            if whole == 1 { one } else { many }
        );
        let hundredths = format!(
            "{} {}",
            self.cardinal(u64::from(cents)),
            if cents == 1 { cent } else { cents_word }
        );
        match (whole, cents) {
            (_, 0) => units,
            (0, _) => hundredths,
            _ => format!("{units} and {hundredths}"),
        }
    }

    fn currency_name(&self, currency: Currency) -> &'static str {
        match currency {
            Currency::Euro => "euros",
            Currency::Dollar => "dollars",
            Currency::Pound => "pounds",
        }
    }

    fn group_separators(&self) -> &'static [char] {
        &[',']
    }

    fn decimal_separators(&self) -> &'static [char] {
        &['.']
    }

    fn and(&self) -> &'static str {
        "and"
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
            (0, "zero"),
            (7, "seven"),
            (13, "thirteen"),
            (21, "twenty-one"),
            (40, "forty"),
            (100, "one hundred"),
            (105, "one hundred five"),
            (999, "nine hundred ninety-nine"),
            (1_000, "one thousand"),
            (1_001, "one thousand one"),
            (12_345, "twelve thousand three hundred forty-five"),
            (
                999_999,
                "nine hundred ninety-nine thousand nine hundred ninety-nine",
            ),
            (1_000_000, "one million"),
            (2_000_300_001, "two billion three hundred thousand one"),
        ];
        for (n, words) in cases {
            assert_eq!(English.cardinal(n), words, "{n}");
        }
    }

    #[test]
    fn ordinals() {
        let cases = [
            (1, "first"),
            (2, "second"),
            (3, "third"),
            (4, "fourth"),
            (12, "twelfth"),
            (20, "twentieth"),
            (21, "twenty-first"),
            (100, "one hundredth"),
            (103, "one hundred third"),
        ];
        for (n, words) in cases {
            assert_eq!(English.ordinal(n, "th").as_deref(), Some(words), "{n}");
        }
        assert_eq!(English.ordinal(3, "x"), None);
    }

    #[test]
    fn normalises_english_text() {
        let cases = [
            ("It is 21 degrees.", "It is twenty-one degrees."),
            ("-5", "minus five"),
            (
                "It's -12°C outside",
                "It's minus twelve degrees Celsius outside",
            ),
            ("3.5", "three point five"),
            ("3.14", "three point one four"),
            ("1,000,000 people", "one million people"),
            ("1,5", "one,five"),
            ("The time is 14:05.", "The time is fourteen oh five."),
            ("7:30", "seven thirty"),
            ("7:00", "seven o'clock"),
            ("18:00", "eighteen hundred"),
            ("at 7:30 pm", "at seven thirty in the evening"),
            (
                "See you at 9:15 a.m.",
                "See you at nine fifteen in the morning.",
            ),
            ("It's 6:14 AM.", "It's six fourteen in the morning."),
            ("It's 3:05 PM.", "It's three oh five in the afternoon."),
            ("It's 11:30 PM.", "It's eleven thirty at night."),
            ("It's 12:20 AM.", "It's twelve twenty at night."),
            ("It's 12:00 PM.", "It's twelve noon."),
            ("It's 12:00 AM.", "It's twelve midnight."),
            ("It's 7:00 PM.", "It's seven o'clock in the evening."),
            ("at 14:05 pm", "at fourteen oh five p m"),
            ("1°C", "one degree Celsius"),
            (
                "20 °C and 68°F",
                "twenty degrees Celsius and sixty-eight degrees Fahrenheit",
            ),
            ("turn 90°", "turn ninety degrees"),
            ("50%", "fifty percent"),
            ("50 % humidity", "fifty percent humidity"),
            ("100 km/h", "one hundred kilometers per hour"),
            ("1 km", "one kilometer"),
            ("2.5 km", "two point five kilometers"),
            ("3kg", "three kilograms"),
            ("12 kWh", "twelve kilowatt hours"),
            ("€5", "five euros"),
            ("5 €", "five euros"),
            ("5€", "five euros"),
            ("$3", "three dollars"),
            ("$1", "one dollar"),
            ("$3.50", "three dollars and fifty cents"),
            ("$0.99", "ninety-nine cents"),
            ("£2", "two pounds"),
            (
                "Dr. Smith lives on Baker St.",
                "Doctor Smith lives on Baker Street.",
            ),
            ("apples, pears, etc.", "apples, pears, et cetera."),
            ("fruit, e.g. apples", "fruit, for example apples"),
            ("No. 5", "number five"),
            ("No. thanks", "No. thanks"),
            ("the 21st and the 3rd", "the twenty-first and the third"),
            ("salt & pepper", "salt and pepper"),
            ("**Sure!** Here's a _list_:", "Sure! Here's a list:"),
        ];
        for (text, spoken) in cases {
            assert_eq!(normalize(text, "en"), spoken, "{text}");
        }
    }
}
