//! Server-sent events as OpenAI streams them: `data: <json>\n\n` per chunk, then
//! `data: [DONE]\n\n`.

use axum::body::Bytes;
use serde::Serialize;

/// One `data:` event. JSON from serde never contains a raw newline (it escapes them inside
/// strings), so one `data:` line always carries the whole object.
pub(crate) fn event(value: &impl Serialize) -> Bytes {
    let json = serde_json::to_string(value).unwrap_or_else(|error| {
        // Serializing our own response types cannot fail; if it ever did, say so in-band.
        serde_json::json!({"error": {"message": error.to_string(), "type": "server_error", "code": "internal_error"}})
            .to_string()
    });
    let mut out = String::with_capacity(json.len() + 8);
    out.push_str("data: ");
    out.push_str(&json);
    out.push_str("\n\n");
    Bytes::from(out)
}

/// The end-of-stream marker.
pub(crate) fn done() -> Bytes {
    Bytes::from_static(b"data: [DONE]\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_is_one_data_line_even_with_newlines_in_text() {
        let bytes = event(&serde_json::json!({"delta": {"content": "line one\nline two\r\n"}}));
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.starts_with("data: {"));
        assert!(text.ends_with("}\n\n"));
        assert_eq!(text.matches('\n').count(), 2, "{text:?}");
        let json: serde_json::Value =
            serde_json::from_str(text.trim_start_matches("data: ").trim_end()).unwrap();
        assert_eq!(json["delta"]["content"], "line one\nline two\r\n");
    }

    #[test]
    fn done_marker() {
        assert_eq!(&done()[..], b"data: [DONE]\n\n");
    }
}
