//! From text to a reply: local intents first (fast, offline), otherwise the language model
//! with the skills as tools; the reply streams into a [`ReplySink`] sentence by sentence.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use hive_skills::{IntentMatch, Lang, SkillContext, SkillError, SkillReply};
use hive_topics::{Action, ErrorReport, IntentEvent, IntentName, IntentSource, SatelliteId};
use tokio::sync::Mutex;

use super::respond::ReplySink;
use super::shared::Shared;
use super::timings::TurnClock;
use crate::context::{ContextEntry, Speaker};
use crate::llm::{ChatMessage, ChatRequest, LlmEvent, Role};
use crate::tts::{SentenceBuffer, split_sentences};

/// Tool rounds per turn: a model that keeps calling tools is stopped after this many.
const MAX_TOOL_ROUNDS: usize = 3;

/// Tool schemas offered per question. Each costs the model ~80 prompt tokens, read at a few
/// dozen tokens per second on a small CPU, and a small model picks better among few.
const MAX_TOOLS_OFFERED: usize = 3;

/// Who asked, for skills, actions and the conversation.
#[derive(Debug, Clone)]
pub(crate) struct Asker {
    pub(crate) satellite: Option<SatelliteId>,
    pub(crate) session: Option<u32>,
}

/// Answers `text` into `sink`; returns the recognised intent, if any.
pub(crate) async fn answer(
    shared: &Arc<Shared>,
    asker: &Asker,
    text: &str,
    lang: &str,
    sink: &mut ReplySink,
    clock: &Arc<Mutex<TurnClock>>,
) -> Option<String> {
    let hint = lang.parse::<Lang>().ok();
    let history = history(shared).await;
    let (intent, answered) = if let Some(matched) = shared.skills.current().match_text(text, hint) {
        let reply_lang = matched.lang.or(hint).unwrap_or(Lang::En);
        let source = IntentSource::Local;
        let reply = run_skill(shared, asker, &matched, reply_lang, text, source).await;
        speak_all(sink, &reply).await;
        (Some(matched.intent.clone()), true)
    } else {
        converse(shared, asker, text, lang, history, sink, clock).await
    };
    // Only exchanges that were really answered join the conversation: a model that sees
    // earlier apologies learns to apologise.
    if answered {
        let said = sink.text().to_string();
        remember(shared, asker, Speaker::User, text, None, lang).await;
        remember(
            shared,
            asker,
            Speaker::Assistant,
            &said,
            intent.clone(),
            lang,
        )
        .await;
        super::warm::rewarm(shared);
    }
    intent
}

async fn speak_all(sink: &mut ReplySink, text: &str) {
    for sentence in split_sentences(text) {
        sink.sentence(sentence).await;
    }
}

/// Runs a matched intent, publishes its actions and intent event; returns what to say.
async fn run_skill(
    shared: &Arc<Shared>,
    asker: &Asker,
    matched: &IntentMatch,
    lang: Lang,
    text: &str,
    source: IntentSource,
) -> String {
    let now = chrono::Utc::now();
    let mut context = SkillContext::new(lang, shared.time_zone, now);
    if let Some(satellite) = &asker.satellite {
        context = context.with_satellite(satellite.as_str());
    }
    tracing::info!(intent = %matched.intent, ?source, "Intent recognised.");
    publish_intent(shared, asker, matched, text, lang, source).await;
    match crate::skills::execute(shared, asker, matched, &context, text).await {
        Ok(reply) => {
            publish_actions(shared, asker, &reply).await;
            reply.speech
        }
        Err(SkillError::NeedsRuntime { .. }) => not_yet(lang).to_string(),
        Err(error) => {
            tracing::error!(%error, code = "skill_failed", intent = %matched.intent, "Skill failed.");
            // An external skill's caller has reported its failure already, with its own code.
            if !shared.skills.is_external(&matched.skill) {
                report_skill_failure(shared, asker).await;
            }
            sorry(lang).to_string()
        }
    }
}

/// The error event for a built-in skill that failed (its web service down, its driver
/// stopped), on the asker's satellite, as an external skill's failure is reported: the
/// apology alone would leave automations and the eyes unaware of it.
async fn report_skill_failure(shared: &Shared, asker: &Asker) {
    let Some(satellite) = &asker.satellite else {
        return;
    };
    let report = ErrorReport {
        session: asker.session,
        code: "skill_failed".into(),
        message: "The skill could not do it.".into(),
        recoverable: true,
    };
    shared
        .publish(shared.topics.encode_error(satellite, &report))
        .await;
}

async fn publish_intent(
    shared: &Shared,
    asker: &Asker,
    matched: &IntentMatch,
    text: &str,
    lang: Lang,
    source: IntentSource,
) {
    let Ok(name) = IntentName::new(&matched.intent) else {
        return;
    };
    let slots = match matched.arguments() {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    let event = IntentEvent {
        intent: name,
        slots,
        text: text.to_string(),
        satellite: asker.satellite.clone(),
        session: asker.session,
        lang: Some(lang.code().to_string()),
        source,
    };
    shared.publish(shared.topics.encode_intent(&event)).await;
}

async fn publish_actions(shared: &Shared, asker: &Asker, reply: &SkillReply) {
    let Some(satellite) = &asker.satellite else {
        return;
    };
    for request in &reply.actions {
        let args = match &request.args {
            serde_json::Value::Object(map) => map.clone(),
            _ => serde_json::Map::new(),
        };
        let action = Action {
            id: action_id(),
            session: asker.session,
            name: request.name.clone(),
            args,
        };
        tracing::info!(action = %action.name, id = %action.id, "Action sent.");
        shared
            .publish(shared.topics.encode_action(satellite, &action))
            .await;
    }
}

fn action_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or(0);
    format!("a{:x}", nanos & 0xffff_ffff_ffff)
}

/// The language model's turn: stream text into sentences, run tool calls, and go round again
/// with their results when the model has not said anything yet.
async fn converse(
    shared: &Arc<Shared>,
    asker: &Asker,
    text: &str,
    lang: &str,
    history: Vec<ContextEntry>,
    sink: &mut ReplySink,
    clock: &Arc<Mutex<TurnClock>>,
) -> (Option<String>, bool) {
    let reply_lang = lang.parse::<Lang>().unwrap_or(Lang::En);
    if shared.engines.llm.is_empty() {
        speak_all(sink, not_understood(reply_lang)).await;
        return (None, false);
    }
    // What the conversation was just about, so a follow-up ("and tomorrow?") keeps its tool.
    let recent: Vec<String> = history
        .iter()
        .rev()
        .take(2)
        .filter_map(|entry| entry.intent.clone())
        .collect();
    let recent: Vec<&str> = recent.iter().map(String::as_str).collect();
    let tools = shared
        .skills
        .current()
        .tools_for(text, &recent, MAX_TOOLS_OFFERED);
    let mut messages = opening(shared, lang, history);
    messages.push(ChatMessage::new(Role::User, text));
    let mut intent = None;
    for _round in 0..MAX_TOOL_ROUNDS {
        let request = ChatRequest {
            messages: messages.clone(),
            tools: tools.clone(),
            max_tokens: None,
            temperature: Some(0.2),
        };
        let (mut stream, engine) = match shared.engines.llm.start(request).await {
            Ok(started) => started,
            Err(error) => {
                tracing::error!(%error, code = "llm_unavailable", "No language model answered.");
                speak_all(sink, sorry(reply_lang)).await;
                return (intent, false);
            }
        };
        tracing::debug!(engine, "Language model answering.");
        let mut sentences = SentenceBuffer::new()
            .split_long_first_sentence(crate::tts::DEFAULT_FIRST_SENTENCE_WORDS);
        let mut calls = Vec::new();
        let mut wrote = String::new();
        while let Some(event) = stream.next().await {
            match event {
                Ok(LlmEvent::Text(piece)) => {
                    {
                        let mut clock = clock.lock().await;
                        let mut mark = clock.first_token;
                        clock.mark(&mut mark);
                        clock.first_token = mark;
                    }
                    wrote.push_str(&piece);
                    sentences.push(&piece);
                    while let Some(sentence) = sentences.pop() {
                        sink.sentence(&sentence).await;
                    }
                }
                Ok(LlmEvent::ToolCalls(made)) => calls = made,
                Ok(LlmEvent::Done { .. }) => break,
                Err(error) => {
                    tracing::error!(%error, code = "llm_failed", "Language model failed mid-answer.");
                    if sink.text().is_empty() {
                        speak_all(sink, sorry(reply_lang)).await;
                        return (intent, false);
                    }
                    // The whole sentences already spoken stand; the half one is dropped, and
                    // the speaker hears why the answer stops there: silence would pass a cut
                    // answer off as a whole one. Not kept in the conversation.
                    speak_all(sink, cut_short(reply_lang)).await;
                    return (intent, false);
                }
            }
        }
        {
            let mut clock = clock.lock().await;
            clock.llm_done = Some(clock.origin.elapsed());
        }
        if let Some(rest) = sentences.finish() {
            sink.sentence(&rest).await;
        }
        if calls.is_empty() {
            return (intent, true);
        }
        messages.push(ChatMessage {
            role: Role::Assistant,
            content: wrote,
            tool_calls: calls.clone(),
            tool_call_id: None,
        });
        let mut spoken_by_tools = false;
        for call in &calls {
            let arguments: serde_json::Value =
                serde_json::from_str(&call.arguments).unwrap_or(serde_json::Value::Null);
            let result = match shared
                .skills
                .current()
                .resolve_tool_call(&call.name, &arguments)
            {
                Ok(matched) => {
                    intent = Some(matched.intent.clone());
                    let speech =
                        run_skill(shared, asker, &matched, reply_lang, text, IntentSource::Llm)
                            .await;
                    if !speech.is_empty() {
                        speak_all(sink, &speech).await;
                        spoken_by_tools = true;
                    }
                    if speech.is_empty() {
                        "done".to_string()
                    } else {
                        speech
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, tool = %call.name, "Tool call refused.");
                    format!("error: {error}")
                }
            };
            messages.push(ChatMessage::tool_result(call, result));
        }
        if spoken_by_tools || !sink.text().is_empty() {
            return (intent, true);
        }
    }
    let answered = !sink.text().is_empty();
    (intent, answered)
}

/// The system prompt and the conversation so far: every prompt starts with these.
pub(crate) fn opening(shared: &Shared, lang: &str, history: Vec<ContextEntry>) -> Vec<ChatMessage> {
    let mut messages = vec![ChatMessage::new(Role::System, system_prompt(shared, lang))];
    for entry in history {
        let role = match entry.speaker {
            Speaker::User => Role::User,
            Speaker::Assistant => Role::Assistant,
        };
        messages.push(ChatMessage::new(role, entry.text));
    }
    messages
}

/// The system prompt. Everything that stays the same from turn to turn comes first and the
/// day and language last, so the model server reuses its cache of the fixed part: a cold read
/// of the prompt costs seconds on a small CPU. (No clock time here: it would change the
/// prompt every minute; the clock skill answers the time.)
fn system_prompt(shared: &Shared, lang: &str) -> String {
    let assistant = &shared.config.assistant;
    let mut prompt = format!(
        "You are {}, a friendly voice assistant in a home. Your answers are spoken aloud: \
         answer in one to three short sentences, without lists, markdown or emoji. \
         Answer what the user told you earlier from the conversation itself. \
         Call a tool only when the question needs it.",
        assistant.name,
    );
    if let Some(extra) = &assistant.instructions {
        prompt.push(' ');
        prompt.push_str(extra);
    }
    let today = chrono::Utc::now().with_timezone(&shared.time_zone);
    let language = match lang.parse::<Lang>() {
        Ok(Lang::En) => "English",
        Ok(Lang::Fr) => "French",
        Ok(Lang::Nl) => "Dutch",
        Err(_) => "the language of the question",
    };
    prompt.push_str(&format!(
        " Today is {} ({}). Answer in {language}.",
        today.format("%A %-d %B %Y"),
        shared.time_zone,
    ));
    prompt
}

/// The conversation the prompt carries: the last `[context] prompt_messages` at most, from an
/// anchor that moves only every few turns (`history`), so the model server reads only what
/// is new.
pub(crate) async fn history(shared: &Shared) -> Vec<ContextEntry> {
    let Some(store) = shared.engines.store.clone() else {
        return Vec::new();
    };
    let window = u64::from(shared.config.context.window_days) * 86_400_000;
    let since = now_ms().saturating_sub(window);
    let limit = shared.config.context.prompt_messages;
    // The store may be a network server (Redis): its calls run on the blocking pool.
    let read = tokio::task::spawn_blocking(move || store.recent(limit, since)).await;
    match read {
        Ok(Ok(mut entries)) => {
            let mut anchor = shared
                .history_anchor
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let (start, next) = super::history::history_start(&entries, *anchor, limit);
            *anchor = next;
            entries.drain(..start);
            entries
        }
        Ok(Err(error)) => {
            shared.telemetry.error("store_read_failed");
            tracing::error!(%error, code = "store_read_failed", "Conversation unavailable; answering without it.");
            Vec::new()
        }
        Err(error) => {
            tracing::error!(%error, code = "store_read_failed", "Conversation read did not finish; answering without it.");
            Vec::new()
        }
    }
}

async fn remember(
    shared: &Shared,
    asker: &Asker,
    speaker: Speaker,
    text: &str,
    intent: Option<String>,
    lang: &str,
) {
    let Some(store) = shared.engines.store.clone() else {
        return;
    };
    if text.is_empty() {
        return;
    }
    let entry = ContextEntry {
        at_ms: now_ms(),
        speaker,
        text: text.to_string(),
        satellite: asker
            .satellite
            .as_ref()
            .map(|satellite| satellite.as_str().to_string()),
        intent,
        lang: Some(lang.to_string()),
    };
    let written = tokio::task::spawn_blocking(move || store.append(&entry)).await;
    if let Ok(Err(error)) = written {
        shared.telemetry.error("store_write_failed");
        tracing::error!(%error, code = "store_write_failed", "Conversation not saved; the turn goes on.");
    }
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as u64)
        .unwrap_or(0)
}

/// Spoken when something failed; never the internal error text.
pub(crate) fn sorry(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Sorry, I can't answer that right now.",
        Lang::Fr => "Désolé, je ne peux pas répondre pour le moment.",
        Lang::Nl => "Sorry, ik kan daar nu niet op antwoorden.",
    }
}

/// Said after the part of an answer that came before the model failed.
fn cut_short(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Sorry, I was cut off.",
        Lang::Fr => "Désolé, j'ai été interrompu.",
        Lang::Nl => "Sorry, ik werd onderbroken.",
    }
}

fn not_understood(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Sorry, I didn't understand that.",
        Lang::Fr => "Désolé, je n'ai pas compris.",
        Lang::Nl => "Sorry, dat heb ik niet begrepen.",
    }
}

fn not_yet(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "I can't do that on the bridge yet.",
        Lang::Fr => "Je ne sais pas encore faire ça.",
        Lang::Nl => "Dat kan ik nog niet.",
    }
}
