//! Every command of `hive-bridge` and `hive-llm`, as a user meets it: `--help` shows
//! examples (and, where a command has its own, what its exit codes mean), `--version`
//! prints the version, and the exit codes the top-level help promises are the ones a bad
//! configuration gets.

use std::path::{Path, PathBuf};
use std::process::Command;

use hive_tests::cli::{bridge_binary, cargo, workspace_root};

/// Builds `hive-llm` like [`bridge_binary`] builds the bridge, beside it.
fn llm_binary() -> PathBuf {
    let status = Command::new(cargo())
        .current_dir(workspace_root())
        .args(["build", "--quiet", "-p", "hive-llm", "--bin", "hive-llm"])
        .status()
        .unwrap();
    assert!(status.success(), "cargo build -p hive-llm failed");
    let program = bridge_binary().unwrap().with_file_name("hive-llm");
    assert!(program.is_file(), "{} was not built", program.display());
    program
}

fn help(program: &Path, path: &[&str]) -> String {
    let output = Command::new(program)
        .args(path)
        .arg("--help")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{} {path:?} --help: {output:?}",
        program.display()
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The subcommands a help text lists under `Commands:` (without clap's own `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| line.trim() != "Commands:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Every command path of `program`, the top level first.
fn every_command(program: &Path) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    let mut next = 0;
    while next < out.len() {
        let path = out[next].clone();
        let names: Vec<&str> = path.iter().map(String::as_str).collect();
        for sub in subcommands(&help(program, &names)) {
            let mut child = path.clone();
            child.push(sub);
            out.push(child);
        }
        next += 1;
    }
    out
}

/// The example lines of a help text: the indented lines under `Examples:` (or `Example:`),
/// each of which starts with the program's name or an environment assignment before it.
fn examples<'a>(help: &'a str, program: &str) -> Vec<&'a str> {
    help.lines()
        .skip_while(|line| !matches!(line.trim(), "Examples:" | "Example:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .map(str::trim)
        .filter(|line| {
            line.split_whitespace()
                .find(|word| !word.contains('='))
                .is_some_and(|word| word == program)
        })
        .collect()
}

#[test]
fn every_hive_bridge_command_shows_examples_that_run_that_command() {
    let program = bridge_binary().unwrap();
    let commands = every_command(&program);
    for expected in [
        "run",
        "demo",
        "doctor",
        "models",
        "models list",
        "models path",
    ] {
        assert!(
            commands.iter().any(|path| path.join(" ") == expected),
            "`{expected}` not among {commands:?}"
        );
    }
    for path in &commands {
        let names: Vec<&str> = path.iter().map(String::as_str).collect();
        let text = help(&program, &names);
        let shown = examples(&text, "hive-bridge");
        assert!(
            !shown.is_empty(),
            "hive-bridge {} --help has no examples:\n{text}",
            names.join(" ")
        );
        // An example of `models list` runs `models list`, not another command.
        let invocation = format!("hive-bridge {}", names.join(" "));
        assert!(
            shown.iter().any(|line| line.contains(invocation.trim())),
            "no example of `{invocation}` in {shown:?}"
        );
    }
}

#[test]
fn hive_bridge_help_documents_its_exit_codes_and_a_bad_configuration_gets_them() {
    let program = bridge_binary().unwrap();
    let top = help(&program, &[]);
    assert!(top.contains("Exit codes:"), "{top}");
    for code in ["0 ", "1 ", "2 ", "3 "] {
        assert!(
            top.lines()
                .skip_while(|line| !line.starts_with("Exit codes:"))
                .any(|line| line.trim_start().starts_with(code)),
            "exit code {code}not explained in:\n{top}"
        );
    }
    assert!(
        top.contains("--config") && top.contains("HIVE_CONFIG"),
        "{top}"
    );

    // A bad configuration: `run` and `demo` both exit 2 and name the mistake.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bridge.toml");
    std::fs::write(&config, "[mqtt]\nurll = \"mqtt://x\"\n").unwrap();
    for command in [&["run"][..], &["demo", "--no-install"][..]] {
        let output = Command::new(&program)
            .args(command)
            .arg("--config")
            .arg(&config)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(
            stderr.contains("unknown field `urll`"),
            "{command:?}: {stderr}"
        );
    }
    // An unknown option is a usage error: 2 as well.
    let output = Command::new(&program).arg("--frobnicate").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn hive_llm_help_shows_examples_and_its_exit_codes() {
    let program = llm_binary();
    let text = help(&program, &[]);
    let shown = examples(&text, "hive-llm");
    assert!(
        shown.iter().any(|line| line.contains("--model")),
        "no example with --model in:\n{text}"
    );
    let codes: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.starts_with("Exit codes:"))
        .collect();
    for code in ["0 ", "1 ", "2 ", "3 "] {
        assert!(
            codes.iter().any(|line| line.trim_start().starts_with(code)),
            "exit code {code}not explained in:\n{text}"
        );
    }
    // What it promises for a missing model.
    let output = Command::new(&program)
        .args(["--model", "/nonexistent/model.gguf"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn both_programs_print_their_version() {
    for program in [bridge_binary().unwrap(), llm_binary()] {
        let output = Command::new(&program).arg("--version").output().unwrap();
        assert!(output.status.success());
        let stdout = String::from_utf8(output.stdout).unwrap();
        let name = program.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            stdout.trim(),
            format!("{name} {}", env!("CARGO_PKG_VERSION")),
            "{stdout}"
        );
    }
}
