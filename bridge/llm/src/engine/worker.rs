//! The inference thread: loads the model once, keeps it and its context warm, and serves the
//! job queue one request at a time until told to stop.
//!
//! llama.cpp's decode is CPU-bound for seconds at a time, so it runs on a dedicated OS thread,
//! never on the async runtime. The thread waits for jobs through the runtime's handle
//! (`block_on` of a `select!` between the queue and the stop token), so it wakes for either.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::OnceLock;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::generate::Session;
use super::handle::{EngineHandle, Event, GenerationError, Job};
use crate::config::Config;
use crate::error::Error;

/// What the loaded model offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModelInfo {
    /// The name clients see.
    pub(crate) name: String,
    /// The context length actually allocated (llama.cpp may round it).
    pub(crate) context: u32,
}

/// The running engine: the thread, its queue, and the token that stops it.
#[derive(Debug)]
pub(crate) struct Engine {
    handle: EngineHandle,
    info: ModelInfo,
    stop: CancellationToken,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// What the thread needs from the configuration.
#[derive(Debug, Clone)]
struct Settings {
    model: PathBuf,
    name: String,
    context: u32,
    batch: u32,
    threads: u32,
}

impl Engine {
    /// Starts the thread and waits until the model is loaded and a context allocated.
    ///
    /// # Errors
    /// [`Error::ModelLoad`] or [`Error::Context`] when llama.cpp refuses, [`Error::WorkerGone`]
    /// if the thread cannot start.
    pub(crate) async fn start(config: &Config) -> Result<Engine, Error> {
        let settings = Settings {
            model: config.model.clone(),
            name: config.model_name(),
            context: config.context,
            batch: config.batch,
            threads: config.threads(),
        };
        // The queue holds waiting requests only; the one generating has left it.
        let (jobs, queue) = mpsc::channel(config.queue);
        let (loaded_tx, loaded_rx) = oneshot::channel();
        let stop = CancellationToken::new();
        let runtime = tokio::runtime::Handle::current();
        let thread_stop = stop.clone();
        let thread = std::thread::Builder::new()
            .name("hive-llm-inference".into())
            .spawn(move || run(settings, runtime, queue, thread_stop, loaded_tx))
            .map_err(|_| Error::WorkerGone)?;
        match loaded_rx.await {
            Ok(Ok(info)) => Ok(Engine {
                handle: EngineHandle::new(jobs),
                info,
                stop,
                thread: Some(thread),
            }),
            Ok(Err(error)) => {
                let _ = tokio::task::spawn_blocking(move || thread.join()).await;
                Err(error)
            }
            Err(_) => Err(Error::WorkerGone),
        }
    }

    pub(crate) fn handle(&self) -> EngineHandle {
        self.handle.clone()
    }

    pub(crate) fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Stops generating: the current request ends with a shutdown error, queued ones are
    /// rejected, and the thread exits.
    pub(crate) fn stop(&self) {
        self.stop.cancel();
    }

    /// Stops the thread and waits for it to free the model.
    pub(crate) async fn join(mut self) {
        self.stop.cancel();
        if let Some(thread) = self.thread.take()
            && tokio::task::spawn_blocking(move || thread.join())
                .await
                .is_err()
        {
            tracing::error!("The inference thread panicked.");
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // An engine dropped without `join` still stops its thread.
        self.stop.cancel();
    }
}

/// llama.cpp's backend may be initialised once per process; tests and embedders may start
/// several servers, so it is shared.
fn backend() -> Result<&'static LlamaBackend, String> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
            LlamaBackend::init().map_err(|error| error.to_string())
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn run(
    settings: Settings,
    runtime: tokio::runtime::Handle,
    mut queue: mpsc::Receiver<Job>,
    stop: CancellationToken,
    loaded: oneshot::Sender<Result<ModelInfo, Error>>,
) {
    let model_error = |reason: String| Error::ModelLoad {
        path: settings.model.clone(),
        reason,
    };
    let backend = match backend() {
        Ok(backend) => backend,
        Err(reason) => {
            let _ = loaded.send(Err(model_error(reason)));
            return;
        }
    };
    tracing::info!(model = %settings.model.display(), "Loading model.");
    let model =
        match LlamaModel::load_from_file(backend, &settings.model, &LlamaModelParams::default()) {
            Ok(model) => model,
            Err(error) => {
                let _ = loaded.send(Err(model_error(format!(
                    "{error} (is it a GGUF model llama.cpp supports?)"
                ))));
                return;
            }
        };
    let threads = i32::try_from(settings.threads).unwrap_or(i32::MAX);
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(settings.context))
        .with_n_batch(settings.batch)
        .with_n_ubatch(settings.batch)
        .with_n_threads(threads)
        .with_n_threads_batch(threads);
    let context = match model.new_context(backend, params) {
        Ok(context) => context,
        Err(error) => {
            let _ = loaded.send(Err(Error::Context {
                context: settings.context,
                reason: error.to_string(),
            }));
            return;
        }
    };
    let template = chat_template(&model);
    let mut session = Session::new(&model, context, template, settings.batch, runtime.clone());
    let info = ModelInfo {
        name: settings.name.clone(),
        context: session.context_len(),
    };
    tracing::info!(
        model = %info.name,
        context = info.context,
        threads = settings.threads,
        parameters = model.n_params(),
        "Model loaded."
    );
    if loaded.send(Ok(info)).is_err() {
        return;
    }
    loop {
        let job = runtime.block_on(async {
            tokio::select! {
                biased;
                () = stop.cancelled() => None,
                job = queue.recv() => job,
            }
        });
        let Some(job) = job else { break };
        session.run(job, &stop);
    }
    // Answer whatever is still queued, so that no client waits for an answer that will not
    // come. `try_send`: a fresh channel always has room for one event.
    queue.close();
    while let Ok(job) = queue.try_recv() {
        let _ = job
            .events
            .try_send(Event::Failed(GenerationError::ShuttingDown));
    }
    tracing::info!("Inference thread stopped.");
}

/// The model's own chat template when llama.cpp's template engine can apply it, else ChatML
/// (the most common convention, and what Qwen and SmolLM use).
fn chat_template(model: &LlamaModel) -> LlamaChatTemplate {
    #[allow(clippy::expect_used)] // A constant without NUL bytes.
    let chatml = LlamaChatTemplate::new("chatml").expect("constant template name");
    let probe = LlamaChatMessage::new("user".into(), "hello".into());
    match (model.chat_template(None), probe) {
        (Ok(template), Ok(probe))
            if model
                .apply_chat_template(&template, std::slice::from_ref(&probe), true)
                .is_ok() =>
        {
            template
        }
        (Ok(_), _) => {
            tracing::warn!(
                "The model's chat template is not one llama.cpp can apply; using ChatML."
            );
            chatml
        }
        (Err(error), _) => {
            tracing::warn!(error = %error, "The model has no chat template; using ChatML.");
            chatml
        }
    }
}
