//! A validated conversation, independent of the OpenAI wire format.

use serde_json::Value;

use crate::tools::FunctionCall;

/// One message of a validated conversation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Message {
    System(String),
    User(String),
    Assistant {
        content: Option<String>,
        tool_calls: Vec<FunctionCall>,
    },
    Tool {
        content: String,
    },
}

/// A function the model may call, as the client declared it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ToolSpec {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    /// JSON schema of the arguments.
    pub(crate) parameters: Option<Value>,
}

impl ToolSpec {
    /// The OpenAI tool object, as the Qwen/Hermes template prints it into `<tools>`.
    pub(crate) fn to_json(&self) -> Value {
        let mut function = serde_json::Map::new();
        function.insert("name".into(), Value::String(self.name.clone()));
        if let Some(description) = &self.description {
            function.insert("description".into(), Value::String(description.clone()));
        }
        if let Some(parameters) = &self.parameters {
            function.insert("parameters".into(), parameters.clone());
        }
        let mut tool = serde_json::Map::new();
        tool.insert("type".into(), Value::String("function".into()));
        tool.insert("function".into(), Value::Object(function));
        Value::Object(tool)
    }
}
