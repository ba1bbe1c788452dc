//! The registry: the enabled skills, their compiled triggers and their tools, behind one API
//! for the voice pipeline.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::clock::ClockSkill;
use crate::config::SkillsConfig;
use crate::emotion::EmotionSkill;
use crate::error::SkillError;
use crate::lang::Lang;
use crate::matcher::{IntentMatcher, MatcherOptions, ToolRelevance};
use crate::skill::{IntentMatch, Skill, SkillContext, SkillReply, parse_arguments};
use crate::timer::TimerSkill;

/// The enabled skills, indexed for matching, tool calls and execution.
pub struct Registry {
    skills: Vec<Arc<dyn Skill>>,
    matcher: IntentMatcher,
    /// Tool name → (skill index, intent name).
    tools: BTreeMap<String, (usize, String)>,
    relevance: ToolRelevance,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .skills
            .iter()
            .map(|skill| skill.manifest().name.as_str())
            .collect();
        f.debug_struct("Registry")
            .field("skills", &names)
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// The names of the built-in skills, in registration order.
    pub const BUILTIN: [&'static str; 3] = ["clock", "timer", "emotion"];

    /// The skills that call web services, built apart (they need configuration and the
    /// `http` feature) and passed to [`Registry::builtin_with`].
    pub const CONNECTED: [&'static str; 3] = ["weather", "calendar", "homeassistant"];

    /// The built-in skills (clock, timer, emotion), less those the configuration or their
    /// manifest disables.
    ///
    /// # Errors
    /// An invalid configuration, including a disabled name that is no built-in skill (a typo
    /// would otherwise silently keep a skill on).
    pub fn builtin(config: &SkillsConfig) -> Result<Registry, SkillError> {
        Self::builtin_with(config, Vec::new())
    }

    /// The built-in skills and `extra` ones (the connected skills: weather, Home Assistant),
    /// less those the configuration or their manifest disables.
    ///
    /// # Errors
    /// As [`Registry::builtin`]; a disabled name may also be a connected skill's.
    pub fn builtin_with(
        config: &SkillsConfig,
        extra: Vec<Arc<dyn Skill>>,
    ) -> Result<Registry, SkillError> {
        if let Some(unknown) = config.disabled.iter().find(|name| {
            !Self::BUILTIN.contains(&name.as_str()) && !Self::CONNECTED.contains(&name.as_str())
        }) {
            return Err(SkillError::InvalidConfig {
                field: "disabled",
                reason: format!(
                    "`{unknown}` is not a built-in skill; expected one of {}",
                    Self::BUILTIN.join(", ")
                ),
            });
        }
        let mut skills: Vec<Arc<dyn Skill>> = vec![
            Arc::new(ClockSkill::new()?),
            Arc::new(TimerSkill::new()?),
            Arc::new(EmotionSkill::new()?),
        ];
        skills.extend(extra);
        Registry::new(skills, config)
    }

    /// A registry over `skills`, less those disabled by their manifest or by `config`.
    ///
    /// # Errors
    /// An invalid configuration or manifest, two skills with one name, or two intents exposed
    /// under one tool name.
    pub fn new(skills: Vec<Arc<dyn Skill>>, config: &SkillsConfig) -> Result<Registry, SkillError> {
        config.validate()?;
        let skills: Vec<Arc<dyn Skill>> = skills
            .into_iter()
            .filter(|skill| {
                skill.manifest().enabled && !config.disabled.contains(&skill.manifest().name)
            })
            .collect();
        let mut tools: BTreeMap<String, (usize, String)> = BTreeMap::new();
        for (index, skill) in skills.iter().enumerate() {
            let manifest = skill.manifest();
            manifest.validate()?;
            if skills[..index]
                .iter()
                .any(|other| other.manifest().name == manifest.name)
            {
                return Err(SkillError::DuplicateSkill(manifest.name.clone()));
            }
            for intent in &manifest.intents {
                let tool = intent.tool_name();
                if let Some((first, _)) = tools.get(&tool) {
                    return Err(SkillError::DuplicateTool {
                        tool,
                        first: skills[*first].manifest().name.clone(),
                        second: manifest.name.clone(),
                    });
                }
                tools.insert(tool, (index, intent.name.clone()));
            }
        }
        let options = MatcherOptions {
            threshold: config.fuzzy_threshold,
            other_languages: config.other_languages,
        };
        let matcher = IntentMatcher::new(skills.iter().map(|skill| skill.manifest()), options)?;
        let relevance = ToolRelevance::new(skills.iter().map(|skill| skill.manifest()));
        Ok(Registry {
            skills,
            matcher,
            tools,
            relevance,
        })
    }

    /// The enabled skills.
    pub fn skills(&self) -> impl Iterator<Item = &Arc<dyn Skill>> {
        self.skills.iter()
    }

    /// The enabled skill with this name.
    pub fn skill(&self, name: &str) -> Option<&Arc<dyn Skill>> {
        self.skills
            .iter()
            .find(|skill| skill.manifest().name == name)
    }

    /// Matches an utterance against the local triggers: the hinted language first, then the
    /// others. `None` when nothing matches closely enough; hand the utterance to the LLM then.
    pub fn match_text(&self, text: &str, lang_hint: Option<Lang>) -> Option<IntentMatch> {
        self.matcher.match_text(text, lang_hint)
    }

    /// Every enabled intent as an OpenAI-style function tool.
    pub fn tools(&self) -> Vec<Value> {
        self.skills
            .iter()
            .flat_map(|skill| skill.manifest().tool_schemas())
            .collect()
    }

    /// The tools `text` may need (at most `limit`), plus those of the intents in `also` (what
    /// the conversation was just about, so "and tomorrow?" keeps the weather tool), as
    /// OpenAI-style function tools in registry order. Empty for small talk.
    pub fn tools_for(&self, text: &str, also: &[&str], limit: usize) -> Vec<Value> {
        let mut wanted: Vec<String> = self.relevance.select(text, limit);
        for intent in also {
            if let Some((tool, _)) = self.tools.iter().find(|(_, (_, name))| name == intent)
                && !wanted.contains(tool)
            {
                wanted.push(tool.clone());
            }
        }
        self.skills
            .iter()
            .flat_map(|skill| skill.manifest().intents.iter())
            .filter(|intent| wanted.contains(&intent.tool_name()))
            .map(|intent| intent.tool_schema())
            .collect()
    }

    /// Resolves an LLM tool call. `arguments` is the JSON object of arguments, or the string
    /// holding it as the OpenAI API sends it.
    ///
    /// # Errors
    /// [`SkillError::UnknownTool`], or an argument error (missing, unknown, wrong type, out of
    /// range) worded to be fed back to the model.
    pub fn resolve_tool_call(
        &self,
        tool_name: &str,
        arguments: &Value,
    ) -> Result<IntentMatch, SkillError> {
        let (index, intent_name) = self
            .tools
            .get(tool_name)
            .ok_or_else(|| SkillError::UnknownTool(tool_name.to_owned()))?;
        let manifest = self.skills[*index].manifest();
        let intent = manifest
            .intent(intent_name)
            .ok_or_else(|| SkillError::UnknownIntent {
                skill: manifest.name.clone(),
                intent: intent_name.clone(),
            })?;
        let slots = parse_arguments(tool_name, intent, arguments)?;
        Ok(IntentMatch {
            skill: manifest.name.clone(),
            intent: intent.name.clone(),
            slots,
            lang: None,
            score: 1.0,
        })
    }

    /// Executes a match with the skill that owns it.
    ///
    /// # Errors
    /// [`SkillError::UnknownSkill`] for a skill not enabled here, else the skill's own error.
    pub fn execute(
        &self,
        intent: &IntentMatch,
        ctx: &SkillContext,
    ) -> Result<SkillReply, SkillError> {
        let skill = self
            .skill(&intent.skill)
            .ok_or_else(|| SkillError::UnknownSkill(intent.skill.clone()))?;
        skill.execute(intent, ctx)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::*;
    use crate::skill::{Manifest, SlotValue, tool_name_for};

    fn builtin() -> Registry {
        Registry::builtin(&SkillsConfig::default()).unwrap()
    }

    #[test]
    fn exposes_every_builtin_intent_as_a_valid_tool() {
        let registry = builtin();
        let tools = registry.tools();
        let names: Vec<&str> = tools
            .iter()
            .map(|tool| tool["function"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "clock_time",
                "clock_date",
                "timer_set",
                "timer_cancel",
                "timer_remaining",
                "timer_list",
                "stopwatch_start",
                "stopwatch_stop",
                "show_emotion",
            ]
        );
        for tool in &tools {
            assert_eq!(tool["type"], "function");
            let function = &tool["function"];
            let name = function["name"].as_str().unwrap();
            assert!(!name.is_empty() && name.len() <= 64);
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
                "{name}"
            );
            assert!(
                function["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{name}"
            );
            assert_eq!(function["parameters"]["type"], "object", "{name}");
            assert!(function["parameters"]["properties"].is_object(), "{name}");
            assert!(function["parameters"]["required"].is_array(), "{name}");
        }
        let timer_set = &tools[2]["function"]["parameters"];
        assert_eq!(timer_set["required"], json!(["duration"]));
        assert_eq!(timer_set["properties"]["duration"]["type"], "integer");
    }

    #[test]
    fn tool_names_map_back_to_their_intents() {
        let registry = builtin();
        for skill in registry.skills() {
            for intent in &skill.manifest().intents {
                let tool = intent.tool_name();
                if intent.tool.is_none() {
                    assert_eq!(tool, tool_name_for(&intent.name));
                }
                assert_eq!(
                    skill.manifest().intent_for_tool(&tool).map(|i| &i.name),
                    Some(&intent.name)
                );
                let arguments = if intent.name == "timer.set" {
                    json!({"duration": 60})
                } else if intent.name == "emotion.show" {
                    json!({"emotion": "happy"})
                } else {
                    json!({})
                };
                let resolved = registry.resolve_tool_call(&tool, &arguments).unwrap();
                assert_eq!(resolved.intent, intent.name);
                assert_eq!(resolved.skill, skill.manifest().name);
            }
        }
    }

    #[test]
    fn resolves_tool_calls_into_typed_slots() {
        let registry = builtin();
        let found = registry
            .resolve_tool_call(
                "timer_set",
                &json!("{\"duration\": 300, \"name\": \"pasta\"}"),
            )
            .unwrap();
        assert_eq!(found.intent, "timer.set");
        assert_eq!(found.slots.get("duration"), Some(&SlotValue::Duration(300)));
        assert_eq!(found.text("name"), Some("pasta"));
        assert_eq!(found.lang, None);
        assert_eq!(found.arguments(), json!({"duration": 300, "name": "pasta"}));
    }

    #[test]
    fn tool_call_errors_are_clear_enough_to_feed_back_to_the_llm() {
        let registry = builtin();
        let cases = [
            ("clock_tim", json!({}), "unknown tool `clock_tim`"),
            ("clock.time", json!({}), "unknown tool `clock.time`"),
            (
                "timer_set",
                json!({}),
                "tool `timer_set`: missing required argument `duration`",
            ),
            (
                "timer_set",
                json!({"duration": "soon"}),
                "tool `timer_set`: argument `duration` must be a number of seconds, got a string",
            ),
            (
                "timer_set",
                json!({"duration": -5}),
                "tool `timer_set`: argument `duration` must be between 1 and",
            ),
            (
                "timer_set",
                json!({"duration": 60, "label": "x"}),
                "tool `timer_set`: unknown argument `label`; expected one of: duration, name",
            ),
            (
                "clock_time",
                json!({"zone": "Paris"}),
                "tool `clock_time`: unknown argument `zone`; expected one of: (none)",
            ),
            (
                "timer_cancel",
                json!({"name": 3}),
                "tool `timer_cancel`: argument `name` must be a string, got a number",
            ),
            (
                "show_emotion",
                json!("not json"),
                "tool `show_emotion`: arguments must be a JSON object: invalid JSON",
            ),
            (
                "show_emotion",
                json!(42),
                "tool `show_emotion`: arguments must be a JSON object: got a number",
            ),
        ];
        for (tool, arguments, expected) in cases {
            let error = registry
                .resolve_tool_call(tool, &arguments)
                .unwrap_err()
                .to_string();
            assert!(error.starts_with(expected), "{tool} {arguments}: `{error}`");
        }
    }

    #[test]
    fn disabled_skills_are_neither_matched_nor_offered_nor_executed() {
        let config = SkillsConfig {
            disabled: vec!["clock".into()],
            ..SkillsConfig::default()
        };
        let registry = Registry::builtin(&config).unwrap();
        assert!(registry.skill("clock").is_none());
        assert!(registry.match_text("What time is it?", None).is_none());
        assert!(registry.tools().iter().all(|tool| {
            !tool["function"]["name"]
                .as_str()
                .unwrap()
                .starts_with("clock")
        }));
        assert!(matches!(
            registry.resolve_tool_call("clock_time", &json!({})),
            Err(SkillError::UnknownTool(_))
        ));
        let ctx = SkillContext::new(
            Lang::En,
            chrono_tz::UTC,
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        );
        let found = IntentMatch {
            skill: "clock".into(),
            intent: "clock.time".into(),
            slots: Default::default(),
            lang: None,
            score: 1.0,
        };
        assert!(matches!(
            registry.execute(&found, &ctx),
            Err(SkillError::UnknownSkill(_))
        ));
    }

    #[test]
    fn rejects_bad_configurations_and_clashing_skills() {
        let typo = SkillsConfig {
            disabled: vec!["clocks".into()],
            ..SkillsConfig::default()
        };
        let error = Registry::builtin(&typo).unwrap_err().to_string();
        assert_eq!(
            error,
            "invalid skills configuration: `disabled` `clocks` is not a built-in skill; expected one of clock, timer, emotion"
        );

        let threshold = SkillsConfig {
            fuzzy_threshold: 0.0,
            ..SkillsConfig::default()
        };
        assert!(matches!(
            Registry::builtin(&threshold),
            Err(SkillError::InvalidConfig {
                field: "fuzzy_threshold",
                ..
            })
        ));

        let clock: Arc<dyn Skill> = Arc::new(ClockSkill::new().unwrap());
        let error =
            Registry::new(vec![clock.clone(), clock], &SkillsConfig::default()).unwrap_err();
        assert_eq!(error.to_string(), "skill `clock` is registered twice");

        let impostor: Arc<dyn Skill> = Arc::new(Impostor(
            Manifest::from_toml(
                "name = \"impostor\"\nversion = \"1\"\ndescription = \"x\"\n[[intents]]\nname = \"impostor.x\"\ntool = \"clock_time\"\ndescription = \"x\"\n",
            )
            .unwrap(),
        ));
        let error = Registry::new(
            vec![Arc::new(ClockSkill::new().unwrap()), impostor],
            &SkillsConfig::default(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "tool `clock_time` is exposed by both `clock` and `impostor`"
        );
    }

    #[test]
    fn a_stricter_threshold_refuses_fuzzy_matches_and_other_languages_can_be_turned_off() {
        let strict = Registry::builtin(&SkillsConfig {
            fuzzy_threshold: 1.0,
            ..SkillsConfig::default()
        })
        .unwrap();
        assert!(strict.match_text("What time is it?", None).is_some());
        assert!(
            strict
                .match_text("Hey, what time is it now?", None)
                .is_none()
        );

        let monolingual = Registry::builtin(&SkillsConfig {
            other_languages: false,
            ..SkillsConfig::default()
        })
        .unwrap();
        assert!(
            monolingual
                .match_text("Quelle heure est-il ?", Some(Lang::En))
                .is_none()
        );
        assert!(
            monolingual
                .match_text("Quelle heure est-il ?", Some(Lang::Fr))
                .is_some()
        );
        assert!(
            monolingual
                .match_text("Quelle heure est-il ?", None)
                .is_some()
        );
    }

    #[test]
    fn everyday_requests_for_other_skills_match_nothing_in_any_language() {
        let registry = builtin();
        let texts = [
            "Tell me a joke.",
            "What's the weather like today?",
            "I like turtles.",
            "Turn on the lights in the kitchen.",
            "Play some music.",
            "When is my next meeting?",
            "How long does it take to boil an egg?",
            "How many minutes in an hour?",
            "Stop.",
            "Cancel.",
            "Il fait quel temps ?",
            "Allume la lumière.",
            "Raconte-moi une blague.",
            "Lance la musique.",
            "Arrête.",
            "Wat is het weer?",
            "Zet het licht aan.",
            "Vertel een mop.",
            "Stop de muziek.",
        ];
        for text in texts {
            for hint in [None, Some(Lang::En), Some(Lang::Fr), Some(Lang::Nl)] {
                let found = registry.match_text(text, hint);
                assert!(found.is_none(), "`{text}` matched {found:?}");
            }
        }
    }

    #[test]
    fn nothing_matches_empty_filler_or_overlong_input() {
        let registry = builtin();
        let long = "what time is it ".repeat(20);
        for text in ["", "   ", "?!", "Hey.", "Please, thank you.", long.as_str()] {
            assert!(registry.match_text(text, None).is_none(), "{text}");
        }
    }

    #[test]
    fn every_builtin_manifest_says_enabled_and_enabled_false_is_honoured() {
        let manifests = [
            ("clock", include_str!("clock/skill.toml")),
            ("timer", include_str!("timer/skill.toml")),
            ("emotion", include_str!("emotion/skill.toml")),
            ("weather", include_str!("weather/skill.toml")),
            ("calendar", include_str!("calendar/skill.toml")),
            ("homeassistant", include_str!("homeassistant/skill.toml")),
            ("template", include_str!("_template/skill.toml")),
        ];
        for (name, text) in manifests {
            // Written out, not left to the serde default: the manifest is where a reader
            // looks to switch a skill off.
            let table: toml::Table = toml::from_str(text).unwrap();
            assert_eq!(
                table.get("enabled"),
                Some(&toml::Value::Boolean(true)),
                "{name}"
            );
            assert!(Manifest::from_toml(text).unwrap().enabled, "{name}");
        }

        // The clock's own manifest switched off: not matched, not offered, not executed;
        // the others are unaffected.
        let off = include_str!("clock/skill.toml").replacen("enabled = true", "enabled = false", 1);
        let clock = Manifest::from_toml(&off).unwrap();
        assert!(!clock.enabled);
        let registry = Registry::new(
            vec![
                Arc::new(Impostor(clock)),
                Arc::new(TimerSkill::new().unwrap()),
            ],
            &SkillsConfig::default(),
        )
        .unwrap();
        assert!(registry.skill("clock").is_none());
        assert!(registry.match_text("What time is it?", None).is_none());
        assert!(registry.match_text("Quelle heure est-il ?", None).is_none());
        assert!(matches!(
            registry.resolve_tool_call("clock_time", &json!({})),
            Err(SkillError::UnknownTool(_))
        ));
        assert_eq!(
            registry
                .match_text("Set a timer for five minutes.", Some(Lang::En))
                .map(|found| found.intent),
            Some("timer.set".to_owned())
        );
    }

    /// A skill with an arbitrary manifest, for registry tests.
    struct Impostor(Manifest);

    impl Skill for Impostor {
        fn manifest(&self) -> &Manifest {
            &self.0
        }

        fn execute(
            &self,
            _intent: &IntentMatch,
            _ctx: &SkillContext,
        ) -> Result<SkillReply, SkillError> {
            Ok(SkillReply::speech("hi"))
        }
    }
}
