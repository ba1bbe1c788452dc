//! The skill model: manifests, the [`Skill`] trait, what a skill receives and returns, and how
//! intents become LLM tools.

mod arguments;
mod context;
mod contract;
mod env;
mod intent;
mod manifest;
mod reply;
pub(crate) mod tool;
mod validate;

pub(crate) use arguments::parse_arguments;
pub use context::SkillContext;
pub use contract::Skill;
pub use env::{EnvSource, ProcessEnv};
pub use intent::{IntentMatch, SlotValue};
pub use manifest::{ConfigKey, IntentSpec, Manifest, ParamType, ParameterSpec, Triggers};
pub use reply::{ActionRequest, SkillReply};
pub use tool::tool_name_for;
