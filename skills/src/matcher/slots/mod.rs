//! Slot readers: spoken numbers, durations and typed values.

mod duration;
mod numbers;
mod value;

pub use duration::parse_duration_text;
pub(crate) use value::SlotKind;
