//! Splitting replies into sentences, so speech can start before the whole reply is written.
//!
//! A sentence ends at `.`, `!`, `?` or `…` (or a run of them, with closing quotes or
//! brackets) followed by whitespace, and at every line break. A period does not end a
//! sentence inside a number (`3.5`, no space follows), after a known abbreviation (`Dr.`,
//! `e.g.`, `bv.`, `M.`), after a single capital letter (an initial), or after `No.`/`nr.`
//! before a number. Times (`14:05`) contain no period and never split.

/// Abbreviations (lower case, without the final period) after which a period never ends a
/// sentence.
const ABBREVIATIONS: &[&str] = &[
    "dr", "mr", "mrs", "ms", "st", "jr", "sr", "prof", "vs", "approx", "e.g", "i.e", "cf", "mme",
    "mlle", "mm", "av", "env", "p", "ex", "c.-à-d", "bv", "bijv", "dhr", "mevr", "o.a", "d.w.z",
    "i.p.v", "ca", "incl", "excl",
];
/// Abbreviations after which a period does not end a sentence when a number follows.
const NUMBER_ABBREVIATIONS: &[&str] = &["no", "nr", "n°"];
/// The default for [`SentenceBuffer::split_long_first_sentence`].
pub const DEFAULT_FIRST_SENTENCE_WORDS: usize = 12;
/// A first sentence is only cut at a comma with at least this many words before it.
const MIN_FIRST_CLAUSE_WORDS: usize = 3;

/// Where the next sentence ends in a piece of text.
#[derive(Debug, PartialEq, Eq)]
enum Boundary {
    /// The sentence is `text[..end]`; the rest starts at `rest`.
    At { end: usize, rest: usize },
    /// A sentence may end at the end of the text: more text is needed to know.
    NeedMore,
    /// No sentence ends in this text.
    None,
}

/// Splits `text` into sentences, each trimmed. Pieces with nothing to say (no letter or
/// digit) are dropped.
pub fn split_sentences(text: &str) -> Vec<&str> {
    let mut sentences = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (sentence, next) = match boundary(rest, true) {
            Boundary::At { end, rest: next } => (&rest[..end], next),
            Boundary::NeedMore | Boundary::None => (rest, rest.len()),
        };
        push_sentence(&mut sentences, sentence);
        rest = &rest[next..];
    }
    sentences
}

fn push_sentence<'a>(sentences: &mut Vec<&'a str>, sentence: &'a str) {
    let sentence = sentence.trim();
    if sentence.chars().any(char::is_alphanumeric) {
        sentences.push(sentence);
    }
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»' | '*' | '_')
}

/// Finds the first sentence end in `text`. With `at_end`, the end of the text counts as
/// whitespace; without it (streaming), a terminator at the very end needs more text.
fn boundary(text: &str, at_end: bool) -> Boundary {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\n' {
            return Boundary::At {
                end: i,
                rest: i + 1,
            };
        }
        if !is_terminator(c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        let mut only_period = c == '.';
        while let Some(&(j, next)) = chars.peek() {
            if is_terminator(next) || is_closer(next) {
                only_period &= next != '!' && next != '?' && next != '…' && next != '.';
                end = j + next.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let following = text[end..].chars().next();
        match following {
            None if !at_end => return Boundary::NeedMore,
            None => {}
            Some(next) if !next.is_whitespace() => continue,
            Some(_) => {}
        }
        if only_period {
            match period_is_abbreviation(&text[..i], &text[end..], at_end) {
                Some(true) => continue,
                Some(false) => {}
                None => return Boundary::NeedMore,
            }
        }
        return Boundary::At { end, rest: end };
    }
    Boundary::None
}

/// Whether the period after `before` belongs to an abbreviation; `None` when that depends on
/// text not yet received.
fn period_is_abbreviation(before: &str, after: &str, at_end: bool) -> Option<bool> {
    let token = before
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or_default();
    let token = token.trim_start_matches(['(', '[', '"', '\'', '“', '‘', '«', '*', '_']);
    let lower = token.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return Some(true);
    }
    let mut letters = token.chars();
    if let (Some(letter), None) = (letters.next(), letters.next())
        && letter.is_uppercase()
    {
        return Some(true);
    }
    if NUMBER_ABBREVIATIONS.contains(&lower.as_str()) {
        return match after.trim_start().chars().next() {
            Some(c) => Some(c.is_ascii_digit()),
            None if at_end => Some(false),
            None => None,
        };
    }
    Some(false)
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Where to cut a long first sentence: just after its first comma (or semicolon) that has
/// at least [`MIN_FIRST_CLAUSE_WORDS`] words before it and whitespace after it.
fn first_clause_cut(sentence: &str) -> Option<usize> {
    let mut chars = sentence.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, ',' | ';') {
            let next_is_space = chars.peek().is_some_and(|&(_, next)| next.is_whitespace());
            if next_is_space && word_count(&sentence[..i]) >= MIN_FIRST_CLAUSE_WORDS {
                return Some(i + 1);
            }
        }
    }
    None
}

/// Collects text as a language model streams it and hands out complete sentences.
///
/// Push deltas as they arrive (split anywhere, even mid-word), pop every complete sentence
/// after each push, and call [`finish`](Self::finish) at the end of the stream for the last,
/// unterminated one. Popped sentences are trimmed; pieces with nothing to say are skipped.
///
/// With [`split_long_first_sentence`](Self::split_long_first_sentence), a first sentence
/// longer than the given number of words is cut after its first comma, so the first audio
/// of a long reply starts sooner.
#[derive(Debug, Clone, Default)]
pub struct SentenceBuffer {
    pending: String,
    first_sentence_words: Option<usize>,
    popped: bool,
}

impl SentenceBuffer {
    /// An empty buffer that cuts only at sentence ends.
    pub fn new() -> Self {
        SentenceBuffer::default()
    }

    /// Also cuts the first sentence after its first comma when it runs longer than
    /// `max_words` words (and at least three words come before the comma).
    /// [`DEFAULT_FIRST_SENTENCE_WORDS`] is a good value.
    #[must_use]
    pub fn split_long_first_sentence(mut self, max_words: usize) -> Self {
        self.first_sentence_words = Some(max_words);
        self
    }

    /// Appends a delta of streamed text.
    pub fn push(&mut self, delta: &str) {
        self.pending.push_str(delta);
    }

    /// The next complete sentence, if one has been received.
    pub fn pop(&mut self) -> Option<String> {
        loop {
            let (end, rest, complete) = match boundary(&self.pending, false) {
                Boundary::At { end, rest } => (end, rest, true),
                Boundary::NeedMore | Boundary::None => {
                    (self.pending.len(), self.pending.len(), false)
                }
            };
            if let Some(cut) = self.first_cut(&self.pending[..end]) {
                return self.take(cut, cut);
            }
            if !complete {
                return None;
            }
            if let Some(sentence) = self.take(end, rest) {
                return Some(sentence);
            }
        }
    }

    /// Everything left once the stream has ended (the last sentence, often without a
    /// terminator), or `None` if nothing with letters or digits is left. Empties the buffer.
    pub fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.pending);
        let rest = rest.trim();
        rest.chars()
            .any(char::is_alphanumeric)
            .then(|| rest.to_owned())
    }

    fn first_cut(&self, sentence: &str) -> Option<usize> {
        let max_words = self.first_sentence_words?;
        if self.popped || word_count(sentence) <= max_words {
            return None;
        }
        first_clause_cut(sentence)
    }

    /// Removes `pending[..rest]` and returns `pending[..end]` trimmed, if it has anything to
    /// say.
    fn take(&mut self, end: usize, rest: usize) -> Option<String> {
        let sentence = self.pending[..end].trim().to_owned();
        self.pending.drain(..rest);
        if sentence.chars().any(char::is_alphanumeric) {
            self.popped = true;
            Some(sentence)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_sentence_ends_only() {
        let cases: &[(&str, &[&str])] = &[
            ("Hello. How are you?", &["Hello.", "How are you?"]),
            (
                "Wow!! Really?! Yes…  Fine",
                &["Wow!!", "Really?!", "Yes…", "Fine"],
            ),
            ("It is 3.5 degrees. Nice.", &["It is 3.5 degrees.", "Nice."]),
            ("It is 14:05. Good.", &["It is 14:05.", "Good."]),
            (
                "Dr. Smith is in. Mr. and Mrs. Jones too.",
                &["Dr. Smith is in.", "Mr. and Mrs. Jones too."],
            ),
            (
                "Fruit, e.g. apples. Done.",
                &["Fruit, e.g. apples.", "Done."],
            ),
            (
                "J. R. R. Tolkien wrote it. Yes.",
                &["J. R. R. Tolkien wrote it.", "Yes."],
            ),
            ("M. Dupont arrive. Bien.", &["M. Dupont arrive.", "Bien."]),
            (
                "Fruit, bv. appels. Klaar.",
                &["Fruit, bv. appels.", "Klaar."],
            ),
            (
                "Room No. 5 is free. I said no. Fine.",
                &["Room No. 5 is free.", "I said no.", "Fine."],
            ),
            (
                "He said \"stop.\" Then left.",
                &["He said \"stop.\"", "Then left."],
            ),
            ("**Done.** Next", &["**Done.**", "Next"]),
            (
                "line one\nline two\n\n- item",
                &["line one", "line two", "- item"],
            ),
            (
                "See https://example.com/a.b for more. Ok",
                &["See https://example.com/a.b for more.", "Ok"],
            ),
            ("No terminator", &["No terminator"]),
            ("  ... !  ", &[]),
            ("", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(split_sentences(text), *expected, "{text:?}");
        }
    }

    fn stream(buffer: &mut SentenceBuffer, deltas: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        for delta in deltas {
            buffer.push(delta);
            while let Some(sentence) = buffer.pop() {
                out.push(sentence);
            }
        }
        out.extend(buffer.finish());
        out
    }

    #[test]
    fn streaming_split_anywhere_matches_splitting_the_whole_text() {
        let texts = [
            "Hello there. It is 3.5 degrees at 14:05! Dr. Smith said so… Really? Yes.\nNext line",
            "Il est 7h30. M. Dupont arrive. D'accord ?",
            "Room No. 5 is free. I said no.",
            "Ça coûte 5 €. Très bien !",
        ];
        for text in texts {
            let expected: Vec<String> = split_sentences(text)
                .into_iter()
                .map(str::to_owned)
                .collect();
            let boundaries: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            // Every split into two deltas, and every split into single characters.
            for &cut in &boundaries {
                let got = stream(&mut SentenceBuffer::new(), &[&text[..cut], &text[cut..]]);
                assert_eq!(got, expected, "{text:?} cut at {cut}");
            }
            let chars: Vec<String> = text.chars().map(String::from).collect();
            let deltas: Vec<&str> = chars.iter().map(String::as_str).collect();
            assert_eq!(
                stream(&mut SentenceBuffer::new(), &deltas),
                expected,
                "{text:?} char by char"
            );
        }
    }

    #[test]
    fn a_sentence_is_only_popped_once_its_end_is_certain() {
        let mut buffer = SentenceBuffer::new();
        buffer.push("It costs 3.");
        assert_eq!(buffer.pop(), None, "3. may be 3.5");
        buffer.push("5 euros. Dr.");
        assert_eq!(buffer.pop().as_deref(), Some("It costs 3.5 euros."));
        assert_eq!(buffer.pop(), None, "Dr. is followed by a name");
        buffer.push(" Who. No.");
        assert_eq!(buffer.pop().as_deref(), Some("Dr. Who."));
        buffer.push(" ");
        assert_eq!(buffer.pop(), None, "No. may be followed by a number");
        buffer.push("5 wins");
        assert_eq!(buffer.pop(), None);
        assert_eq!(buffer.finish().as_deref(), Some("No. 5 wins"));
        assert_eq!(buffer.finish(), None);
    }

    #[test]
    fn a_long_first_sentence_is_cut_at_a_comma() {
        let text = "Sure, I can do that, and I will also turn on the lights in the kitchen for you. Then I will set a timer, as you asked, for ten minutes.";
        let mut buffer =
            SentenceBuffer::new().split_long_first_sentence(DEFAULT_FIRST_SENTENCE_WORDS);
        let got = stream(&mut buffer, &[text]);
        assert_eq!(
            got,
            [
                "Sure, I can do that,",
                "and I will also turn on the lights in the kitchen for you.",
                "Then I will set a timer, as you asked, for ten minutes."
            ]
        );
        // Streamed word by word, the cut comes as soon as the sentence is known to be long.
        let words: Vec<String> = text.split_inclusive(' ').map(String::from).collect();
        let deltas: Vec<&str> = words.iter().map(String::as_str).collect();
        let mut buffer =
            SentenceBuffer::new().split_long_first_sentence(DEFAULT_FIRST_SENTENCE_WORDS);
        assert_eq!(stream(&mut buffer, &deltas), got);
        // A short first sentence is left whole.
        let mut buffer =
            SentenceBuffer::new().split_long_first_sentence(DEFAULT_FIRST_SENTENCE_WORDS);
        assert_eq!(
            stream(&mut buffer, &["Yes, it is on. Done."]),
            ["Yes, it is on.", "Done."]
        );
    }
}
