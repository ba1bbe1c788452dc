//! Playing what the satellite says: the reply's sentences put back in order, and the player
//! that paces them out to the audio output without gaps.

mod player;
mod queue;

pub use player::{PlayKey, Player, PlayerCommand, PlayerEvent, spawn};
pub use queue::{ReplyQueue, Sentence};
