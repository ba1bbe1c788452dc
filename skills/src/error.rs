//! The crate's errors: invalid manifests, and failures to resolve or execute an intent.
//!
//! Messages are written to be read by two audiences: a developer fixing a `skill.toml`, and the
//! LLM loop, which feeds [`SkillError`]s about tool arguments back to the model so it can retry.
//! None of them is meant to be spoken to the user.

use crate::lang::Lang;

/// A `skill.toml` that cannot be used, with what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file is not valid TOML or does not have the manifest's shape.
    #[error("skill.toml is not a valid manifest: {0}")]
    Toml(#[from] toml::de::Error),
    /// A name does not follow its naming rule.
    #[error("{what} name `{name}` is invalid: {rule}")]
    InvalidName {
        /// What carries the name: `skill`, `intent`, `parameter`, `tool`, `config key`.
        what: &'static str,
        /// The offending name.
        name: String,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// A mandatory text field is empty.
    #[error("skill `{skill}`: `{field}` must not be empty")]
    EmptyField {
        /// The skill's name.
        skill: String,
        /// The empty field's path in the manifest.
        field: String,
    },
    /// Two intents share a name.
    #[error("skill `{skill}`: intent `{intent}` is declared twice")]
    DuplicateIntent {
        /// The skill's name.
        skill: String,
        /// The repeated intent name.
        intent: String,
    },
    /// Two intents would be exposed to the LLM under the same tool name.
    #[error("skill `{skill}`: tool name `{tool}` is used by two intents")]
    DuplicateTool {
        /// The skill's name.
        skill: String,
        /// The repeated tool name.
        tool: String,
    },
    /// Two parameters of one intent share a name.
    #[error("intent `{intent}`: parameter `{parameter}` is declared twice")]
    DuplicateParameter {
        /// The intent's name.
        intent: String,
        /// The repeated parameter name.
        parameter: String,
    },
    /// A `[intents.triggers]` table, or one of its languages, lists no phrase.
    #[error(
        "intent `{intent}`: the trigger list for `{lang}` is empty; remove the key or add phrases"
    )]
    EmptyTriggers {
        /// The intent's name.
        intent: String,
        /// The language whose list is empty.
        lang: Lang,
    },
    /// A `[intents.triggers]` table with no language at all.
    #[error(
        "intent `{intent}`: `[intents.triggers]` lists no language; remove it or add en, fr or nl phrases"
    )]
    NoTriggerLanguage {
        /// The intent's name.
        intent: String,
    },
    /// A trigger phrase has no word left once normalised (blank, or only punctuation).
    #[error("intent `{intent}`: a `{lang}` trigger is blank: `{trigger}`")]
    BlankTrigger {
        /// The intent's name.
        intent: String,
        /// The trigger's language.
        lang: Lang,
        /// The trigger as written.
        trigger: String,
    },
    /// A trigger's braces do not form `{slot}` words.
    #[error(
        "intent `{intent}`: trigger `{trigger}` has a malformed slot; write slots as separate words like `{{duration}}`"
    )]
    MalformedSlot {
        /// The intent's name.
        intent: String,
        /// The trigger as written.
        trigger: String,
    },
    /// A trigger names a slot that is not one of the intent's parameters.
    #[error(
        "intent `{intent}`: trigger `{trigger}` uses slot `{{{slot}}}`, which is not a parameter of the intent"
    )]
    UnknownSlot {
        /// The intent's name.
        intent: String,
        /// The trigger as written.
        trigger: String,
        /// The unknown slot.
        slot: String,
    },
    /// A trigger uses the same slot twice.
    #[error("intent `{intent}`: trigger `{trigger}` uses slot `{{{slot}}}` twice")]
    RepeatedSlot {
        /// The intent's name.
        intent: String,
        /// The trigger as written.
        trigger: String,
        /// The repeated slot.
        slot: String,
    },
    /// A trigger lacks a slot for a required parameter, so a match could not be executed.
    #[error("intent `{intent}`: trigger `{trigger}` lacks the required parameter `{{{slot}}}`")]
    MissingRequiredSlot {
        /// The intent's name.
        intent: String,
        /// The trigger as written.
        trigger: String,
        /// The required parameter.
        slot: String,
    },
    /// An `enum` parameter without `values`.
    #[error("intent `{intent}`: enum parameter `{parameter}` needs a non-empty `values` list")]
    EnumWithoutValues {
        /// The intent's name.
        intent: String,
        /// The parameter's name.
        parameter: String,
    },
    /// `values` or `synonyms` on a parameter that is not an `enum`.
    #[error(
        "intent `{intent}`: parameter `{parameter}` has `values` or `synonyms` but is not of type `enum`"
    )]
    ValuesOnNonEnum {
        /// The intent's name.
        intent: String,
        /// The parameter's name.
        parameter: String,
    },
    /// A synonym list keyed by a value the enum does not have.
    #[error(
        "intent `{intent}`: parameter `{parameter}` has synonyms for `{value}`, which is not in `values`"
    )]
    UnknownEnumValue {
        /// The intent's name.
        intent: String,
        /// The parameter's name.
        parameter: String,
        /// The unknown value.
        value: String,
    },
    /// One spoken form would map to two enum values.
    #[error("intent `{intent}`: parameter `{parameter}`: `{synonym}` names two different values")]
    AmbiguousSynonym {
        /// The intent's name.
        intent: String,
        /// The parameter's name.
        parameter: String,
        /// The ambiguous word or phrase.
        synonym: String,
    },
    /// `minimum`/`maximum` on a parameter that is not an `integer` or `number`, or inverted.
    #[error("intent `{intent}`: parameter `{parameter}` has invalid bounds: {reason}")]
    InvalidBounds {
        /// The intent's name.
        intent: String,
        /// The parameter's name.
        parameter: String,
        /// What is wrong with them.
        reason: &'static str,
    },
    /// Two `[[config]]` entries share a name.
    #[error("skill `{skill}`: config key `{key}` is declared twice")]
    DuplicateConfigKey {
        /// The skill's name.
        skill: String,
        /// The repeated key.
        key: String,
    },
}

/// A failure to resolve a tool call, or to execute an intent.
#[derive(Debug, thiserror::Error)]
pub enum SkillError {
    /// A built-in or registered manifest is invalid.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// Two skills expose the same tool name to the LLM.
    #[error("tool `{tool}` is exposed by both `{first}` and `{second}`")]
    DuplicateTool {
        /// The clashing tool name.
        tool: String,
        /// The skill registered first.
        first: String,
        /// The skill registered second.
        second: String,
    },
    /// Two registered skills share a name.
    #[error("skill `{0}` is registered twice")]
    DuplicateSkill(String),
    /// The skills configuration is invalid.
    #[error("invalid skills configuration: `{field}` {reason}")]
    InvalidConfig {
        /// The field at fault.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A required `[[config]]` key has no value in the environment.
    #[error("skill `{skill}` needs `{key}`: set the environment variable `{env}`")]
    MissingConfig {
        /// The skill's name.
        skill: String,
        /// The config key.
        key: String,
        /// The environment variable to set.
        env: String,
    },
    /// The LLM called a tool no enabled skill offers.
    #[error("unknown tool `{0}`")]
    UnknownTool(String),
    /// A match names a skill that is not registered or is disabled.
    #[error("unknown or disabled skill `{0}`")]
    UnknownSkill(String),
    /// A match names an intent its skill does not declare.
    #[error("skill `{skill}` has no intent `{intent}`")]
    UnknownIntent {
        /// The skill's name.
        skill: String,
        /// The unknown intent.
        intent: String,
    },
    /// Tool arguments that are not a JSON object.
    #[error("tool `{tool}`: arguments must be a JSON object: {reason}")]
    BadArguments {
        /// The tool called.
        tool: String,
        /// Why they could not be read.
        reason: String,
    },
    /// A required tool argument is absent.
    #[error("tool `{tool}`: missing required argument `{argument}`")]
    MissingArgument {
        /// The tool called.
        tool: String,
        /// The missing argument.
        argument: String,
    },
    /// A tool argument the tool does not declare.
    #[error("tool `{tool}`: unknown argument `{argument}`; expected one of: {expected}")]
    UnknownArgument {
        /// The tool called.
        tool: String,
        /// The unexpected argument.
        argument: String,
        /// The declared arguments, comma-separated.
        expected: String,
    },
    /// A tool argument of the wrong type or out of range.
    #[error("tool `{tool}`: argument `{argument}` {reason}")]
    InvalidArgument {
        /// The tool called.
        tool: String,
        /// The argument at fault.
        argument: String,
        /// What was expected.
        reason: String,
    },
    /// A match lacks a slot the intent needs (a skill's own check; the matcher and the tool
    /// resolver already enforce required parameters).
    #[error("intent `{intent}` needs `{slot}`")]
    MissingSlot {
        /// The intent's name.
        intent: String,
        /// The missing slot.
        slot: String,
    },
    /// The intent needs state the skill does not hold (running timers, a stopwatch): the bridge or
    /// the satellite executes it.
    #[error("intent `{intent}` is executed by the runtime that holds its state, not by the skill")]
    NeedsRuntime {
        /// The intent's name.
        intent: String,
    },
    /// The skill could not do its work (a service down, a device unreachable).
    #[error("skill `{skill}` failed: {reason}")]
    Failed {
        /// The skill's name.
        skill: String,
        /// What went wrong, for the logs.
        reason: String,
    },
}
