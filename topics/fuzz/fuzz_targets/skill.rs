//! External skills: the manifest, request and response payloads as `Topics::parse` reads
//! them, then a manifest the protocol accepts as the bridge reads it into a skill
//! (`hive_skills::Manifest` and its validation), exactly as `ExternalSkill::from_manifest`.
//!
//! Input: one selector byte (manifest, request, response) then the payload.
#![no_main]

use hive_topics::{Inbound, Topics};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, payload)) = data.split_first() else {
        return;
    };
    let topic = match selector % 3 {
        0 => "hive/skill/dice/manifest",
        1 => "hive/skill/dice/request",
        _ => "hive/skill/dice/response",
    };
    let topics = Topics::default();
    if let Ok(Inbound::SkillManifest { manifest, .. }) = topics.parse(topic, payload)
        && let Ok(manifest) =
            serde_json::from_value::<hive_skills::Manifest>(serde_json::Value::Object(manifest.0))
    {
        let _ = manifest.validate();
    }
});
