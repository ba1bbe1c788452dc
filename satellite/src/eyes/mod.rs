//! Where the eye colour and emotions are shown: a log line, a coloured block on the
//! terminal, and a command hook (LEDs, GPIO). The retained MQTT `eyes` topic is published by
//! the runtime itself.

mod outputs;

pub use outputs::{CommandEyes, EyesOutput, LogEyes, TerminalEyes, outputs_for};
