//! Actions from the bridge: `show_emotion` on the eyes, anything else through the
//! configured command; each acknowledged.

mod handler;

pub use handler::{ActionOutcome, plan};
