//! Running a configured command with `{placeholders}` filled in: the eyes' LED hook, the
//! emotion hook and the action hook. No shell: the program and its arguments are given as a
//! list, and values only ever replace whole placeholders inside arguments.

use std::time::Duration;

/// `command` with every `{name}` replaced by its value from `values`.
pub(crate) fn fill(command: &[String], values: &[(&str, String)]) -> Vec<String> {
    command
        .iter()
        .map(|argument| {
            values.iter().fold(argument.clone(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
        })
        .collect()
}

/// Runs `command` and waits at most `timeout`; killed after that.
///
/// # Errors
/// A short code-like reason: `spawn_failed`, `timeout`, `exit_status_N`.
pub(crate) async fn run(command: &[String], timeout: Duration) -> Result<(), String> {
    let Some((program, args)) = command.split_first() else {
        return Err("no_command".into());
    };
    let child = tokio::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .status();
    match tokio::time::timeout(timeout, child).await {
        Err(_) => Err("timeout".into()),
        Ok(Err(error)) => {
            tracing::warn!(program, error = %error, "Hook command failed to start.");
            Err("spawn_failed".into())
        }
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(format!("exit_status_{}", status.code().unwrap_or(-1))),
    }
}

/// Starts `command` in the background (bounded by `timeout`), logging a failure.
pub(crate) fn spawn(command: Vec<String>, timeout: Duration) {
    if command.is_empty() {
        return;
    }
    tokio::spawn(async move {
        if let Err(reason) = run(&command, timeout).await {
            tracing::warn!(command = ?command, reason, "Hook command failed.");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_inside_arguments() {
        let command: Vec<String> = ["leds", "--rgb={r},{g},{b}", "{colour}", "{unknown}"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let values = [
            ("r", "255".to_string()),
            ("g", "200".to_string()),
            ("b", "0".to_string()),
            ("colour", "yellow; rm -rf /".to_string()),
        ];
        assert_eq!(
            fill(&command, &values),
            ["leds", "--rgb=255,200,0", "yellow; rm -rf /", "{unknown}"]
        );
    }

    #[tokio::test]
    async fn results_say_what_happened() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let second = Duration::from_secs(5);
        assert_eq!(run(&words(&["true"]), second).await, Ok(()));
        assert_eq!(
            run(&words(&["false"]), second).await,
            Err("exit_status_1".into())
        );
        assert_eq!(
            run(&words(&["/nonexistent"]), second).await,
            Err("spawn_failed".into())
        );
        assert_eq!(
            run(&words(&["sleep", "5"]), Duration::from_millis(50)).await,
            Err("timeout".into())
        );
        assert_eq!(run(&[], second).await, Err("no_command".into()));
    }
}
