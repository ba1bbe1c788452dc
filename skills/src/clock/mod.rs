//! The clock skill: the current time and date, spoken in the user's language and time zone.

mod names;
mod skill;
mod speech;

pub use skill::ClockSkill;
pub use speech::{date_sentence, time_sentence};
