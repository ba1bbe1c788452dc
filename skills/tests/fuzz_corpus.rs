//! Replays the `tool_args` fuzz target's corpus (`topics/fuzz/corpus/tool_args/`) through
//! the registry exactly as the target does: `tool name \n arguments`, the arguments tried as
//! the JSON they parse to and as the string OpenAI sends, resolved against the built-in
//! skills plus a probe skill with a parameter of every type, then executed. `valid-` seeds
//! resolve to the slots named below, `bad-` seeds are refused with an error worded for the
//! model, and anything else (inputs the fuzzer kept or crashed on) only has to be handled
//! without a panic.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::TimeZone;
use hive_skills::{
    IntentMatch, Lang, Manifest, Registry, Skill, SkillContext, SkillError, SkillReply,
    SkillsConfig, SlotValue,
};
use serde_json::Value;

/// The fuzz target's probe skill: one intent with a parameter of every type.
const PROBE: &str = r#"
name = "probe"
version = "1"
description = "Every parameter type."
[[intents]]
name = "probe.run"
description = "Runs."
[[intents.parameters]]
name = "delay"
type = "duration"
required = true
description = "How long."
[[intents.parameters]]
name = "count"
type = "integer"
minimum = 1.0
maximum = 10.0
description = "How many."
[[intents.parameters]]
name = "level"
type = "number"
minimum = 0.0
maximum = 1.0
description = "How much."
[[intents.parameters]]
name = "mood"
type = "enum"
values = ["happy", "sad"]
description = "Mood."
[intents.parameters.synonyms]
happy = ["heureux", "glad"]
[[intents.parameters]]
name = "loud"
type = "boolean"
description = "Loud."
[[intents.parameters]]
name = "label"
type = "string"
description = "Label."
"#;

struct Probe(Manifest);

impl Skill for Probe {
    fn manifest(&self) -> &Manifest {
        &self.0
    }

    fn execute(&self, _: &IntentMatch, _: &SkillContext) -> Result<SkillReply, SkillError> {
        Ok(SkillReply::speech("Done."))
    }
}

fn registry() -> Registry {
    let probe = Manifest::from_toml(PROBE).unwrap();
    Registry::builtin_with(&SkillsConfig::default(), vec![Arc::new(Probe(probe))]).unwrap()
}

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../topics/fuzz/corpus/tool_args");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| {
            let path = entry.expect("corpus entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("corpus file"))
        })
        .collect();
    files.sort();
    files
}

/// The target's replay: the outcome for the arguments as JSON (when they parse) and as the
/// string OpenAI sends, after the target's checks on each resolved call.
fn replay(registry: &Registry, data: &[u8]) -> Vec<Result<IntentMatch, SkillError>> {
    let (tool, arguments) = match data.iter().position(|&byte| byte == b'\n') {
        Some(split) => (&data[..split], &data[split + 1..]),
        None => (data, &[][..]),
    };
    let (Ok(tool), Ok(arguments)) = (std::str::from_utf8(tool), std::str::from_utf8(arguments))
    else {
        return Vec::new();
    };
    let ctx = SkillContext::new(
        Lang::En,
        chrono_tz::Europe::Paris,
        chrono::Utc.with_ymd_and_hms(2026, 12, 2, 17, 0, 0).unwrap(),
    );
    let as_value = serde_json::from_str::<Value>(arguments).ok();
    let mut outcomes = Vec::new();
    for arguments in as_value
        .into_iter()
        .chain([Value::String(arguments.to_owned())])
    {
        let outcome = registry.resolve_tool_call(tool, &arguments);
        if let Ok(resolved) = &outcome {
            let intent = registry
                .skill(&resolved.skill)
                .and_then(|skill| skill.manifest().intent(&resolved.intent).cloned())
                .expect("a resolved call names an enabled intent");
            for name in resolved.slots.keys() {
                assert!(intent.parameters.iter().any(|p| &p.name == name), "{name}");
            }
            for parameter in intent.parameters.iter().filter(|p| p.required) {
                assert!(resolved.slots.contains_key(&parameter.name));
            }
            let _ = registry.execute(resolved, &ctx);
        }
        outcomes.push(outcome);
    }
    outcomes
}

/// What each valid seed resolves to: (intent, slots).
fn expected(name: &str) -> (&'static str, BTreeMap<String, SlotValue>) {
    let text = |value: &str| SlotValue::Text(value.to_owned());
    let (intent, slots): (&str, Vec<(&str, SlotValue)>) = match name {
        "valid-timer-set-object" => (
            "timer.set",
            vec![
                ("duration", SlotValue::Duration(300)),
                ("name", text("pasta")),
            ],
        ),
        "valid-timer-set-spoken-duration" => {
            ("timer.set", vec![("duration", SlotValue::Duration(300))])
        }
        "valid-timer-set-openai-string" => {
            ("timer.set", vec![("duration", SlotValue::Duration(90))])
        }
        "valid-show-emotion-any-case" => (
            "emotion.show",
            vec![
                ("emotion", SlotValue::Enum("happy".into())),
                ("intensity", SlotValue::Number(0.5)),
            ],
        ),
        "valid-clock-time-empty" | "valid-clock-time-null" => ("clock.time", vec![]),
        "valid-timer-list-empty-object" => ("timer.list", vec![]),
        "valid-probe-every-type" => (
            "probe.run",
            vec![
                ("delay", SlotValue::Duration(12)),
                ("count", SlotValue::Integer(3)),
                ("level", SlotValue::Number(1.0)),
                ("mood", SlotValue::Enum("happy".into())),
                ("loud", SlotValue::Boolean(true)),
                ("label", text("hi")),
            ],
        ),
        "valid-probe-numbers-as-strings" => (
            "probe.run",
            vec![
                ("delay", SlotValue::Duration(2)),
                ("count", SlotValue::Integer(10)),
                ("level", SlotValue::Number(0.25)),
            ],
        ),
        other => panic!("no expectation for {other}"),
    };
    let slots = slots.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    (intent, slots)
}

#[test]
fn every_tool_args_seed_resolves_as_its_name_says() {
    let registry = registry();
    let files = corpus();
    assert!(files.len() >= 20, "only {} tool_args seeds", files.len());
    for (name, data) in &files {
        let outcomes = replay(&registry, data);
        if name.starts_with("valid-") {
            // The first outcome is the arguments as the model wrote them.
            let resolved = outcomes
                .first()
                .unwrap_or_else(|| panic!("{name}: not UTF-8"))
                .as_ref()
                .unwrap_or_else(|error| panic!("{name}: {error}"));
            let (intent, slots) = expected(name);
            assert_eq!(
                (resolved.intent.as_str(), &resolved.slots),
                (intent, &slots),
                "{name}"
            );
        } else if name.starts_with("bad-") {
            for outcome in outcomes {
                // The error is what the model is told: it names the tool.
                let error = outcome.expect_err(name).to_string();
                let tool = std::str::from_utf8(data)
                    .unwrap()
                    .split('\n')
                    .next()
                    .unwrap();
                assert!(error.contains(tool), "{name}: {error}");
            }
        }
    }
}
