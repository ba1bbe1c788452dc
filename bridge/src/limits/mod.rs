//! Limits on what the network may ask of the bridge: payload sizes (enforced by the
//! protocol parser), turns per minute per satellite and sessions at once (enforced by the
//! router), and the error replies that tell a satellite it went over one.

mod admission;
mod config;
mod oversize;
mod turn_rate;

pub(crate) use admission::{Admission, Refusal, SessionGuard, SessionHandle};
pub use config::LimitsConfig;
pub(crate) use oversize::OversizeReplies;
