//! Server-sent events as chat-completions servers stream them: `data: {json}` lines, blank
//! line separated, ending with `data: [DONE]`.

/// Splits a byte stream into SSE `data` payloads, whatever the chunk boundaries.
#[derive(Debug, Default)]
pub(crate) struct SseDecoder {
    buffer: Vec<u8>,
}

/// One decoded item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SseItem {
    Data(String),
    Done,
}

/// The longest line accepted; a server that never sends a newline must not grow memory.
const MAX_LINE: usize = 1 << 20;

impl SseDecoder {
    /// Feeds bytes; returns the complete items they finish.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Result<Vec<SseItem>, String> {
        self.buffer.extend_from_slice(bytes);
        let mut items = Vec::new();
        while let Some(end) = self.buffer.iter().position(|&byte| byte == b'\n') {
            let line: Vec<u8> = self.buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(data) = line.strip_prefix("data:") {
                let data = data.trim_start();
                if data == "[DONE]" {
                    items.push(SseItem::Done);
                } else if !data.is_empty() {
                    items.push(SseItem::Data(data.to_string()));
                }
            }
        }
        if self.buffer.len() > MAX_LINE {
            return Err(format!("an event line exceeds {MAX_LINE} bytes"));
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_anywhere_are_reassembled() {
        let stream = b"data: {\"a\":1}\r\n\r\n: comment\ndata: {\"b\":2}\n\ndata: [DONE]\n\n";
        for split in 0..stream.len() {
            let mut decoder = SseDecoder::default();
            let mut items = decoder.push(&stream[..split]).unwrap();
            items.extend(decoder.push(&stream[split..]).unwrap());
            assert_eq!(
                items,
                [
                    SseItem::Data("{\"a\":1}".into()),
                    SseItem::Data("{\"b\":2}".into()),
                    SseItem::Done
                ],
                "split at {split}"
            );
        }
    }

    /// Replays the `sse` fuzz target's corpus (topics/fuzz/corpus/sse: a chunk length byte,
    /// then the stream) with the target's check: any chunking decodes as one whole push.
    #[test]
    fn the_fuzz_corpus_decodes_the_same_however_it_is_chunked() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../topics/fuzz/corpus/sse");
        let mut replayed = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let Some((&cut, stream)) = data.split_first() else {
                continue;
            };
            let expected = SseDecoder::default().push(stream);
            let mut decoder = SseDecoder::default();
            let chunked: Result<Vec<SseItem>, String> = stream
                .chunks(usize::from(cut).max(1))
                .try_fold(Vec::new(), |mut items, chunk| {
                    items.extend(decoder.push(chunk)?);
                    Ok(items)
                });
            if let (Ok(expected), Ok(chunked)) = (expected, chunked) {
                assert_eq!(chunked, expected, "{}", path.display());
            }
            replayed += 1;
        }
        assert!(replayed >= 5, "only {replayed} files in {}", dir.display());
    }

    #[test]
    fn an_endless_line_is_refused() {
        let mut decoder = SseDecoder::default();
        assert!(decoder.push(&vec![b'x'; MAX_LINE + 1]).is_err());
    }
}
