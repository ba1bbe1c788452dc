//! The inference engine: one thread owns the model, its context and KV cache; requests reach
//! it through a bounded queue and tokens come back through a bounded channel per request.

mod generate;
mod handle;
mod prefix;
mod sampler;
mod sampling;
mod stop;
mod utf8;
mod worker;

pub(crate) use handle::{
    EngineHandle, Event, FinishReason, GenerationError, GenerationRequest, SubmitError,
};
pub(crate) use sampling::Sampling;
pub(crate) use worker::Engine;
