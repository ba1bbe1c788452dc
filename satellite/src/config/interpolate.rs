//! `${VAR}` and `${VAR:-default}` in the configuration file, resolved from an injected
//! environment so that tests never touch the process's own.

/// Why a file could not be interpolated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterpolateError {
    /// `${VAR}` without a default, and `VAR` is unset.
    #[error(
        "line {line}: environment variable {name} is not set (write ${{{name}:-default}} for a default)"
    )]
    Unset {
        /// The variable.
        name: String,
        /// 1-based line.
        line: usize,
    },
    /// A `${` without its `}`, or a bad variable name.
    #[error("line {line}: malformed ${{…}}: {detail}")]
    Malformed {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        detail: String,
    },
}

/// Replaces every `${NAME}` and `${NAME:-default}` in `text`; `$$` is a literal `$`.
///
/// Whole-line comments are left alone (they document `${…}` examples). An empty variable
/// counts as unset for `:-`, as in the shell. Values are inserted verbatim.
///
/// # Errors
/// An unset variable without a default, or a malformed reference.
pub fn interpolate(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, InterpolateError> {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if line.trim_start().starts_with('#') {
            out.push_str(line);
        } else {
            interpolate_line(line, index + 1, env, &mut out)?;
        }
    }
    Ok(out)
}

fn interpolate_line(
    text: &str,
    line: usize,
    env: &dyn Fn(&str) -> Option<String>,
    out: &mut String,
) -> Result<(), InterpolateError> {
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        let Some(body) = after.strip_prefix('{') else {
            out.push('$');
            rest = after;
            continue;
        };
        let end = body.find('}').ok_or_else(|| InterpolateError::Malformed {
            line,
            detail: "no closing }".into(),
        })?;
        let reference = &body[..end];
        let (name, default) = match reference.split_once(":-") {
            Some((name, default)) => (name, Some(default)),
            None => (reference, None),
        };
        if !valid_name(name) {
            return Err(InterpolateError::Malformed {
                line,
                detail: format!("bad variable name `{name}`"),
            });
        }
        match (env(name).filter(|value| !value.is_empty()), default) {
            (Some(value), _) => out.push_str(&value),
            (None, Some(default)) => out.push_str(default),
            (None, None) => {
                return Err(InterpolateError::Unset {
                    name: name.into(),
                    line,
                });
            }
        }
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    Ok(())
}

fn valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    match bytes.next() {
        Some(first) if first.is_ascii_alphabetic() || first == b'_' => {
            bytes.all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("broker.lan".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn references_are_replaced() {
        let cases = [
            (
                "url = \"mqtt://${HOST}:1883\"",
                "url = \"mqtt://broker.lan:1883\"",
            ),
            ("a = \"${MISSING:-fallback}\"", "a = \"fallback\""),
            ("a = \"${EMPTY:-fallback}\"", "a = \"fallback\""),
            ("a = \"${MISSING:-}\"", "a = \"\""),
            ("a = \"$$HOME and $ alone\"", "a = \"$HOME and $ alone\""),
            ("a = \"${HOST}/${HOST}\"", "a = \"broker.lan/broker.lan\""),
            (
                "# ${UNSET} in a comment\nx = 1",
                "# ${UNSET} in a comment\nx = 1",
            ),
            ("ünïcödé ${HOST}", "ünïcödé broker.lan"),
        ];
        for (input, expected) in cases {
            assert_eq!(interpolate(input, &env).unwrap(), expected, "{input}");
        }
    }

    #[test]
    fn errors_name_the_line_and_the_variable() {
        let error = interpolate("a = 1\nb = \"${NOPE}\"", &env).unwrap_err();
        assert_eq!(
            error,
            InterpolateError::Unset {
                name: "NOPE".into(),
                line: 2
            }
        );
        assert!(error.to_string().contains("${NOPE:-default}"));
        for bad in ["x = \"${HOST\"", "${1X}", "${}", "${A-B}"] {
            assert!(
                matches!(
                    interpolate(bad, &env),
                    Err(InterpolateError::Malformed { line: 1, .. })
                ),
                "{bad}"
            );
        }
    }
}
