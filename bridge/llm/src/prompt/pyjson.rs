//! JSON printed the way Python's `json.dumps` prints it (`", "` and `": "` separators, no
//! ASCII escaping): chat templates were written for Hugging Face's Jinja `tojson`, and a model
//! follows a prompt best when it sees exactly the bytes it was trained on.

use std::fmt::Write as _;

use serde_json::Value;

pub(crate) fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        // serde_json escapes exactly what JSON requires and leaves non-ASCII as is.
        Value::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_python_json_dumps() {
        let cases = [
            (
                json!({"a": 1, "b": [true, null, "x"]}),
                r#"{"a": 1, "b": [true, null, "x"]}"#,
            ),
            (json!([]), "[]"),
            (json!({}), "{}"),
            (json!("line\n\"quoted\" é"), r#""line\n\"quoted\" é""#),
            (json!({"n": 1.5}), r#"{"n": 1.5}"#),
        ];
        for (value, expected) in cases {
            assert_eq!(to_string(&value), expected);
        }
    }
}
