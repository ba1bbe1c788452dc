//! Actions from the bridge: `show_emotion` on the eyes, fading back to neutral by itself;
//! anything else through the configured command; each acknowledged.

mod face;
mod handler;

pub use face::Face;
pub use handler::{ActionOutcome, plan};
