//! The skills a turn can use right now: the built-in ones plus the external skills registered
//! over MQTT, compiled into one [`Registry`] (one matcher, one tool list) that is rebuilt
//! whenever an external skill comes or goes.
//!
//! Turns take a snapshot (`Arc<Registry>`) and never hold the lock; the router swaps in a new
//! registry between turns. Rebuilding compiles every trigger again, which takes milliseconds,
//! and happens only when a manifest changes.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use hive_skills::{Registry, Skill, SkillsConfig};
use hive_topics::{SkillManifest, SkillName};

use super::external::{ExternalSkill, RegisterError};

struct State {
    external: BTreeMap<SkillName, Arc<ExternalSkill>>,
    registry: Arc<Registry>,
}

/// Built-in and external skills behind one registry.
pub(crate) struct SkillCatalog {
    builtin: Vec<Arc<dyn Skill>>,
    config: SkillsConfig,
    state: RwLock<State>,
}

impl std::fmt::Debug for SkillCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkillCatalog")
            .field("registry", &self.current())
            .finish_non_exhaustive()
    }
}

impl SkillCatalog {
    /// The catalog of `builtin`'s skills, matched with `config` (the one `builtin` was built
    /// with), and no external skill yet.
    ///
    /// # Errors
    /// Only if `builtin` itself was invalid, which building it already ruled out.
    pub(crate) fn new(
        builtin: &Registry,
        config: SkillsConfig,
    ) -> Result<SkillCatalog, hive_skills::SkillError> {
        let builtin: Vec<Arc<dyn Skill>> = builtin.skills().cloned().collect();
        let registry = Arc::new(Registry::new(builtin.clone(), &config)?);
        Ok(SkillCatalog {
            builtin,
            config,
            state: RwLock::new(State {
                external: BTreeMap::new(),
                registry,
            }),
        })
    }

    /// The registry to use for one turn.
    pub(crate) fn current(&self) -> Arc<Registry> {
        self.read().registry.clone()
    }

    /// Whether `skill` is an external skill.
    pub(crate) fn is_external(&self, skill: &str) -> bool {
        self.read().external.contains_key(skill)
    }

    /// Registers (or replaces) an external skill from its published manifest. A manifest with
    /// `enabled = false` unregisters it. Publishing the same manifest again (as the broker
    /// does on every reconnection) changes nothing.
    ///
    /// # Errors
    /// The manifest is invalid, takes a built-in skill's name, or exposes a tool another skill
    /// exposes; the skill's previous registration, if any, stays.
    pub(crate) fn register(
        &self,
        skill: SkillName,
        manifest: SkillManifest,
    ) -> Result<bool, RegisterError> {
        if self
            .builtin
            .iter()
            .any(|builtin| builtin.manifest().name == skill.as_str())
        {
            return Err(RegisterError::Builtin(skill));
        }
        let external = ExternalSkill::from_manifest(&skill, manifest)?;
        if !external.manifest().enabled {
            return Ok(self.unregister(&skill));
        }
        let mut state = self.write();
        if state
            .external
            .get(&skill)
            .is_some_and(|known| **known == external)
        {
            return Ok(false);
        }
        let mut next = state.external.clone();
        next.insert(skill.clone(), Arc::new(external));
        let registry = self
            .build(&next)
            .map_err(|source| RegisterError::Invalid { skill, source })?;
        *state = State {
            external: next,
            registry: Arc::new(registry),
        };
        Ok(true)
    }

    /// Unregisters an external skill; whether it was registered.
    pub(crate) fn unregister(&self, skill: &SkillName) -> bool {
        let mut state = self.write();
        if !state.external.contains_key(skill) {
            return false;
        }
        let mut next = state.external.clone();
        next.remove(skill);
        match self.build(&next) {
            Ok(registry) => {
                *state = State {
                    external: next,
                    registry: Arc::new(registry),
                };
                true
            }
            Err(error) => {
                // Removing a skill cannot create a clash; keep the old registry if it did.
                tracing::error!(%error, skill = %skill, "Cannot rebuild the skills without it.");
                false
            }
        }
    }

    fn build(
        &self,
        external: &BTreeMap<SkillName, Arc<ExternalSkill>>,
    ) -> Result<Registry, hive_skills::SkillError> {
        let skills: Vec<Arc<dyn Skill>> = self
            .builtin
            .iter()
            .cloned()
            .chain(
                external
                    .values()
                    .map(|skill| skill.clone() as Arc<dyn Skill>),
            )
            .collect();
        Registry::new(skills, &self.config)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // Every write replaces the whole state at once, so a poisoned lock holds a
        // consistent state.
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use hive_skills::Lang;
    use serde_json::{Value, json};

    use super::*;

    fn manifest(value: Value) -> SkillManifest {
        let Value::Object(map) = value else {
            panic!("an object")
        };
        SkillManifest(map)
    }

    fn dice() -> SkillManifest {
        manifest(json!({
            "name": "dice",
            "version": "1.0.0",
            "description": "Rolls dice.",
            "intents": [{
                "name": "dice.roll",
                "description": "Roll a die.",
                "triggers": {"en": ["roll a die"], "fr": ["lance un dé"]}
            }]
        }))
    }

    fn catalog() -> SkillCatalog {
        let config = SkillsConfig::default();
        SkillCatalog::new(&Registry::builtin(&config).unwrap(), config).unwrap()
    }

    #[test]
    fn a_registered_skill_is_matched_and_offered_as_a_tool_and_goes_away_when_cleared() {
        let catalog = catalog();
        let name = SkillName::new("dice").unwrap();
        assert!(catalog.current().match_text("roll a die", None).is_none());
        assert!(catalog.register(name.clone(), dice()).unwrap());
        let found = catalog
            .current()
            .match_text("Please roll a die.", Some(Lang::En))
            .unwrap();
        assert_eq!(
            (found.skill.as_str(), found.intent.as_str()),
            ("dice", "dice.roll")
        );
        assert!(catalog.is_external("dice"));
        let tools = catalog.current().tools();
        assert!(
            tools
                .iter()
                .any(|tool| tool["function"]["name"] == "dice_roll")
        );
        // Built-in skills still work alongside.
        assert!(
            catalog
                .current()
                .match_text("what time is it", None)
                .is_some()
        );
        // The same manifest again (a reconnection) changes nothing.
        assert!(!catalog.register(name.clone(), dice()).unwrap());
        assert!(catalog.unregister(&name));
        assert!(catalog.current().match_text("roll a die", None).is_none());
        assert!(!catalog.is_external("dice"));
    }

    #[test]
    fn clashes_with_builtin_skills_are_refused_and_leave_the_rest_untouched() {
        let catalog = catalog();
        catalog
            .register(SkillName::new("dice").unwrap(), dice())
            .unwrap();
        let timer = manifest(json!({
            "name": "timer", "version": "1", "description": "Mine.",
            "intents": [{"name": "timer.egg", "description": "Eggs."}]
        }));
        let error = catalog
            .register(SkillName::new("timer").unwrap(), timer)
            .unwrap_err();
        assert!(error.to_string().contains("built-in"), "{error}");
        let thief = manifest(json!({
            "name": "thief", "version": "1", "description": "Steals a tool name.",
            "intents": [{"name": "thief.time", "description": "Time.", "tool": "clock_time"}]
        }));
        let error = catalog
            .register(SkillName::new("thief").unwrap(), thief)
            .unwrap_err();
        assert!(error.to_string().contains("clock_time"), "{error}");
        assert!(catalog.is_external("dice") && !catalog.is_external("thief"));
    }

    #[test]
    fn a_disabled_manifest_unregisters_the_skill() {
        let catalog = catalog();
        let name = SkillName::new("dice").unwrap();
        catalog.register(name.clone(), dice()).unwrap();
        let mut disabled = dice();
        disabled.0.insert("enabled".into(), Value::Bool(false));
        assert!(catalog.register(name, disabled).unwrap());
        assert!(!catalog.is_external("dice"));
    }
}
