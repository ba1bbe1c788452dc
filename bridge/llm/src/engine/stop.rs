//! Stop sequences over streamed text: a sequence may arrive split across tokens, so any tail
//! that could still grow into one is held back until it cannot.

/// See the module docs.
#[derive(Debug, Default)]
pub(crate) struct StopMatcher {
    stops: Vec<String>,
    held: String,
}

/// The result of feeding text to a [`StopMatcher`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct StopOutput {
    /// Text safe to emit.
    pub(crate) text: String,
    /// Whether a stop sequence was found; nothing after it is emitted.
    pub(crate) stopped: bool,
}

impl StopMatcher {
    pub(crate) fn new(stops: Vec<String>) -> Self {
        StopMatcher {
            stops: stops.into_iter().filter(|s| !s.is_empty()).collect(),
            held: String::new(),
        }
    }

    pub(crate) fn push(&mut self, text: &str) -> StopOutput {
        self.held.push_str(text);
        if self.stops.is_empty() {
            return StopOutput {
                text: std::mem::take(&mut self.held),
                stopped: false,
            };
        }
        let first = self
            .stops
            .iter()
            .filter_map(|stop| self.held.find(stop.as_str()))
            .min();
        if let Some(at) = first {
            self.held.truncate(at);
            return StopOutput {
                text: std::mem::take(&mut self.held),
                stopped: true,
            };
        }
        let keep = self
            .stops
            .iter()
            .map(|stop| partial_suffix(&self.held, stop))
            .max()
            .unwrap_or(0);
        let rest = self.held.split_off(self.held.len() - keep);
        StopOutput {
            text: std::mem::replace(&mut self.held, rest),
            stopped: false,
        }
    }

    /// The held tail, once no more text will come.
    pub(crate) fn finish(self) -> String {
        self.held
    }
}

/// Length in bytes of the longest suffix of `text` (starting on a char boundary) that is a
/// proper prefix of `stop`.
fn partial_suffix(text: &str, stop: &str) -> usize {
    text.char_indices()
        .map(|(at, _)| at)
        .find(|&at| {
            let tail = &text[at..];
            tail.len() < stop.len() && stop.starts_with(tail)
        })
        .map_or(0, |at| text.len() - at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stops: &[&str], pieces: &[&str]) -> (String, bool) {
        let mut matcher = StopMatcher::new(stops.iter().map(|s| s.to_string()).collect());
        let mut out = String::new();
        for piece in pieces {
            let output = matcher.push(piece);
            out.push_str(&output.text);
            if output.stopped {
                return (out, true);
            }
        }
        out.push_str(&matcher.finish());
        (out, false)
    }

    #[test]
    fn without_stops_text_passes_through() {
        assert_eq!(run(&[], &["a", "b"]), ("ab".into(), false));
    }

    #[test]
    fn stop_split_across_pieces_is_cut() {
        assert_eq!(
            run(&["\nUser:"], &["Hi", "\nUs", "er:", " more"]),
            ("Hi".into(), true)
        );
    }

    #[test]
    fn near_miss_is_released() {
        assert_eq!(run(&["STOP"], &["ST", "ART"]), ("START".into(), false));
        assert_eq!(run(&["STOP"], &["a", "ST"]), ("aST".into(), false));
    }

    #[test]
    fn earliest_of_several_stops_wins() {
        assert_eq!(run(&["c", "b"], &["abc"]), ("a".into(), true));
    }

    #[test]
    fn holds_only_what_could_still_match() {
        let mut matcher = StopMatcher::new(vec!["éx".into()]);
        assert_eq!(matcher.push("caf").text, "caf");
        assert_eq!(matcher.push("é").text, "");
        assert_eq!(matcher.push("!").text, "é!");
    }
}
