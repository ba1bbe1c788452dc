//! The [`Skill`] trait: the one contract between the runtime and a skill.

use crate::error::SkillError;
use crate::skill::context::SkillContext;
use crate::skill::intent::IntentMatch;
use crate::skill::manifest::Manifest;
use crate::skill::reply::SkillReply;

/// A skill: a manifest saying what it can do, and the code that does it.
///
/// `execute` is synchronous on purpose: the satellite's offline mode runs skills without an async
/// runtime, and the built-in skills are pure. A skill that does I/O (weather, a web API) must be
/// called from a blocking thread (`spawn_blocking`) by an async runtime; an async variant of the
/// trait will be added when the first such skill lands.
pub trait Skill: Send + Sync {
    /// The skill's validated manifest.
    fn manifest(&self) -> &Manifest;

    /// Executes one of the skill's intents.
    ///
    /// `ctx` carries the language to answer in, the time zone, the current instant and the
    /// satellite. The matcher and the tool resolver have already checked the slots against the
    /// manifest, so required slots are present and typed.
    ///
    /// # Errors
    /// [`SkillError::UnknownIntent`] for an intent the skill does not declare,
    /// [`SkillError::NeedsRuntime`] for an intent whose state lives in the runtime, and
    /// [`SkillError::Failed`] when the work itself fails.
    fn execute(&self, intent: &IntentMatch, ctx: &SkillContext) -> Result<SkillReply, SkillError>;
}
