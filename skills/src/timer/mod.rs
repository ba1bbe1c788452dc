//! Timers and the stopwatch: their manifest, the typed view of their intents, and their spoken
//! replies. Executing them needs state (running timers), which the bridge or the satellite
//! holds; this module stays pure so both can share it.

mod intent;
mod skill;
mod speech;

pub use intent::TimerIntent;
pub use skill::TimerSkill;
pub use speech::{
    no_timer_reply, speak_duration, stopwatch_started_reply, stopwatch_stopped_reply,
    timer_cancelled_reply, timer_fired_reply, timer_remaining_reply, timer_set_reply,
};
