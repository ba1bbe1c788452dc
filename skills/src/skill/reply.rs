//! What a skill hands back: words to speak, data for the LLM, actions for the runtime.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The outcome of executing an intent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SkillReply {
    /// The sentence to speak, in the context's language; empty when there is nothing to say.
    pub speech: String,
    /// Structured facts behind the speech (the LLM loop sends them back as the tool result).
    pub data: Value,
    /// Things the runtime should do (show an emotion, publish a command).
    pub actions: Vec<ActionRequest>,
}

impl SkillReply {
    /// A reply that only speaks.
    pub fn speech(speech: impl Into<String>) -> SkillReply {
        SkillReply {
            speech: speech.into(),
            data: Value::Null,
            actions: Vec::new(),
        }
    }

    /// Adds structured data.
    pub fn with_data(mut self, data: Value) -> SkillReply {
        self.data = data;
        self
    }

    /// Adds an action.
    pub fn with_action(mut self, action: ActionRequest) -> SkillReply {
        self.actions.push(action);
        self
    }
}

/// A request for the runtime to act, named like a tool call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRequest {
    /// What to do, such as `show_emotion`.
    pub name: String,
    /// Its arguments, a JSON object.
    pub args: Value,
}

impl ActionRequest {
    /// An action with its arguments.
    pub fn new(name: impl Into<String>, args: Value) -> ActionRequest {
        ActionRequest {
            name: name.into(),
            args,
        }
    }
}
