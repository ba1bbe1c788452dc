//! The Home Assistant skill: knows the devices and areas, resolves what was said to one
//! entity, and calls its service.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::error::SkillError;
use crate::homeassistant::client::HaClient;
use crate::homeassistant::config::HomeAssistantConfig;
use crate::homeassistant::entity::{Entity, Resolution, resolve};
use crate::homeassistant::speech::{dimmed, not_dimmable, not_found, switched, which_one};
use crate::http::{HttpClient, HttpError};
use crate::skill::{EnvSource, IntentMatch, Manifest, Skill, SkillContext, SkillReply};

/// The manifest, shipped next to this file.
const MANIFEST: &str = include_str!("skill.toml");

/// The URL of Home Assistant's API from inside an add-on.
const SUPERVISOR_URL: &str = "http://supervisor/core";

/// Devices listed in the LLM tool's description: enough for a home, bounded for the prompt.
const MAX_LISTED: usize = 40;

/// The devices known, and when they were read.
#[derive(Debug, Default)]
struct Known {
    entities: Vec<Entity>,
    read_at: Option<DateTime<Utc>>,
}

/// Switches and dims Home Assistant devices.
#[derive(Debug)]
pub struct HomeAssistantSkill {
    manifest: Manifest,
    client: HaClient,
    refresh: chrono::Duration,
    known: Mutex<Known>,
}

impl HomeAssistantSkill {
    /// Builds the skill: finds the URL and token (configuration, then `HIVE_HOMEASSISTANT_URL`
    /// and `HIVE_HOMEASSISTANT_TOKEN`, then the add-on's `SUPERVISOR_TOKEN`) and reads the
    /// devices so that the LLM tool names them; a Home Assistant that is down now is read again
    /// at the first request. `Ok(None)` when no URL is configured. Call from a blocking thread.
    ///
    /// # Errors
    /// An invalid configuration, or a URL without a token.
    pub fn new(
        config: &HomeAssistantConfig,
        env: &dyn EnvSource,
        now: DateTime<Utc>,
    ) -> Result<Option<HomeAssistantSkill>, SkillError> {
        config.validate()?;
        let mut manifest = Manifest::from_toml(MANIFEST)?;
        let from_env = manifest.config_values(env)?;
        let pick = |configured: &str, key: &str| {
            Some(configured.trim().to_owned())
                .filter(|value| !value.is_empty())
                .or_else(|| from_env.get(key).cloned().filter(|value| !value.is_empty()))
        };
        let supervisor = env
            .var("SUPERVISOR_TOKEN")
            .filter(|token| !token.is_empty());
        let url = pick(&config.url, "url")
            .or_else(|| supervisor.as_ref().map(|_| SUPERVISOR_URL.to_owned()));
        let Some(url) = url else {
            return Ok(None);
        };
        let token = pick(&config.token, "token").or(supervisor).ok_or_else(|| {
            SkillError::MissingConfig {
                skill: "homeassistant".into(),
                key: "token".into(),
                env: "HIVE_HOMEASSISTANT_TOKEN".into(),
            }
        })?;
        let http = HttpClient::new("Home Assistant", Duration::from_secs(config.timeout_s))
            .map_err(|error| failed(&error))?;
        let client = HaClient {
            http,
            url: url.trim_end_matches('/').to_owned(),
            token,
        };
        let mut known = Known::default();
        match client.entities() {
            Ok(entities) => {
                tracing::info!(devices = entities.len(), "Home Assistant devices read.");
                describe_targets(&mut manifest, &entities);
                known = Known {
                    entities,
                    read_at: Some(now),
                };
            }
            Err(error) => {
                tracing::warn!(%error, "Home Assistant unreachable; its devices will be read at the first request.");
            }
        }
        Ok(Some(HomeAssistantSkill {
            manifest,
            client,
            refresh: chrono::Duration::seconds(
                i64::try_from(config.refresh_s).unwrap_or(i64::MAX / 1000),
            ),
            known: Mutex::new(known),
        }))
    }

    /// The devices, read again when older than `refresh_s`; a stale list is kept when Home
    /// Assistant does not answer.
    fn entities(&self, now: DateTime<Utc>) -> Result<Vec<Entity>, SkillError> {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = known
            .read_at
            .is_some_and(|at| now >= at && now - at < self.refresh);
        if !fresh {
            match self.client.entities() {
                Ok(entities) => {
                    *known = Known {
                        entities,
                        read_at: Some(now),
                    }
                }
                Err(error) if known.read_at.is_some() => {
                    tracing::warn!(%error, "Home Assistant devices not refreshed; using the last list.");
                }
                Err(error) => return Err(failed(&error)),
            }
        }
        Ok(known.entities.clone())
    }
}

/// Names the known devices in the tool's description, so the LLM picks one that exists.
fn describe_targets(manifest: &mut Manifest, entities: &[Entity]) {
    if entities.is_empty() {
        return;
    }
    let listed: Vec<String> = entities
        .iter()
        .take(MAX_LISTED)
        .map(|entity| match &entity.area {
            Some(area) => format!("{} ({area})", entity.name),
            None => entity.name.clone(),
        })
        .collect();
    let known = format!(" Known devices: {}.", listed.join(", "));
    for intent in &mut manifest.intents {
        if let Some(target) = intent.parameters.iter_mut().find(|p| p.name == "target") {
            target.description.push_str(&known);
        }
    }
}

fn failed(error: &HttpError) -> SkillError {
    SkillError::Failed {
        skill: "homeassistant".into(),
        reason: error.to_string(),
    }
}

impl Skill for HomeAssistantSkill {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn execute(&self, intent: &IntentMatch, ctx: &SkillContext) -> Result<SkillReply, SkillError> {
        let service = match intent.intent.as_str() {
            "homeassistant.turn_on" | "homeassistant.set_brightness" => "turn_on",
            "homeassistant.turn_off" => "turn_off",
            other => {
                return Err(SkillError::UnknownIntent {
                    skill: self.manifest.name.clone(),
                    intent: other.to_owned(),
                });
            }
        };
        let target = intent
            .text("target")
            .ok_or_else(|| SkillError::MissingSlot {
                intent: intent.intent.clone(),
                slot: "target".into(),
            })?;
        let lang = ctx.lang;
        let entities = self.entities(ctx.now)?;
        let entity = match resolve(target, &entities, ctx.satellite.as_deref()) {
            Resolution::One(entity) => entity,
            Resolution::Nothing => {
                return Ok(SkillReply::speech(not_found(target, lang))
                    .with_data(json!({"error": "not_found", "target": target})));
            }
            Resolution::Ambiguous(candidates) => {
                let names: Vec<&str> = candidates.iter().map(|e| e.name.as_str()).collect();
                let ids: Vec<&str> = candidates.iter().map(|e| e.id.as_str()).collect();
                return Ok(SkillReply::speech(which_one(&names, lang))
                    .with_data(json!({"error": "ambiguous", "candidates": ids})));
            }
        };
        let brightness = intent
            .number("brightness")
            .map(|value| value.round() as i64);
        let (data, speech) = match brightness {
            Some(_) if entity.domain != "light" => {
                return Ok(SkillReply::speech(not_dimmable(&entity.name, lang)));
            }
            Some(percent) => (
                json!({"brightness_pct": percent.clamp(0, 100)}),
                dimmed(&entity.name, percent, lang),
            ),
            None => (
                json!({}),
                switched(&entity.name, service == "turn_on", lang),
            ),
        };
        self.client
            .call(&entity.domain, service, &entity.id, data)
            .map_err(|error| failed(&error))?;
        tracing::info!(entity = %entity.id, service, "Home Assistant service called.");
        Ok(SkillReply::speech(speech).with_data(json!({
            "entity_id": entity.id,
            "name": entity.name,
            "service": format!("{}.{service}", entity.domain),
        })))
    }
}
