//! The normaliser: rewrites text so a TTS engine reads numbers, times, units, money and
//! abbreviations the way a person would say them in the reply's language.

use super::en::English;
use super::fr::French;
use super::nl::Dutch;
use super::speller::{Currency, Speller, UNIT_SYMBOLS, When, currency_of, digit_by_digit};
use crate::tts::lang::primary_language;

/// Integers with more digits than this are read digit by digit (phone numbers, codes).
const MAX_CARDINAL_DIGITS: usize = 12;

/// Rewrites `text` for speech in `lang`.
///
/// For English, French and Dutch: numbers to words (integers, negatives, thousands
/// separators, decimals, ordinals like `21st`/`1er`/`3e`), clock times (`14:05`, `7:30 pm`,
/// French `14h05`), units after a number (`°C`, `°F`, `°`, `%`, `km/h`, `km`, `kg`, `cm`,
/// `kWh`), money (`€5`, `5 €`, `$3.50`, `£2`) and common abbreviations (`Dr.`, `etc.`,
/// French `M.`, Dutch `bv.`). For every language: Markdown emphasis characters (`*`, `_`,
/// `#`, `` ` ``) are dropped and whitespace is collapsed. Other languages keep their digits
/// (espeak-ng reads them).
///
/// A pure function of its input; never fails.
pub fn normalize(text: &str, lang: &str) -> String {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '#' | '`' | '~'))
        .collect();
    let speller: Option<&dyn Speller> = match primary_language(lang).as_str() {
        "en" => Some(&English),
        "fr" => Some(&French),
        "nl" => Some(&Dutch),
        _ => None,
    };
    let rewritten = match speller {
        Some(speller) => Scanner {
            speller,
            chars: cleaned.chars().collect(),
            at: 0,
            out: String::new(),
        }
        .run(),
        None => cleaned,
    };
    rewritten.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A number as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Number {
    negative: bool,
    /// The digits before the decimal separator, without grouping separators.
    whole: String,
    /// Whether thousands separators were read.
    grouped: bool,
    /// The digits after the decimal separator, if any.
    fraction: Option<String>,
}

struct Scanner<'a> {
    speller: &'a dyn Speller,
    chars: Vec<char>,
    at: usize,
    out: String,
}

impl Scanner<'_> {
    fn run(mut self) -> String {
        while self.at < self.chars.len() {
            if self.abbreviation() || self.money_prefix() || self.number() {
                continue;
            }
            let c = self.chars[self.at];
            if c == '&' && self.is_space(self.at.wrapping_sub(1)) && self.is_space(self.at + 1) {
                self.emit(self.speller.and());
            } else {
                self.out.push(c);
            }
            self.at += 1;
        }
        self.out
    }

    fn get(&self, at: usize) -> Option<char> {
        self.chars.get(at).copied()
    }

    fn is_alnum(&self, at: usize) -> bool {
        self.get(at).is_some_and(char::is_alphanumeric)
    }

    fn is_digit(&self, at: usize) -> bool {
        self.get(at).is_some_and(|c| c.is_ascii_digit())
    }

    /// Whitespace or outside the text.
    fn is_space(&self, at: usize) -> bool {
        self.get(at).is_none_or(char::is_whitespace)
    }

    fn starts_with(&self, at: usize, s: &str) -> bool {
        (at..).zip(s.chars()).all(|(i, c)| self.get(i) == Some(c))
    }

    /// Index after optional spaces (at most one, or a no-break space) at `at`.
    fn skip_one_space(&self, at: usize) -> usize {
        match self.get(at) {
            Some(' ' | '\u{a0}' | '\u{202f}') => at + 1,
            _ => at,
        }
    }

    /// Writes words, separated from any letter or digit on either side.
    fn emit(&mut self, words: &str) {
        if self
            .out
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
        {
            self.out.push(' ');
        }
        self.out.push_str(words);
    }

    /// After emitting words that replaced input up to `end`: keeps them apart from a letter
    /// that follows (`5G` → "five G").
    fn finish_at(&mut self, end: usize) {
        self.at = end;
        if self.is_alnum(end) {
            self.out.push(' ');
        }
    }

    fn abbreviation(&mut self) -> bool {
        if self.at > 0 && self.is_alnum(self.at - 1) {
            return false;
        }
        for abbreviation in self.speller.abbreviations() {
            if !self.starts_with(self.at, abbreviation.written) {
                continue;
            }
            let end = self.at + abbreviation.written.chars().count();
            if self.is_alnum(end)
                && abbreviation
                    .written
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let next = self.skip_one_space(end);
            let fits = match abbreviation.when {
                When::Always => true,
                When::BeforeCapital => {
                    end != next && self.get(next).is_some_and(char::is_uppercase)
                }
                When::BeforeDigit => self.is_digit(next),
            };
            if !fits {
                continue;
            }
            self.emit(abbreviation.spoken);
            // An abbreviation's period that ends the text also ends the sentence.
            if abbreviation.written.ends_with('.')
                && self.chars[end..].iter().all(|c| c.is_whitespace())
            {
                self.out.push('.');
            }
            self.finish_at(end);
            return true;
        }
        false
    }

    /// `€5`, `$ 3.50`.
    fn money_prefix(&mut self) -> bool {
        let Some(currency) = self.get(self.at).and_then(currency_of) else {
            return false;
        };
        let start = self.skip_one_space(self.at + 1);
        if !self.is_digit(start) {
            return false;
        }
        let (number, end) = self.parse_number(start, false);
        let words = self.say_money(&number, currency);
        self.emit(&words);
        self.finish_at(end);
        true
    }

    fn number(&mut self) -> bool {
        let c = self.chars[self.at];
        let negative = matches!(c, '-' | '−')
            && self.is_digit(self.at + 1)
            && (self.at == 0
                || matches!(self.get(self.at - 1), Some(c) if c.is_whitespace() || c == '('));
        if !(c.is_ascii_digit() || negative) {
            return false;
        }
        let (number, end) = self.parse_number(self.at, negative);
        if self.time(&number, end)
            || self.ordinal(&number, end)
            || self.unit(&number, end)
            || self.money_suffix(&number, end)
        {
            return true;
        }
        let words = self.say_number(&number);
        self.emit(&words);
        self.finish_at(end);
        true
    }

    /// Reads `[-]digits[group digits]*[decimal digits]` at `at`.
    fn parse_number(&self, at: usize, negative: bool) -> (Number, usize) {
        let mut i = if negative { at + 1 } else { at };
        let mut whole = String::new();
        while let Some(c) = self.get(i).filter(char::is_ascii_digit) {
            whole.push(c);
            i += 1;
        }
        let mut grouped = false;
        if whole.len() <= 3 {
            // A group separator is followed by exactly three digits.
            while self
                .get(i)
                .is_some_and(|c| self.speller.group_separators().contains(&c))
                && (1..=3).all(|k| self.is_digit(i + k))
                && !self.is_digit(i + 4)
            {
                whole.extend(&self.chars[i + 1..i + 4]);
                grouped = true;
                i += 4;
            }
        }
        let mut fraction = None;
        if self
            .get(i)
            .is_some_and(|c| self.speller.decimal_separators().contains(&c))
            && self.is_digit(i + 1)
        {
            let mut digits = String::new();
            i += 1;
            while let Some(c) = self.get(i).filter(char::is_ascii_digit) {
                digits.push(c);
                i += 1;
            }
            fraction = Some(digits);
        }
        (
            Number {
                negative,
                whole,
                grouped,
                fraction,
            },
            i,
        )
    }

    fn say_integer(&self, digits: &str) -> String {
        if digits.len() > MAX_CARDINAL_DIGITS || (digits.len() > 1 && digits.starts_with('0')) {
            return digit_by_digit(self.speller, digits);
        }
        digits
            .parse::<u64>()
            .map(|n| self.speller.cardinal(n))
            .unwrap_or_else(|_| digit_by_digit(self.speller, digits))
    }

    fn say_number(&self, number: &Number) -> String {
        let mut words = self.say_integer(&number.whole);
        if let Some(fraction) = &number.fraction {
            words = self.speller.decimal(&words, fraction);
        }
        if number.negative {
            words = format!("{} {words}", self.speller.minus());
        }
        words
    }

    fn whole_value(number: &Number) -> u64 {
        number.whole.parse().unwrap_or(u64::MAX)
    }

    fn say_money(&self, number: &Number, currency: Currency) -> String {
        let amount = match number.fraction.as_deref() {
            None => Some(0),
            Some(cents) if cents.len() == 2 => cents.parse().ok(),
            Some(tenths) if tenths.len() == 1 => tenths.parse::<u32>().ok().map(|t| t * 10),
            Some(_) => None,
        };
        let words = match amount {
            Some(cents) if number.whole.len() <= MAX_CARDINAL_DIGITS => {
                self.speller
                    .money(currency, Self::whole_value(number), cents)
            }
            _ => format!(
                "{} {}",
                self.say_number(&Number {
                    negative: false,
                    ..number.clone()
                }),
                self.speller.currency_name(currency)
            ),
        };
        if number.negative {
            format!("{} {words}", self.speller.minus())
        } else {
            words
        }
    }

    /// `14:05`, `7:30 pm`, French `14h05` / `14h`.
    fn time(&mut self, number: &Number, end: usize) -> bool {
        if number.negative || number.grouped || number.fraction.is_some() || number.whole.len() > 2
        {
            return false;
        }
        let Ok(hour) = number.whole.parse::<u32>() else {
            return false;
        };
        let separator = self.get(end);
        let minute_at = end + 1;
        let (minute, mut after) = if separator == Some(':')
            && self.is_digit(minute_at)
            && self.is_digit(minute_at + 1)
            && !self.is_digit(minute_at + 2)
        {
            (
                self.chars[minute_at..minute_at + 2]
                    .iter()
                    .collect::<String>()
                    .parse::<u32>()
                    .unwrap_or(99),
                minute_at + 2,
            )
        } else if separator == Some('h') && self.speller.hour_letter_times() {
            if self.is_digit(minute_at)
                && self.is_digit(minute_at + 1)
                && !self.is_alnum(minute_at + 2)
            {
                (
                    self.chars[minute_at..minute_at + 2]
                        .iter()
                        .collect::<String>()
                        .parse::<u32>()
                        .unwrap_or(99),
                    minute_at + 2,
                )
            } else if !self.is_alnum(minute_at) {
                (0, minute_at)
            } else {
                return false;
            }
        } else {
            return false;
        };
        if hour > 24 || minute > 59 {
            return false;
        }
        let mut words = self.speller.time(hour, minute);
        let at = self.skip_one_space(after);
        for (written, pm) in [
            ("a.m.", false),
            ("p.m.", true),
            ("am", false),
            ("pm", true),
            ("AM", false),
            ("PM", true),
        ] {
            let len = written.chars().count();
            if self.starts_with(at, written) && !self.is_alnum(at + len) {
                if let Some(spoken) = self.speller.time_of_day(hour, minute, pm) {
                    words = spoken;
                    after = at + len;
                    // "7 p.m." ending the text keeps its sentence end.
                    if written.ends_with('.')
                        && self.chars[after..].iter().all(|c| c.is_whitespace())
                    {
                        words.push('.');
                    }
                }
                break;
            }
        }
        self.emit(&words);
        self.finish_at(after);
        true
    }

    /// `21st`, `1er`, `3e`.
    fn ordinal(&mut self, number: &Number, end: usize) -> bool {
        if number.negative || number.fraction.is_some() || number.whole.len() > MAX_CARDINAL_DIGITS
        {
            return false;
        }
        let mut suffix_end = end;
        while self.get(suffix_end).is_some_and(char::is_alphabetic) {
            suffix_end += 1;
        }
        if suffix_end == end {
            return false;
        }
        let suffix: String = self.chars[end..suffix_end].iter().collect();
        let Some(words) = self.speller.ordinal(Self::whole_value(number), &suffix) else {
            return false;
        };
        self.emit(&words);
        self.finish_at(suffix_end);
        true
    }

    /// `21°C`, `50 %`, `100 km/h`.
    fn unit(&mut self, number: &Number, end: usize) -> bool {
        let at = self.skip_one_space(end);
        for (symbol, unit) in UNIT_SYMBOLS {
            let len = symbol.chars().count();
            if !self.starts_with(at, symbol) {
                continue;
            }
            if symbol
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                && self.is_alnum(at + len)
            {
                continue;
            }
            let plural = self.speller.plural(
                number.negative,
                Self::whole_value(number),
                number.fraction.is_some(),
            );
            let words = format!(
                "{} {}",
                self.say_number(number),
                self.speller.unit(*unit, plural)
            );
            self.emit(&words);
            self.finish_at(at + len);
            return true;
        }
        false
    }

    /// `5 €`, `5€`.
    fn money_suffix(&mut self, number: &Number, end: usize) -> bool {
        let at = self.skip_one_space(end);
        let Some(currency) = self.get(at).and_then(currency_of) else {
            return false;
        };
        let words = self.say_money(number, currency);
        self.emit(&words);
        self.finish_at(at + 1);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_languages_only_lose_markup_and_extra_spaces() {
        assert_eq!(
            normalize("  **Es ist** 7:30\n\n# Uhr ", "de"),
            "Es ist 7:30 Uhr"
        );
    }

    #[test]
    fn digits_glued_to_letters_are_kept_apart() {
        assert_eq!(normalize("5G and mp3", "en"), "five G and mp three");
    }

    #[test]
    fn hyphens_between_numbers_are_not_minus_signs() {
        assert_eq!(normalize("5-10 and -3", "en"), "five-ten and minus three");
    }

    #[test]
    fn long_digit_strings_and_leading_zeros_are_read_digit_by_digit() {
        assert_eq!(
            normalize("Call 0612345678, agent 007", "en"),
            "Call zero six one two three four five six seven eight, agent zero zero seven"
        );
        assert_eq!(
            normalize("1234567890123", "en"),
            "one two three four five six seven eight nine zero one two three"
        );
    }

    #[test]
    fn invalid_times_are_numbers() {
        assert_eq!(
            normalize("ratio 3:1 and 25:00", "en"),
            "ratio three:one and twenty-five:zero zero"
        );
    }
}
