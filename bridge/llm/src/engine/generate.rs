//! One generation on the warm context: render and tokenize the prompt, reuse the cached
//! prefix, evaluate the rest, then sample token by token into the request's channel.

use std::time::Instant;

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::token::LlamaToken;
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::handle::{Event, FinishReason, GenerationError, GenerationRequest, Job};
use super::prefix::reusable_prefix;
use super::sampler;
use super::stop::StopMatcher;
use super::utf8::Utf8Decoder;
use crate::prompt::PromptMessage;

/// Control tokens that are nevertheless part of the answer: the tool-call markup, which the
/// API layer parses out.
const TEXT_CONTROL_TOKENS: [&[u8]; 2] = [b"<tool_call>", b"</tool_call>"];

/// Why a generation ended early.
enum Halt {
    /// The client stopped listening; nobody to tell.
    ClientGone,
    /// Tell the client.
    Failed(GenerationError),
}

impl From<GenerationError> for Halt {
    fn from(error: GenerationError) -> Self {
        Halt::Failed(error)
    }
}

/// The model, its context, and what the context's KV cache holds.
pub(super) struct Session<'m> {
    model: &'m LlamaModel,
    context: LlamaContext<'m>,
    template: LlamaChatTemplate,
    batch: LlamaBatch<'static>,
    batch_size: usize,
    /// The tokens whose keys and values are in the cache; token `i` sits at position `i`.
    cached: Vec<LlamaToken>,
    /// For waiting on a full event channel without spinning.
    runtime: Handle,
}

impl<'m> Session<'m> {
    pub(super) fn new(
        model: &'m LlamaModel,
        context: LlamaContext<'m>,
        template: LlamaChatTemplate,
        batch: u32,
        runtime: Handle,
    ) -> Self {
        let batch_size = usize::try_from(batch).unwrap_or(usize::MAX).max(1);
        Session {
            model,
            context,
            template,
            batch: LlamaBatch::new(batch_size, 1),
            batch_size,
            cached: Vec::new(),
            runtime,
        }
    }

    pub(super) fn context_len(&self) -> u32 {
        self.context.n_ctx()
    }

    /// Runs one job to its end, reporting through its channel.
    pub(super) fn run(&mut self, job: Job, stop: &CancellationToken) {
        let Job { request, events } = job;
        let span = tracing::info_span!("generate", request = %request.id);
        let _entered = span.enter();
        if events.is_closed() {
            tracing::debug!("Client left while queued; skipped.");
            return;
        }
        let reply = Reply {
            events,
            stop: stop.clone(),
            runtime: self.runtime.clone(),
        };
        match self.generate(&request, &reply) {
            Ok(()) => {}
            Err(Halt::ClientGone) => tracing::info!("Client disconnected; generation stopped."),
            Err(Halt::Failed(error)) => {
                match &error {
                    GenerationError::Inference(_) => {
                        tracing::error!(error = %error, "Generation failed.");
                        self.reset();
                    }
                    GenerationError::ShuttingDown => {
                        tracing::info!("Generation stopped for shutdown.")
                    }
                    _ => tracing::info!(error = %error, "Request refused."),
                }
                let _ = reply.send(Event::Failed(error));
            }
        }
    }

    fn generate(&mut self, request: &GenerationRequest, reply: &Reply) -> Result<(), Halt> {
        let started = Instant::now();
        let prompt = self.render(&request.messages)?;
        let model = self.model;
        let vocab = model.vocab();
        let tokens = vocab.tokenize(prompt.as_bytes(), true, true);
        let context = self.context.n_ctx() as usize;
        if tokens.is_empty() {
            return Err(GenerationError::EmptyPrompt.into());
        }
        if tokens.len() >= context {
            return Err(GenerationError::ContextLengthExceeded {
                prompt_tokens: tokens.len(),
                context,
            }
            .into());
        }
        let reused = self.evaluate_prompt(&tokens, reply)?;
        let prompt_tokens = count(tokens.len());
        reply.send(Event::Started {
            prompt_tokens,
            cached_tokens: count(reused),
        })?;
        let prompt_ms = started.elapsed().as_millis();
        tracing::info!(
            prompt_tokens,
            reused_tokens = reused,
            evaluated_tokens = tokens.len() - reused,
            prompt_ms,
            "Prompt evaluated."
        );

        let generating = Instant::now();
        let budget =
            (context - tokens.len()).min(request.max_tokens.map_or(usize::MAX, |max| max as usize));
        let mut sampler = sampler::build(&request.sampling);
        let mut decoder = Utf8Decoder::new();
        let mut stops = StopMatcher::new(request.stop.clone());
        let mut logits_index = self.batch.n_tokens() - 1;
        let mut generated = 0_usize;
        let mut piece = Vec::new();
        let mut stopped_by_sequence = false;
        let reason = loop {
            if reply.stop.is_cancelled() {
                return Err(GenerationError::ShuttingDown.into());
            }
            if generated >= budget {
                break FinishReason::Length;
            }
            let token = sampler.sample(&self.context, logits_index);
            if vocab.is_eog(token) {
                break FinishReason::Stop;
            }
            generated += 1;
            piece.clear();
            vocab.token_to_piece_into(token, &mut piece, true, None);
            // Control tokens (turn and fill-in markers) are not text, except the tool-call
            // tags, which some GGUFs (Qwen2.5-Coder) mark as control.
            if vocab.is_control(token) && !TEXT_CONTROL_TOKENS.contains(&piece.as_slice()) {
                piece.clear();
            }
            let output = stops.push(&decoder.push(&piece));
            if !output.text.is_empty() {
                reply.send(Event::Text(output.text))?;
            }
            if output.stopped {
                stopped_by_sequence = true;
                break FinishReason::Stop;
            }
            self.decode_one(token)?;
            logits_index = 0;
        };
        if !stopped_by_sequence {
            let output = stops.push(&decoder.finish());
            let mut tail = output.text;
            if !output.stopped {
                tail.push_str(&stops.finish());
            }
            if !tail.is_empty() {
                reply.send(Event::Text(tail))?;
            }
        }
        reply.send(Event::Finished {
            reason,
            completion_tokens: count(generated),
        })?;
        let seconds = generating.elapsed().as_secs_f64();
        #[allow(clippy::cast_precision_loss)] // Token counts are far below 2^52.
        let tokens_per_second = if seconds > 0.0 {
            generated as f64 / seconds
        } else {
            0.0
        };
        tracing::info!(
            completion_tokens = generated,
            finish_reason = ?reason,
            tokens_per_second = format_args!("{tokens_per_second:.1}"),
            total_ms = started.elapsed().as_millis(),
            "Generation finished."
        );
        Ok(())
    }

    fn render(&self, messages: &[PromptMessage]) -> Result<String, GenerationError> {
        let chat = messages
            .iter()
            .map(|message| LlamaChatMessage::new(message.role.to_string(), message.content.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| GenerationError::Template(error.to_string()))?;
        self.model
            .apply_chat_template(&self.template, &chat, true)
            .map_err(|error| GenerationError::Template(error.to_string()))
    }

    /// Brings the KV cache to hold exactly `tokens`, keeping the longest prefix it already
    /// holds. Returns how many tokens were reused. Leaves the batch holding the last
    /// evaluated chunk, whose final token has logits.
    fn evaluate_prompt(&mut self, tokens: &[LlamaToken], reply: &Reply) -> Result<usize, Halt> {
        let mut reused = reusable_prefix(&self.cached, tokens);
        if reused < self.cached.len() {
            let from = u32::try_from(reused).ok();
            let removed = from.is_some()
                && self
                    .context
                    .clear_kv_cache_seq(Some(0), from, None)
                    .unwrap_or(false);
            if !removed {
                // Some cache types cannot drop a tail; start over.
                self.context.clear_kv_cache();
                reused = 0;
            }
            self.cached.truncate(reused);
        }
        for chunk in tokens[reused..].chunks(self.batch_size) {
            if reply.stop.is_cancelled() {
                return Err(GenerationError::ShuttingDown.into());
            }
            if reply.events.is_closed() {
                return Err(Halt::ClientGone);
            }
            self.batch.clear();
            let start = self.cached.len();
            let last_chunk = start + chunk.len() == tokens.len();
            for (offset, token) in chunk.iter().enumerate() {
                let logits = last_chunk && offset + 1 == chunk.len();
                self.batch
                    .add(*token, position(start + offset), &[0], logits)
                    .map_err(inference)?;
            }
            self.context.decode(&mut self.batch).map_err(inference)?;
            self.cached.extend_from_slice(chunk);
        }
        Ok(reused)
    }

    fn decode_one(&mut self, token: LlamaToken) -> Result<(), Halt> {
        self.batch.clear();
        self.batch
            .add(token, position(self.cached.len()), &[0], true)
            .map_err(inference)?;
        self.context.decode(&mut self.batch).map_err(inference)?;
        self.cached.push(token);
        Ok(())
    }

    /// Forgets the cache after a failure, when its contents are no longer known.
    fn reset(&mut self) {
        self.context.clear_kv_cache();
        self.cached.clear();
    }
}

/// Where a generation reports to.
struct Reply {
    events: mpsc::Sender<Event>,
    stop: CancellationToken,
    runtime: Handle,
}

impl Reply {
    /// Sends an event. When the client reads slower than the model writes, the engine waits
    /// (policy: block, so the answer stays whole) but still wakes for shutdown; a closed
    /// channel means the client is gone.
    fn send(&self, event: Event) -> Result<(), Halt> {
        let event = match self.events.try_send(event) {
            Ok(()) => return Ok(()),
            Err(mpsc::error::TrySendError::Closed(_)) => return Err(Halt::ClientGone),
            Err(mpsc::error::TrySendError::Full(event)) => event,
        };
        self.runtime.block_on(async {
            tokio::select! {
                sent = self.events.send(event) => sent.map_err(|_| Halt::ClientGone),
                () = self.stop.cancelled() => Err(GenerationError::ShuttingDown.into()),
            }
        })
    }
}

fn inference(error: impl std::fmt::Display) -> Halt {
    Halt::Failed(GenerationError::Inference(error.to_string()))
}

/// Positions stay below the context length, which is a `u32` from llama.cpp.
fn position(index: usize) -> i32 {
    i32::try_from(index).unwrap_or(i32::MAX)
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
