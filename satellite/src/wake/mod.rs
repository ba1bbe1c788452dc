//! The wake word: a small detector trait, the rustpotter engine behind it, training a model
//! from recorded samples, and the built-in "hey hive" model.

mod detector;
mod error;
mod rustpotter;
mod train;

pub use detector::{WakeDetector, WakeHit};
pub use error::WakeError;
pub use rustpotter::{DEFAULT_MODEL, RustpotterDetector, WakeModel};
pub use train::{TrainReport, train};
