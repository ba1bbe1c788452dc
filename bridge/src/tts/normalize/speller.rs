//! What the normaliser needs to know about a language: how to say numbers, times, units,
//! money and which abbreviations to expand. One implementation per language.

/// A unit the normaliser reads after a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Celsius,
    Fahrenheit,
    Degree,
    Percent,
    KilometerPerHour,
    Kilometer,
    Kilogram,
    Centimeter,
    KilowattHour,
}

/// How units are written, longest first so that `km/h` wins over `km` and `°C` over `°`.
pub(crate) const UNIT_SYMBOLS: &[(&str, Unit)] = &[
    ("km/h", Unit::KilometerPerHour),
    ("kWh", Unit::KilowattHour),
    ("°C", Unit::Celsius),
    ("ºC", Unit::Celsius),
    ("℃", Unit::Celsius),
    ("°F", Unit::Fahrenheit),
    ("ºF", Unit::Fahrenheit),
    ("km", Unit::Kilometer),
    ("kg", Unit::Kilogram),
    ("cm", Unit::Centimeter),
    ("°", Unit::Degree),
    ("º", Unit::Degree),
    ("%", Unit::Percent),
];

/// A currency the normaliser reads around an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Currency {
    Euro,
    Dollar,
    Pound,
}

/// The currency a symbol stands for.
pub(crate) fn currency_of(symbol: char) -> Option<Currency> {
    match symbol {
        '€' => Some(Currency::Euro),
        '$' => Some(Currency::Dollar),
        '£' => Some(Currency::Pound),
        _ => None,
    }
}

/// When an abbreviation may be expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// Wherever it stands as a word.
    Always,
    /// Only before a capitalised word (French `M. Dupont`, not the letter M).
    BeforeCapital,
    /// Only before a number (`No. 5`).
    BeforeDigit,
}

/// An abbreviation and what to say instead. Matching is case-sensitive and on whole words.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Abbreviation {
    pub(crate) written: &'static str,
    pub(crate) spoken: &'static str,
    pub(crate) when: When,
}

/// Shorthand for the abbreviation tables.
pub(crate) const fn abbr(written: &'static str, spoken: &'static str, when: When) -> Abbreviation {
    Abbreviation {
        written,
        spoken,
        when,
    }
}

/// How one language says things.
pub(crate) trait Speller {
    /// Number words for `n` (`21` → "twenty-one").
    fn cardinal(&self, n: u64) -> String;

    /// Ordinal words for `n` written with `suffix` (`21` + `st`), or `None` when `suffix` is
    /// not an ordinal suffix in this language.
    fn ordinal(&self, n: u64, suffix: &str) -> Option<String>;

    /// The word before a negative number.
    fn minus(&self) -> &'static str;

    /// A decimal number: `whole` already in words, `fraction` the digits after the
    /// separator (`"three"`, `"5"` → "three point five").
    fn decimal(&self, whole: &str, fraction: &str) -> String;

    /// A clock time, `hour` in `0..=24`, `minute` in `0..=59`.
    fn time(&self, hour: u32, minute: u32) -> String;

    /// A 12-hour time with its `am`/`pm` read out, or `None` when the language leaves the
    /// marker as written (English reads it).
    fn time_of_day(&self, _hour: u32, _minute: u32, _pm: bool) -> Option<String> {
        None
    }

    /// Whether `14h05` and `14h` are times (French).
    fn hour_letter_times(&self) -> bool {
        false
    }

    /// The unit's name after a quantity; `plural` as [`plural`](Speller::plural) decided.
    fn unit(&self, unit: Unit, plural: bool) -> &'static str;

    /// Whether a quantity takes the plural: English for anything but exactly one, French
    /// from two.
    fn plural(&self, negative: bool, whole: u64, has_fraction: bool) -> bool;

    /// An amount of money: `whole` units and `cents` hundredths.
    fn money(&self, currency: Currency, whole: u64, cents: u32) -> String;

    /// The currency's name after a decimal amount with more than two decimals.
    fn currency_name(&self, currency: Currency) -> &'static str;

    /// Characters that group thousands (`1,000`, `1.000`, `1 000`).
    fn group_separators(&self) -> &'static [char];

    /// Characters that separate decimals (`3.5`, `3,5`).
    fn decimal_separators(&self) -> &'static [char];

    /// The word for `&`.
    fn and(&self) -> &'static str;

    /// Abbreviations to expand, longest first where one is a prefix of another.
    fn abbreviations(&self) -> &'static [Abbreviation];
}

/// Reads a string of digits one by one (`"007"` → "zero zero seven").
pub(crate) fn digit_by_digit(speller: &dyn Speller, digits: &str) -> String {
    let words: Vec<String> = digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .map(|d| speller.cardinal(u64::from(d)))
        .collect();
    words.join(" ")
}
