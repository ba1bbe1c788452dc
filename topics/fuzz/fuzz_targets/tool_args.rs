//! An LLM tool call's arguments as the bridge resolves them: `Registry::resolve_tool_call`
//! (the JSON object, or the string holding it as OpenAI sends it, checked and typed against
//! the intent's parameters by `skills/src/skill/arguments.rs`), then `Registry::execute`
//! with the typed slots. The registry holds the built-in skills plus a probe skill whose one
//! intent has a parameter of every type, with bounds, an enum and synonyms.
//!
//! Input: `tool name \n arguments`. The arguments are tried as the JSON value they parse to
//! and as the string OpenAI would send. Beyond "never panics": a resolved call has only the
//! intent's parameters, every required one among them.
#![no_main]

use std::sync::{Arc, LazyLock};

use chrono::TimeZone;
use hive_skills::{
    IntentMatch, Lang, Manifest, Registry, Skill, SkillContext, SkillError, SkillReply,
    SkillsConfig,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

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

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let probe = Manifest::from_toml(PROBE).expect("probe manifest");
    Registry::builtin_with(&SkillsConfig::default(), vec![Arc::new(Probe(probe))])
        .expect("built-in registry")
});

fuzz_target!(|data: &[u8]| {
    let (tool, arguments) = match data.iter().position(|&byte| byte == b'\n') {
        Some(split) => (&data[..split], &data[split + 1..]),
        None => (data, &[][..]),
    };
    // Both arrive inside a JSON chunk: strings, so UTF-8.
    let (Ok(tool), Ok(arguments)) = (std::str::from_utf8(tool), std::str::from_utf8(arguments))
    else {
        return;
    };
    let ctx = SkillContext::new(
        Lang::En,
        chrono_tz::Europe::Paris,
        chrono::Utc.with_ymd_and_hms(2026, 12, 2, 17, 0, 0).unwrap(),
    );
    let as_value = serde_json::from_str::<Value>(arguments).ok();
    for arguments in as_value
        .into_iter()
        .chain([Value::String(arguments.to_owned())])
    {
        let Ok(resolved) = REGISTRY.resolve_tool_call(tool, &arguments) else {
            continue;
        };
        let intent = REGISTRY
            .skill(&resolved.skill)
            .and_then(|skill| skill.manifest().intent(&resolved.intent).cloned())
            .expect("a resolved call names an enabled intent");
        for name in resolved.slots.keys() {
            assert!(intent.parameters.iter().any(|p| &p.name == name), "{name}");
        }
        for parameter in intent.parameters.iter().filter(|p| p.required) {
            assert!(
                resolved.slots.contains_key(&parameter.name),
                "{}",
                parameter.name
            );
        }
        let _ = REGISTRY.execute(&resolved, &ctx);
    }
});
