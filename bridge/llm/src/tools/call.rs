//! One tool call: the JSON between `<tool_call>` and `</tool_call>`.

use serde_json::Value;

/// A function the model asked to call, in OpenAI's shape: `arguments` is a JSON string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FunctionCall {
    pub(crate) name: String,
    pub(crate) arguments: String,
}

/// Reads the body of a `<tool_call>` block. `None` when it is not a JSON object with a
/// non-empty string `name`: the caller then passes the text on as content, because a small
/// model's broken JSON is still something the user may want to see, and never a reason to fail.
pub(crate) fn parse_call(body: &str) -> Option<FunctionCall> {
    let Value::Object(mut object) = serde_json::from_str::<Value>(body.trim()).ok()? else {
        return None;
    };
    let name = match object.remove("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.trim().to_string(),
        _ => return None,
    };
    // Some fine-tunes say "parameters" where Hermes says "arguments".
    let arguments = object
        .remove("arguments")
        .or_else(|| object.remove("parameters"));
    let arguments = match arguments {
        None | Some(Value::Null) => "{}".to_string(),
        // Already a JSON string (the OpenAI wire form): keep it as it is.
        Some(Value::String(text)) => text,
        Some(other) => other.to_string(),
    };
    Some(FunctionCall { name, arguments })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, arguments: &str) -> Option<FunctionCall> {
        Some(FunctionCall {
            name: name.into(),
            arguments: arguments.into(),
        })
    }

    #[test]
    fn reads_name_and_arguments() {
        let cases = [
            (
                r#"{"name": "show_emotion", "arguments": {"emotion": "happy"}}"#,
                call("show_emotion", r#"{"emotion":"happy"}"#),
            ),
            ("\n{\"name\":\"f\",\"arguments\":{}}\n", call("f", "{}")),
            (r#"{"name": "f"}"#, call("f", "{}")),
            (
                r#"{"name": "f", "parameters": {"a": 1}}"#,
                call("f", r#"{"a":1}"#),
            ),
            (
                r#"{"name": "f", "arguments": "{\"a\":1}"}"#,
                call("f", r#"{"a":1}"#),
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(parse_call(body), expected, "{body}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_call() {
        for body in [
            "",
            "not json",
            r#"{"name": "f", "arguments": {"a": }"#,
            r#"["f"]"#,
            r#"{"arguments": {}}"#,
            r#"{"name": "", "arguments": {}}"#,
            r#"{"name": 3}"#,
        ] {
            assert_eq!(parse_call(body), None, "{body}");
        }
    }
}
