//! Sampling settings: plain data, shared by the HTTP side and the engine (and compiled into
//! the request fuzz target, which cannot link llama.cpp).

/// Sampling settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sampling {
    /// 0 means greedy (deterministic).
    pub(crate) temperature: f32,
    pub(crate) top_p: f32,
    pub(crate) seed: u32,
}
