//! Builds the llama.cpp sampler chain for a request.

use llama_cpp_2::sampling::LlamaSampler;

use super::Sampling;

/// Candidates kept before top-p; llama.cpp's default, which bounds the work per token.
const TOP_K: i32 = 40;

/// Temperature 0 is greedy decoding (what tests and deterministic tool calls want); otherwise
/// top-k, top-p, temperature, then a seeded draw, in llama.cpp's usual order.
pub(crate) fn build(sampling: &Sampling) -> LlamaSampler {
    if sampling.temperature <= 0.0 {
        return LlamaSampler::greedy();
    }
    LlamaSampler::chain_simple([
        LlamaSampler::top_k(TOP_K),
        LlamaSampler::top_p(sampling.top_p, 1),
        LlamaSampler::temp(sampling.temperature),
        LlamaSampler::dist(sampling.seed),
    ])
}
