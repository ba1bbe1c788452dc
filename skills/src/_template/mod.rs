//! A template for new skills, compiled and tested with the crate so it cannot rot.
//!
//! To add a skill: copy this folder to `skills/src/<name>/`; write its `skill.toml` (intents,
//! parameters, triggers in en/fr/nl, config keys); implement [`Skill`](crate::skill::Skill) in
//! `skill.rs` with a constructor that loads the manifest with `include_str!`; put phrasing in
//! pure functions (one file per concept, such as `speech.rs`); register it in
//! `Registry::builtin`; and test, inline, that spoken phrasings in all three languages reach
//! each intent with the right slots, that unrelated sentences do not, and that execution gives
//! the exact expected sentences.

mod skill;
