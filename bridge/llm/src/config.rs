//! The server's settings, with their defaults in one place and validation that runs before
//! the model loads or a socket opens.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::error::Error;

/// Default context length in tokens: room for Hive's system prompt, tools and a few turns.
pub const DEFAULT_CONTEXT: u32 = 4096;
/// Default number of requests that may wait while one is generating. Beyond this the server
/// answers 503: a voice turn that would wait behind eight others is better retried or
/// failed over than queued.
pub const DEFAULT_QUEUE: usize = 8;
/// Default prompt-evaluation batch in tokens (llama.cpp's usual micro-batch).
pub const DEFAULT_BATCH: u32 = 512;
/// Default time in-flight requests get to finish after a shutdown signal.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(5);

/// The smallest context that can hold a chat template and a short answer.
const MIN_CONTEXT: u32 = 64;

/// Everything [`crate::serve`] needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The GGUF model file.
    pub model: PathBuf,
    /// The name reported by `/v1/models` and in responses; default: the file's stem.
    pub model_name: Option<String>,
    /// Address to listen on; loopback by default, since the bridge is the only client.
    pub host: IpAddr,
    /// Port to listen on; 0 picks a free one (read it back from [`crate::Server::local_addr`]).
    pub port: u16,
    /// Context length in tokens (prompt plus answer).
    pub context: u32,
    /// Inference threads; `None` uses every available core.
    pub threads: Option<u32>,
    /// How many requests may wait while one generates.
    pub queue: usize,
    /// Prompt-evaluation batch size in tokens.
    pub batch: u32,
    /// How long in-flight requests may run on after shutdown is requested.
    pub grace: Duration,
}

impl Config {
    /// Settings for `model` with every other field at its default.
    #[must_use]
    pub fn new(model: impl Into<PathBuf>) -> Self {
        Config {
            model: model.into(),
            model_name: None,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            context: DEFAULT_CONTEXT,
            threads: None,
            queue: DEFAULT_QUEUE,
            batch: DEFAULT_BATCH,
            grace: DEFAULT_GRACE,
        }
    }

    /// Checks the settings and that the model file exists.
    ///
    /// # Errors
    /// [`Error::Config`] naming the bad setting, or [`Error::ModelNotFound`].
    pub fn validate(&self) -> Result<(), Error> {
        if self.context < MIN_CONTEXT {
            return Err(Error::Config(format!(
                "context must be at least {MIN_CONTEXT} tokens, got {}",
                self.context
            )));
        }
        if self.threads == Some(0) {
            return Err(Error::Config(
                "threads must be at least 1 (or unset for all cores)".into(),
            ));
        }
        if self.queue == 0 {
            return Err(Error::Config("queue must hold at least 1 request".into()));
        }
        if self.batch == 0 || self.batch > self.context {
            return Err(Error::Config(format!(
                "batch must be between 1 and the context length ({}), got {}",
                self.context, self.batch
            )));
        }
        if let Some(name) = &self.model_name
            && name.trim().is_empty()
        {
            return Err(Error::Config("model name must not be empty".into()));
        }
        if !self.model.is_file() {
            return Err(Error::ModelNotFound {
                path: self.model.clone(),
            });
        }
        Ok(())
    }

    /// The socket address to bind.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }

    /// The model name to report: the configured one, else the file stem.
    #[must_use]
    pub fn model_name(&self) -> String {
        self.model_name.clone().unwrap_or_else(|| {
            self.model
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_else(|| "local".to_string())
        })
    }

    /// Inference threads to use.
    #[must_use]
    pub fn threads(&self) -> u32 {
        self.threads.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| u32::try_from(n.get()).unwrap_or(u32::MAX))
                .unwrap_or(1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn existing() -> Config {
        // Any existing file stands in for the model: validation only checks it is there.
        Config::new(std::env::current_exe().expect("test binary path"))
    }

    #[test]
    fn defaults_are_valid() {
        assert!(existing().validate().is_ok());
    }

    #[test]
    fn missing_model_is_reported_with_the_provisioning_hint() {
        let error = Config::new("/nonexistent/model.gguf")
            .validate()
            .unwrap_err();
        assert!(matches!(error, Error::ModelNotFound { .. }));
        assert!(
            error.to_string().contains("models install --all"),
            "{error}"
        );
        assert!(error.is_model_error());
    }

    #[test]
    fn out_of_range_settings_are_named() {
        type Change = fn(&mut Config);
        let cases: [(Change, &str); 4] = [
            (|c| c.context = 8, "context"),
            (|c| c.threads = Some(0), "threads"),
            (|c| c.queue = 0, "queue"),
            (|c| c.batch = 100_000, "batch"),
        ];
        for (change, word) in cases {
            let mut config = existing();
            change(&mut config);
            let error = config.validate().unwrap_err();
            assert!(matches!(error, Error::Config(_)));
            assert!(
                error.to_string().contains(word),
                "{error} should mention {word}"
            );
        }
    }

    #[test]
    fn model_name_defaults_to_the_file_stem() {
        let config = Config::new("/models/qwen2.5-0.5b.gguf");
        assert_eq!(config.model_name(), "qwen2.5-0.5b");
    }
}
