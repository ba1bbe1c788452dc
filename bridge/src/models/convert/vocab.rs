//! Reading a tiktoken vocabulary (openai-whisper's `gpt2.tiktoken`, `multilingual.tiktoken`).
//!
//! Each non-empty line is `base64(token bytes) rank`. whisper.cpp numbers the tokens of its
//! vocabulary by position, so the ranks must run 0, 1, 2, … in file order. The special tokens
//! (`<|endoftext|>`, languages, timestamps) are not in these files: whisper.cpp adds them itself
//! from `n_vocab`.

/// What is wrong with a tiktoken file.
#[derive(Debug, thiserror::Error)]
pub enum VocabError {
    /// A line is not `base64 rank`.
    #[error("line {line} is not `<base64 token> <rank>`")]
    BadLine {
        /// 1-based line number.
        line: usize,
    },
    /// A token is not valid base64.
    #[error("line {line}: the token is not valid base64")]
    BadBase64 {
        /// 1-based line number.
        line: usize,
    },
    /// The ranks do not count up from zero.
    #[error("line {line} has rank {rank}, expected {expected}")]
    OutOfOrder {
        /// 1-based line number.
        line: usize,
        /// The rank found.
        rank: u64,
        /// The rank expected: the number of tokens before it.
        expected: usize,
    },
}

/// Parses a tiktoken file into its tokens' bytes, in rank order.
pub(crate) fn parse_tiktoken(text: &[u8]) -> Result<Vec<Vec<u8>>, VocabError> {
    let mut tokens = Vec::new();
    for (index, line) in text.split(|&b| b == b'\n').enumerate() {
        let line_no = index + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let mut fields = line
            .split(u8::is_ascii_whitespace)
            .filter(|f| !f.is_empty());
        let (Some(token), Some(rank), None) = (fields.next(), fields.next(), fields.next()) else {
            return Err(VocabError::BadLine { line: line_no });
        };
        let rank: u64 = std::str::from_utf8(rank)
            .ok()
            .and_then(|r| r.parse().ok())
            .ok_or(VocabError::BadLine { line: line_no })?;
        if rank != tokens.len() as u64 {
            return Err(VocabError::OutOfOrder {
                line: line_no,
                rank,
                expected: tokens.len(),
            });
        }
        tokens.push(decode_base64(token).ok_or(VocabError::BadBase64 { line: line_no })?);
    }
    Ok(tokens)
}

/// Decodes standard base64. Padding is optional and a lone `=` decodes to nothing, as Python's
/// lenient `base64.b64decode` does: `multilingual.tiktoken` stores its empty token (rank 50256)
/// as `=`.
fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    let digits = match text.iter().position(|&c| c == b'=') {
        Some(pad) if text[pad..].iter().all(|&c| c == b'=') => &text[..pad],
        Some(_) => return None,
        None => text,
    };
    if digits.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in digits {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tokens_in_rank_order() {
        let text = b"IQ== 0\nIGluZm9ybWFudHM= 1\n5Zy6 2\n= 3\n\n";
        let tokens = parse_tiktoken(text).unwrap();
        assert_eq!(
            tokens,
            vec![
                b"!".to_vec(),
                b" informants".to_vec(),
                "场".as_bytes().to_vec(),
                vec![]
            ]
        );
    }

    #[test]
    fn decodes_base64_with_and_without_padding() {
        assert_eq!(decode_base64(b"aGk=").unwrap(), b"hi");
        assert_eq!(decode_base64(b"aGk").unwrap(), b"hi");
        assert_eq!(decode_base64(b"aGVsbG8gd29ybGQ=").unwrap(), b"hello world");
        assert_eq!(decode_base64(b"").unwrap(), b"");
        assert!(decode_base64(b"a").is_none());
        assert!(decode_base64(b"a=b=").is_none());
        assert!(decode_base64(b"a*b=").is_none());
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert!(matches!(
            parse_tiktoken(b"IQ==\n"),
            Err(VocabError::BadLine { line: 1 })
        ));
        assert!(matches!(
            parse_tiktoken(b"IQ== x\n"),
            Err(VocabError::BadLine { line: 1 })
        ));
        assert!(matches!(
            parse_tiktoken(b"IQ== 0 7\n"),
            Err(VocabError::BadLine { line: 1 })
        ));
        assert!(matches!(
            parse_tiktoken(b"IQ== 0\nIg== 5\n"),
            Err(VocabError::OutOfOrder {
                line: 2,
                rank: 5,
                ..
            })
        ));
        assert!(matches!(
            parse_tiktoken(b"I*== 0\n"),
            Err(VocabError::BadBase64 { line: 1 })
        ));
        assert!(matches!(
            parse_tiktoken(b"IQ== 99999999999999999999999\n"),
            Err(VocabError::BadLine { .. })
        ));
    }
}
