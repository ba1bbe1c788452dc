//! Reassembles UTF-8 from token pieces: a token may end in the middle of a character (emoji,
//! accented letters in byte-level vocabularies), so incomplete bytes wait for the next token.

/// See the module docs.
#[derive(Debug, Default)]
pub(crate) struct Utf8Decoder {
    pending: Vec<u8>,
}

impl Utf8Decoder {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds bytes; returns the complete characters. Invalid bytes become U+FFFD.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let mut out = String::new();
        loop {
            match std::str::from_utf8(&self.pending) {
                Ok(text) => {
                    out.push_str(text);
                    self.pending.clear();
                    return out;
                }
                Err(error) => {
                    let valid = error.valid_up_to();
                    out.push_str(&String::from_utf8_lossy(&self.pending[..valid]));
                    match error.error_len() {
                        // Incomplete character at the end: wait for more.
                        None => {
                            self.pending.drain(..valid);
                            return out;
                        }
                        Some(bad) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            self.pending.drain(..valid + bad);
                        }
                    }
                }
            }
        }
    }

    /// Whatever is left, lossily.
    pub(crate) fn finish(self) -> String {
        String::from_utf8_lossy(&self.pending).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_character_waits_for_its_last_byte() {
        let bytes = "a😺b".as_bytes();
        let mut decoder = Utf8Decoder::new();
        assert_eq!(decoder.push(&bytes[..3]), "a");
        assert_eq!(decoder.push(&bytes[3..5]), "😺");
        assert_eq!(decoder.push(&bytes[5..]), "b");
        assert_eq!(decoder.finish(), "");
    }

    #[test]
    fn invalid_bytes_are_replaced() {
        let mut decoder = Utf8Decoder::new();
        assert_eq!(decoder.push(b"a\xffb"), "a\u{fffd}b");
        assert_eq!(decoder.push(b"\xe2\x82"), "");
        assert_eq!(decoder.finish(), "\u{fffd}");
    }
}
