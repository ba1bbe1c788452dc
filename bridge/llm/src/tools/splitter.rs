//! Splits generated text into content and tool calls as it arrives.
//!
//! Models answer a tool call in one of three ways, all accepted:
//! - Hermes markup, `<tool_call>{"name": …, "arguments": …}</tool_call>`, anywhere in the text;
//! - a bare JSON object `{"name": …, "arguments": …}` as the whole answer (what
//!   Qwen2.5-Coder 0.5B does: its GGUF treats `<tool_call>` as a control token it rarely emits);
//! - the same object inside a ```` ```json ```` fence.
//!
//! A bare or fenced object counts as a call only at the start of the answer or right after
//! another call, and only if it names a declared tool; otherwise it is content, so an answer
//! that happens to be JSON stays an answer.
//!
//! Streaming must not leak markup to a listener, yet a tag may arrive split across tokens
//! (`<tool`, `_call`, `>`). So the splitter holds back any tail that could still become the
//! opening tag, everything inside a block until it closes, and a leading `{` or fence until
//! the object is complete. Whitespace next to a tool call is layout, not content, so
//! trailing whitespace is held until more text proves it belongs to the content.

use super::call::{FunctionCall, parse_call};

const OPEN: &str = "<tool_call>";
const CLOSE: &str = "</tool_call>";
const FENCE: &str = "```";
/// A fence's first line is short (```` ```json ````); longer means it is not a call.
const MAX_FENCE_LINE: usize = 16;
/// A bare object that grows beyond this without closing is content, not a call.
const MAX_BARE_JSON: usize = 16 * 1024;

/// A piece of the model's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// Text for the user.
    Content(String),
    /// A complete, well-formed tool call.
    ToolCall(FunctionCall),
}

/// Where the splitter is in the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// At the start of the answer or after a call: a bare or fenced call may follow.
    Start,
    /// In content; only `<tool_call>` markup can start a call.
    Text,
    /// Inside `<tool_call>…`.
    Tagged,
    /// Inside a bare (or fenced) JSON object that may be a call.
    Bare,
}

/// Incremental splitter; see the module docs.
#[derive(Debug)]
pub(crate) struct ToolCallSplitter {
    /// Declared tool names; a bare object must name one.
    tools: Vec<String>,
    mode: Mode,
    /// Text not yet emitted.
    buffer: String,
    /// Text consumed by the current bare-object attempt (leading whitespace, a fence line),
    /// given back as content if the attempt fails.
    attempt: String,
    /// Whether the current bare object sits in a fence.
    fenced: bool,
    /// Whether a closing fence is expected after the last call.
    expect_fence_close: bool,
    /// Whitespace at the end of the content so far, held back.
    held_whitespace: String,
    /// At the start, or right after a call: leading whitespace is layout.
    after_call: bool,
}

impl ToolCallSplitter {
    pub(crate) fn new(tools: Vec<String>) -> Self {
        ToolCallSplitter {
            tools,
            mode: Mode::Start,
            buffer: String::new(),
            attempt: String::new(),
            fenced: false,
            expect_fence_close: false,
            held_whitespace: String::new(),
            after_call: true,
        }
    }

    /// Feeds the next piece of generated text; returns what can be emitted now.
    pub(crate) fn push(&mut self, text: &str) -> Vec<Segment> {
        self.buffer.push_str(text);
        let mut out = Vec::new();
        while self.step(&mut out) {}
        out
    }

    /// One transition; `false` when more text is needed.
    fn step(&mut self, out: &mut Vec<Segment>) -> bool {
        match self.mode {
            Mode::Start => self.step_start(),
            Mode::Text => {
                if let Some(start) = self.buffer.find(OPEN) {
                    let before: String = self.buffer.drain(..start).collect();
                    self.buffer.drain(..OPEN.len());
                    self.emit_content(&before, out);
                    self.mode = Mode::Tagged;
                    return true;
                }
                let keep = longest_tag_prefix_suffix(&self.buffer, OPEN);
                let text: String = self.buffer.drain(..self.buffer.len() - keep).collect();
                self.emit_content(&text, out);
                false
            }
            Mode::Tagged => {
                let Some(end) = self.buffer.find(CLOSE) else {
                    return false;
                };
                let body: String = self.buffer.drain(..end).collect();
                self.buffer.drain(..CLOSE.len());
                self.emit_block(&body, true, out);
                true
            }
            Mode::Bare => match json_object_end(&self.buffer) {
                Scan::Complete(end) => {
                    match parse_call(&self.buffer[..end])
                        .filter(|call| self.tools.contains(&call.name))
                    {
                        Some(call) => {
                            self.buffer.drain(..end);
                            self.attempt.clear();
                            self.expect_fence_close = self.fenced;
                            self.emit_call(call, out);
                        }
                        None => self.abandon_attempt(),
                    }
                    true
                }
                Scan::Incomplete if self.buffer.len() <= MAX_BARE_JSON => false,
                Scan::Incomplete | Scan::NotAnObject => {
                    self.abandon_attempt();
                    true
                }
            },
        }
    }

    fn step_start(&mut self) -> bool {
        let lead = self.buffer.len() - self.buffer.trim_start().len();
        let rest = &self.buffer[lead..];
        if rest.is_empty() {
            return false;
        }
        if self.expect_fence_close {
            if rest.starts_with(FENCE) {
                self.buffer.drain(..lead + FENCE.len());
                self.expect_fence_close = false;
                return true;
            }
            if FENCE.starts_with(rest) {
                return false;
            }
            self.expect_fence_close = false;
        }
        if rest.starts_with('{') {
            self.attempt = self.buffer.drain(..lead).collect();
            self.fenced = false;
            self.mode = Mode::Bare;
            return true;
        }
        if rest.starts_with(FENCE) {
            match rest.find('\n') {
                Some(newline) => {
                    let info = rest[FENCE.len()..newline].trim();
                    if info.is_empty() || info.eq_ignore_ascii_case("json") {
                        self.attempt = self.buffer.drain(..lead + newline + 1).collect();
                        self.fenced = true;
                        self.mode = Mode::Bare;
                    } else {
                        self.mode = Mode::Text;
                    }
                    return true;
                }
                None if rest.len() < MAX_FENCE_LINE => return false,
                None => {
                    self.mode = Mode::Text;
                    return true;
                }
            }
        }
        if FENCE.starts_with(rest) {
            return false;
        }
        self.mode = Mode::Text;
        true
    }

    /// Ends the text: releases held text as content, and reads an unterminated
    /// `<tool_call>` block as a call if its JSON is complete (small models sometimes stop
    /// before the closing tag), else as content.
    pub(crate) fn finish(mut self) -> Vec<Segment> {
        let mut out = Vec::new();
        if self.mode == Mode::Bare {
            self.abandon_attempt();
        }
        let rest = std::mem::take(&mut self.buffer);
        if self.mode == Mode::Tagged {
            self.emit_block(&rest, false, &mut out);
        } else {
            self.emit_content(&rest, &mut out);
        }
        // Trailing whitespace of the whole answer carries nothing.
        out
    }

    /// The bare object is not a call: everything it consumed is content.
    fn abandon_attempt(&mut self) {
        let mut text = std::mem::take(&mut self.attempt);
        text.push_str(&self.buffer);
        self.buffer = text;
        self.mode = Mode::Text;
    }

    fn emit_call(&mut self, call: FunctionCall, out: &mut Vec<Segment>) {
        // Whitespace between content and a call is layout.
        self.held_whitespace.clear();
        self.after_call = true;
        self.mode = Mode::Start;
        out.push(Segment::ToolCall(call));
    }

    fn emit_block(&mut self, body: &str, closed: bool, out: &mut Vec<Segment>) {
        match parse_call(body) {
            Some(call) => self.emit_call(call, out),
            None => {
                let close = if closed { CLOSE } else { "" };
                self.mode = Mode::Text;
                self.emit_content(&format!("{OPEN}{body}{close}"), out);
            }
        }
    }

    fn emit_content(&mut self, text: &str, out: &mut Vec<Segment>) {
        let text = if self.after_call {
            text.trim_start()
        } else {
            text
        };
        if text.is_empty() {
            return;
        }
        self.after_call = false;
        let mut combined = std::mem::take(&mut self.held_whitespace);
        combined.push_str(text);
        let body_len = combined.trim_end().len();
        self.held_whitespace = combined.split_off(body_len);
        if !combined.is_empty() {
            push_content(out, combined);
        }
    }
}

/// Appends content, merging with a directly preceding content segment.
fn push_content(out: &mut Vec<Segment>, text: String) {
    if let Some(Segment::Content(last)) = out.last_mut() {
        last.push_str(&text);
    } else {
        out.push(Segment::Content(text));
    }
}

/// The length of the longest suffix of `text` that is a proper prefix of `tag`: the part
/// that might still grow into the tag. `tag` is ASCII, so the split is a char boundary.
fn longest_tag_prefix_suffix(text: &str, tag: &str) -> usize {
    let max = text.len().min(tag.len() - 1);
    (1..=max)
        .rev()
        .find(|&n| text.as_bytes()[text.len() - n..] == tag.as_bytes()[..n])
        .unwrap_or(0)
}

/// Where a JSON object at the start of a text ends.
#[derive(Debug, PartialEq, Eq)]
enum Scan {
    /// The object ends before this byte index.
    Complete(usize),
    Incomplete,
    NotAnObject,
}

/// Finds the end of the JSON object the text starts with (after whitespace) by matching
/// braces outside strings. Validity is left to the JSON parser.
fn json_object_end(text: &str) -> Scan {
    let start = text.len() - text.trim_start().len();
    if start == text.len() {
        return Scan::Incomplete;
    }
    if !text[start..].starts_with('{') {
        return Scan::NotAnObject;
    }
    let mut depth = 0_usize;
    let mut in_string = false;
    let mut escaped = false;
    for (index, byte) in text.bytes().enumerate().skip(start) {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Scan::Complete(index + 1);
                }
            }
            _ => {}
        }
    }
    Scan::Incomplete
}

/// Splits a complete answer. Consecutive content is merged.
pub(crate) fn split_all(text: &str, tools: &[String]) -> Vec<Segment> {
    let mut splitter = ToolCallSplitter::new(tools.to_vec());
    let mut segments = splitter.push(text);
    for segment in splitter.finish() {
        match segment {
            Segment::Content(text) => push_content(&mut segments, text),
            call @ Segment::ToolCall(_) => segments.push(call),
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools() -> Vec<String> {
        vec!["show_emotion".into(), "a".into(), "b".into()]
    }

    fn split(text: &str) -> Vec<Segment> {
        split_all(text, &tools())
    }

    fn content(text: &str) -> Segment {
        Segment::Content(text.into())
    }

    fn call(name: &str, arguments: &str) -> Segment {
        Segment::ToolCall(FunctionCall {
            name: name.into(),
            arguments: arguments.into(),
        })
    }

    /// Feeds the pieces one by one and merges adjacent content, as a client would see it.
    fn stream(pieces: &[&str]) -> Vec<Segment> {
        let mut splitter = ToolCallSplitter::new(tools());
        let mut all = Vec::new();
        for piece in pieces {
            all.extend(splitter.push(piece));
        }
        all.extend(splitter.finish());
        let mut merged = Vec::new();
        for segment in all {
            match segment {
                Segment::Content(text) => push_content(&mut merged, text),
                other => merged.push(other),
            }
        }
        merged
    }

    fn by_chars(text: &str) -> Vec<Segment> {
        let pieces: Vec<String> = text.chars().map(String::from).collect();
        let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
        stream(&pieces)
    }

    #[test]
    fn complete_block_becomes_a_call() {
        let text = "<tool_call>\n{\"name\": \"show_emotion\", \"arguments\": {\"emotion\": \"happy\"}}\n</tool_call>";
        assert_eq!(
            split(text),
            vec![call("show_emotion", r#"{"emotion":"happy"}"#)]
        );
    }

    #[test]
    fn two_blocks_become_two_calls() {
        let text = "<tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call>\n<tool_call>\n{\"name\": \"b\", \"arguments\": {\"x\": 1}}\n</tool_call>";
        assert_eq!(split(text), vec![call("a", "{}"), call("b", r#"{"x":1}"#)]);
    }

    #[test]
    fn text_before_and_after_stays_content() {
        let text =
            "Sure thing.\n<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call>\nDone now.";
        assert_eq!(
            split(text),
            vec![
                content("Sure thing."),
                call("a", "{}"),
                content("Done now.")
            ]
        );
    }

    #[test]
    fn malformed_json_is_returned_as_content() {
        let text = "<tool_call>{\"name\": \"a\", \"arguments\": {</tool_call>";
        assert_eq!(split(text), vec![content(text)]);
        let bare = "{\"name\": \"a\", \"arguments\": {\"x\": }}";
        assert_eq!(split(bare), vec![content(bare)]);
    }

    #[test]
    fn unterminated_block_with_complete_json_is_a_call() {
        let text = "<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": true}}\n";
        assert_eq!(split(text), vec![call("a", r#"{"x":true}"#)]);
    }

    #[test]
    fn unterminated_block_with_broken_json_is_content() {
        let text = "<tool_call>\n{\"name\": \"a\", \"argu";
        assert_eq!(split(text), vec![content(text)]);
    }

    #[test]
    fn bare_json_call_naming_a_declared_tool_is_a_call() {
        let text = "{\"name\": \"show_emotion\", \"arguments\": {\"emotion\": \"happy\"}}";
        assert_eq!(
            split(text),
            vec![call("show_emotion", r#"{"emotion":"happy"}"#)]
        );
        let two = "{\"name\": \"a\", \"arguments\": {}}\n{\"name\": \"b\", \"arguments\": {\"s\": \"}{\"}}";
        assert_eq!(
            split(two),
            vec![call("a", "{}"), call("b", r#"{"s":"}{"}"#)]
        );
    }

    #[test]
    fn fenced_json_call_is_a_call() {
        let text = "```json\n{\"name\": \"a\", \"arguments\": {\"x\": 1}}\n```";
        assert_eq!(split(text), vec![call("a", r#"{"x":1}"#)]);
        assert_eq!(by_chars(text), split(text));
    }

    #[test]
    fn json_that_is_not_a_declared_call_stays_content() {
        for text in [
            "{\"name\": \"Rex\", \"species\": \"dog\"}",
            "{\"name\": \"unknown_tool\", \"arguments\": {}}",
            "```python\nprint(1)\n```",
            "The answer is {\"name\": \"a\", \"arguments\": {}}",
            "`code` here",
        ] {
            assert_eq!(split(text), vec![content(text)], "{text}");
            assert_eq!(by_chars(text), vec![content(text)], "{text}");
        }
    }

    #[test]
    fn plain_text_passes_through() {
        assert_eq!(split("Paris."), vec![content("Paris.")]);
        assert_eq!(
            split("a < b and c <tool d"),
            vec![content("a < b and c <tool d")]
        );
    }

    #[test]
    fn opening_tag_split_across_tokens_is_never_leaked() {
        let pieces = [
            "Okay",
            " ",
            "<",
            "tool",
            "_call",
            ">\n{\"name\": \"a\",",
            " \"arguments\": {}}\n",
            "</tool",
            "_call>",
        ];
        let mut splitter = ToolCallSplitter::new(tools());
        let mut emitted = String::new();
        let mut calls = 0;
        for piece in pieces {
            for segment in splitter.push(piece) {
                match segment {
                    Segment::Content(text) => emitted.push_str(&text),
                    Segment::ToolCall(_) => calls += 1,
                }
            }
            assert!(!emitted.contains('<'), "leaked markup: {emitted:?}");
        }
        assert!(splitter.finish().is_empty());
        assert_eq!(emitted, "Okay");
        assert_eq!(calls, 1);
    }

    #[test]
    fn bare_call_split_across_tokens_is_never_leaked() {
        let pieces = [
            "{\"",
            "name",
            "\":",
            " \"",
            "show",
            "_em",
            "otion",
            "\",",
            " \"arguments\": {\"emotion\": \"",
            "happy",
            "\"}}",
        ];
        let mut splitter = ToolCallSplitter::new(tools());
        for piece in &pieces[..pieces.len() - 1] {
            assert_eq!(splitter.push(piece), vec![], "{piece}");
        }
        assert_eq!(
            splitter.push(pieces[pieces.len() - 1]),
            vec![call("show_emotion", r#"{"emotion":"happy"}"#)]
        );
        assert!(splitter.finish().is_empty());
    }

    #[test]
    fn content_streams_without_waiting_for_the_end() {
        let mut splitter = ToolCallSplitter::new(tools());
        assert_eq!(splitter.push("Cats"), vec![content("Cats")]);
        assert_eq!(splitter.push(" purr."), vec![content(" purr.")]);
        // Trailing whitespace waits for the next word…
        assert_eq!(splitter.push(" "), vec![]);
        // …and goes out with it.
        assert_eq!(splitter.push("They"), vec![content(" They")]);
        // A lone '<' might start a tag, so it waits; a non-tag continuation releases it.
        assert_eq!(splitter.push(" <"), vec![]);
        assert_eq!(splitter.push("3"), vec![content(" <3")]);
    }

    #[test]
    fn pieces_give_the_same_result_as_the_whole() {
        let text = "Hi! <tool_call>{\"name\": \"a\", \"arguments\": {\"é\": \"ü\"}}</tool_call> Bye <tool_call>oops</tool_call>";
        assert_eq!(by_chars(text), split(text));
        assert_eq!(
            split(text),
            vec![
                content("Hi!"),
                call("a", r#"{"é":"ü"}"#),
                content("Bye <tool_call>oops</tool_call>")
            ]
        );
    }

    #[test]
    fn tag_prefix_suffix_lengths() {
        assert_eq!(longest_tag_prefix_suffix("abc", OPEN), 0);
        assert_eq!(longest_tag_prefix_suffix("abc<", OPEN), 1);
        assert_eq!(longest_tag_prefix_suffix("abc<tool_cal", OPEN), 9);
        assert_eq!(longest_tag_prefix_suffix("<tool_call", OPEN), 10);
        assert_eq!(longest_tag_prefix_suffix("é<t", OPEN), 2);
        assert_eq!(longest_tag_prefix_suffix("", OPEN), 0);
    }

    #[test]
    fn json_object_ends() {
        assert_eq!(json_object_end("{}"), Scan::Complete(2));
        assert_eq!(
            json_object_end("  {\"a\": [1, {\"b\": \"}\"}]} tail"),
            Scan::Complete(24)
        );
        assert_eq!(json_object_end(" \n"), Scan::Incomplete);
        assert_eq!(json_object_end("{\"a\": \"\\\"}\"}"), Scan::Complete(12));
        assert_eq!(json_object_end("{\"a\": {"), Scan::Incomplete);
        assert_eq!(json_object_end("[1]"), Scan::NotAnObject);
    }
}
