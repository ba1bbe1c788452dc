//! `${VAR}` and `${VAR:-default}` in configuration files (the bridge's and the satellite's),
//! resolved from an injected environment so that tests never touch the process's own.

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

/// Replaces every `${NAME}` / `${NAME:-default}` in `text`, except on comment lines; `$$`
/// stands for a literal `$`.
/// An empty variable counts as unset for `:-`, as in the shell.
///
/// Values are inserted as they are: the caller escapes nothing, so a value containing a `"`
/// inside a TOML string breaks the TOML and is reported by the parser with its line.
///
/// # Errors
/// An unset variable without default, or a malformed reference.
pub fn interpolate(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, InterpolateError> {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split_inclusive('\n').enumerate() {
        // Whole-line comments stay as written: they document `${…}` examples.
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
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}').ok_or_else(|| InterpolateError::Malformed {
                line,
                detail: "no closing }".into(),
            })?;
            let reference = &body[..end];
            let (name, default) = match reference.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (reference, None),
            };
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
                && !name.as_bytes()[0].is_ascii_digit();
            if !valid {
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
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(())
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
            ("no references", "no references"),
            (
                "# a comment with ${UNSET}\nx = 1",
                "# a comment with ${UNSET}\nx = 1",
            ),
            ("ünïcödé ${HOST}", "ünïcödé broker.lan"),
        ];
        for (input, expected) in cases {
            assert_eq!(interpolate(input, &env).unwrap(), expected, "{input}");
        }
    }

    #[test]
    fn errors_name_the_line_and_variable() {
        let error = interpolate("a = 1\nb = \"${NOPE}\"", &env).unwrap_err();
        assert_eq!(
            error,
            InterpolateError::Unset {
                name: "NOPE".into(),
                line: 2
            }
        );
        assert!(error.to_string().contains("${NOPE:-default}"));
        assert!(matches!(
            interpolate("x = \"${HOST\"", &env),
            Err(InterpolateError::Malformed { line: 1, .. })
        ));
        assert!(matches!(
            interpolate("${1X}", &env),
            Err(InterpolateError::Malformed { .. })
        ));
        assert!(matches!(
            interpolate("${}", &env),
            Err(InterpolateError::Malformed { .. })
        ));
        assert!(matches!(
            interpolate("${A-B}", &env),
            Err(InterpolateError::Malformed { .. })
        ));
    }
}
