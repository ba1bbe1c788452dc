//! Home Assistant's REST API: the states (entities and friendly names), the areas (through the
//! template API, which is the only REST way to read them) and service calls.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::homeassistant::entity::{CONTROLLABLE, Entity};
use crate::http::{HttpClient, HttpError};

/// Renders `entity_id|area name` per line for every entity. Areas are not in `/api/states`;
/// `area_name()` in a template is how the REST API exposes them.
const AREAS_TEMPLATE: &str =
    "{% for s in states %}{{ s.entity_id }}|{{ area_name(s.entity_id) or '' }}\n{% endfor %}";

/// A Home Assistant instance.
#[derive(Debug)]
pub(crate) struct HaClient {
    pub(crate) http: HttpClient,
    /// The base URL, without a trailing slash.
    pub(crate) url: String,
    pub(crate) token: String,
}

/// One entity of `/api/states`.
#[derive(Deserialize)]
pub(crate) struct State {
    entity_id: String,
    #[serde(default)]
    attributes: Attributes,
}

#[derive(Deserialize, Default)]
struct Attributes {
    #[serde(default)]
    friendly_name: Option<String>,
}

impl HaClient {
    /// The controllable entities, with their areas when the template API answers.
    pub(crate) fn entities(&self) -> Result<Vec<Entity>, HttpError> {
        let states: Vec<State> =
            self.http
                .get_json(&format!("{}/api/states", self.url), &[], Some(&self.token))?;
        let areas = match self.http.post_json(
            &format!("{}/api/template", self.url),
            &json!({"template": AREAS_TEMPLATE}),
            Some(&self.token),
        ) {
            Ok(text) => text,
            Err(error) => {
                tracing::warn!(%error, "Home Assistant areas unavailable; matching devices by name only.");
                String::new()
            }
        };
        Ok(controllable(&states, &areas))
    }

    /// Calls `domain.service` on `entity_id` with extra `data`.
    pub(crate) fn call(
        &self,
        domain: &str,
        service: &str,
        entity_id: &str,
        data: Value,
    ) -> Result<(), HttpError> {
        let mut body = json!({"entity_id": entity_id});
        if let (Value::Object(body), Value::Object(extra)) = (&mut body, data) {
            body.extend(extra);
        }
        let url = format!("{}/api/services/{domain}/{service}", self.url);
        self.http.post_json(&url, &body, Some(&self.token))?;
        Ok(())
    }
}

/// The controllable entities among `states`, with the areas `areas` names
/// (`entity_id|area name` per line, as [`AREAS_TEMPLATE`] renders them).
pub(crate) fn controllable(states: &[State], areas: &str) -> Vec<Entity> {
    let area_of = |id: &str| {
        areas.lines().find_map(|line| {
            let (entity, area) = line.split_once('|')?;
            (entity.trim() == id && !area.trim().is_empty()).then(|| area.trim())
        })
    };
    states
        .iter()
        .filter(|state| {
            state
                .entity_id
                .split_once('.')
                .is_some_and(|(domain, _)| CONTROLLABLE.contains(&domain))
        })
        .filter_map(|state| {
            let name = state
                .attributes
                .friendly_name
                .clone()
                .unwrap_or_else(|| state.entity_id.clone());
            Entity::new(&state.entity_id, &name, area_of(&state.entity_id))
        })
        .collect()
}
