//! Skills at run time: the built-in skills plus external skills that any program registers
//! over MQTT (`{p}/skill/{name}/manifest`), and executing a matched intent wherever it lives.
//!
//! - `catalog`: built-in and external skills compiled into one registry, swapped on change.
//! - `external`: a published manifest read as a skill.
//! - `calls`: requests to external skills in flight, with their timeout.
//! - `dispatch`: timer driver, external skill or built-in skill.

mod calls;
mod catalog;
mod dispatch;
mod external;

pub(crate) use calls::SkillCalls;
pub(crate) use catalog::SkillCatalog;
pub(crate) use dispatch::execute;
