//! Executing a matched intent wherever it lives: timers and the stopwatch in the bridge's
//! timer driver, an external skill over MQTT, anything else in its built-in skill.

use std::sync::Arc;
use std::time::Duration;

use hive_skills::timer::TimerIntent;
use hive_skills::{IntentMatch, SkillContext, SkillError, SkillReply};
use hive_topics::{ErrorReport, IntentName, SkillName, SkillRequest};

use super::calls::CallError;
use crate::pipeline::{Asker, Shared};

/// The built-in skill whose intents the timer driver executes.
const TIMER_SKILL: &str = "timer";

/// Executes `matched` (recognised in `text`) for `asker`.
///
/// # Errors
/// The skill failed; the caller apologises. For an external skill an error event has already
/// been sent to the asker's satellite.
pub(crate) async fn execute(
    shared: &Arc<Shared>,
    asker: &Asker,
    matched: &IntentMatch,
    context: &SkillContext,
    text: &str,
) -> Result<SkillReply, SkillError> {
    if matched.skill == TIMER_SKILL {
        let intent = TimerIntent::try_from(matched)?;
        let speech = shared
            .timers
            .voice(intent, asker.satellite.clone(), context.lang)
            .await
            .ok_or_else(|| SkillError::Failed {
                skill: TIMER_SKILL.into(),
                reason: "the timer driver has stopped".into(),
            })?;
        return Ok(SkillReply::speech(speech));
    }
    if shared.skills.is_external(&matched.skill) {
        return external(shared, asker, matched, context, text).await;
    }
    // Built-in skills are synchronous and some call web services: off the runtime's workers.
    let registry = shared.skills.current();
    let (owned, ctx) = (matched.clone(), context.clone());
    let reply = tokio::task::spawn_blocking(move || registry.execute(&owned, &ctx))
        .await
        .unwrap_or_else(|error| {
            Err(SkillError::Failed {
                skill: matched.skill.clone(),
                reason: format!("the skill panicked: {error}"),
            })
        })?;
    if matched.intent == REMIND_INTENT {
        ring_reminder(shared, asker, &reply, context).await;
    }
    Ok(reply)
}

/// The calendar's "remind me to … at …": the skill keeps it in the calendar, the bridge
/// rings it.
const REMIND_INTENT: &str = "calendar.remind";

/// Has the timer driver ring the reminder the calendar skill just added (its data says what
/// and when) on the satellite it was asked at.
async fn ring_reminder(shared: &Shared, asker: &Asker, reply: &SkillReply, context: &SkillContext) {
    let text = reply.data["summary"].as_str();
    let at = reply.data["start"]
        .as_str()
        .and_then(|start| chrono::DateTime::parse_from_rfc3339(start).ok());
    let (Some(text), Some(at)) = (text, at) else {
        tracing::warn!(data = %reply.data, "Reminder without a text and time; it will not ring.");
        return;
    };
    let at_ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    let satellite = asker.satellite.clone();
    if !shared
        .timers
        .remind(satellite, text.to_owned(), at_ms, context.lang)
        .await
    {
        tracing::warn!("The timer driver has stopped; the reminder will not ring.");
    }
}

async fn external(
    shared: &Arc<Shared>,
    asker: &Asker,
    matched: &IntentMatch,
    context: &SkillContext,
    text: &str,
) -> Result<SkillReply, SkillError> {
    let failed = |reason: String| SkillError::Failed {
        skill: matched.skill.clone(),
        reason,
    };
    let (Ok(skill), Ok(intent)) = (
        SkillName::new(matched.skill.as_str()),
        IntentName::new(matched.intent.as_str()),
    ) else {
        return Err(failed("its name cannot be a topic level".into()));
    };
    let slots = match matched.arguments() {
        serde_json::Value::Object(slots) => slots,
        _ => serde_json::Map::new(),
    };
    let request = SkillRequest {
        id: String::new(),
        intent,
        slots,
        text: Some(text.to_owned()).filter(|text| !text.trim().is_empty()),
        lang: Some(context.lang.code().to_owned()),
        satellite: asker.satellite.clone(),
        session: asker.session,
    };
    let timeout = Duration::from_secs_f32(shared.config.external_skills.timeout_s);
    tracing::info!(skill = %skill, intent = %matched.intent, "Asking an external skill.");
    match shared
        .skill_calls
        .call(shared, &skill, request, timeout)
        .await
    {
        Ok(response) => Ok(SkillReply {
            speech: response.speech.unwrap_or_default(),
            data: response.data.unwrap_or(serde_json::Value::Null),
            actions: Vec::new(),
        }),
        Err(error) => {
            tracing::error!(%error, code = error.code(), skill = %skill, "External skill gave no answer.");
            report(shared, asker, &error).await;
            Err(failed(error.to_string()))
        }
    }
}

/// The error event: on the asker's satellite, in its session, with a short safe message.
async fn report(shared: &Shared, asker: &Asker, error: &CallError) {
    let Some(satellite) = &asker.satellite else {
        return;
    };
    let message = match error {
        CallError::Timeout { .. } => "The skill did not give a usable answer in time.",
        CallError::Failed { .. } => "The skill could not do it.",
        CallError::Busy => "Too many skill requests are waiting.",
        CallError::Unpublished(_) => "The skill could not be reached.",
    };
    let report = ErrorReport {
        session: asker.session,
        code: error.code().into(),
        message: message.into(),
        recoverable: true,
    };
    shared
        .publish(shared.topics.encode_error(satellite, &report))
        .await;
}
