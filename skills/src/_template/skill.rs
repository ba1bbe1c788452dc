//! The template skill's code: construct from the manifest and configuration, then answer each
//! intent. Keep execution pure and synchronous; put phrasing in small functions that tests can
//! call with every language.

use serde_json::json;

use crate::error::SkillError;
use crate::lang::Lang;
use crate::skill::{EnvSource, IntentMatch, Manifest, Skill, SkillContext, SkillReply};

/// The manifest, shipped next to this file and compiled in.
const MANIFEST: &str = include_str!("skill.toml");

/// Says hello.
#[derive(Debug, Clone)]
pub(crate) struct TemplateSkill {
    manifest: Manifest,
    /// `HIVE_TEMPLATE_GREETING`, if set.
    greeting: Option<String>,
}

impl TemplateSkill {
    /// Loads the manifest and reads the skill's `[[config]]` keys from `env`. Take an
    /// [`EnvSource`] rather than reading `std::env`, so tests control the configuration.
    pub(crate) fn from_env(env: &dyn EnvSource) -> Result<TemplateSkill, SkillError> {
        let manifest = Manifest::from_toml(MANIFEST)?;
        let mut config = manifest.config_values(env)?;
        Ok(TemplateSkill {
            greeting: config.remove("greeting"),
            manifest,
        })
    }
}

impl Skill for TemplateSkill {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn execute(&self, intent: &IntentMatch, ctx: &SkillContext) -> Result<SkillReply, SkillError> {
        match intent.intent.as_str() {
            "template.hello" => {
                let name = intent.text("name");
                let speech = hello(self.greeting.as_deref(), name, ctx.lang);
                Ok(SkillReply::speech(speech).with_data(json!({"greeted": name})))
            }
            other => Err(SkillError::UnknownIntent {
                skill: self.manifest.name.clone(),
                intent: other.to_owned(),
            }),
        }
    }
}

/// "Hello, Ada!" / "Bonjour, Ada !" / "Hallo, Ada!" (French puts a space before `!`).
fn hello(greeting: Option<&str>, name: Option<&str>, lang: Lang) -> String {
    let greeting = greeting.unwrap_or(match lang {
        Lang::En => "Hello",
        Lang::Fr => "Bonjour",
        Lang::Nl => "Hallo",
    });
    let bang = if lang == Lang::Fr { " !" } else { "!" };
    match name {
        Some(name) => format!("{greeting}, {name}{bang}"),
        None => format!("{greeting}{bang}"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::config::SkillsConfig;
    use crate::registry::Registry;

    /// A registry holding only the template, as a new skill's tests would build one.
    fn registry(env: &BTreeMap<String, String>) -> Registry {
        let skill = TemplateSkill::from_env(env).unwrap();
        Registry::new(vec![Arc::new(skill)], &SkillsConfig::default()).unwrap()
    }

    fn ctx(lang: Lang) -> SkillContext {
        SkillContext::new(
            lang,
            chrono_tz::UTC,
            Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap(),
        )
    }

    #[test]
    fn phrasings_in_every_language_reach_the_intent_and_get_answered() {
        let registry = registry(&BTreeMap::new());
        let cases = [
            ("Say hello.", Lang::En, "Hello!"),
            ("Say hello to Ada!", Lang::En, "Hello, Ada!"),
            ("Dis bonjour.", Lang::Fr, "Bonjour !"),
            ("Dis bonjour à Zoé.", Lang::Fr, "Bonjour, Zoé !"),
            ("Zeg hallo.", Lang::Nl, "Hallo!"),
            ("Zeg hallo tegen Daan.", Lang::Nl, "Hallo, Daan!"),
        ];
        for (text, lang, speech) in cases {
            let found = registry
                .match_text(text, Some(lang))
                .unwrap_or_else(|| panic!("`{text}` matched nothing"));
            assert_eq!(found.intent, "template.hello", "{text}");
            let reply = registry.execute(&found, &ctx(lang)).unwrap();
            assert_eq!(reply.speech, speech, "{text}");
        }
        assert!(registry.match_text("I like turtles.", None).is_none());
    }

    #[test]
    fn configuration_comes_from_the_injected_environment() {
        let env = BTreeMap::from([("HIVE_TEMPLATE_GREETING".to_owned(), "Howdy".to_owned())]);
        let registry = registry(&env);
        let found = registry
            .resolve_tool_call("template_hello", &json!({"name": "Ada"}))
            .unwrap();
        assert_eq!(
            registry.execute(&found, &ctx(Lang::En)).unwrap().speech,
            "Howdy, Ada!"
        );
    }
}
