//! The remote HTTP engine: POSTs the text and decodes the WAV that comes back.

use std::sync::mpsc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use tokio::runtime::Handle;

use super::config::{HttpConfig, HttpRequest};
use crate::tts::config::BuildContext;
use crate::tts::engine::{Speech, Tts, check_speaks};
use crate::tts::error::TtsError;
use crate::tts::lang::matches;
use crate::tts::wav::decode_wav;

const NAME: &str = "http";
/// The largest answer accepted: about 25 minutes of 22 kHz speech.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
/// How long to wait for the request task beyond the request's own timeout before giving
/// up on it (a runtime too busy to run it, or one shutting down).
const GRACE: Duration = Duration::from_secs(2);

/// Speaks through a remote TTS server.
///
/// [`synthesize`](Tts::synthesize) blocks like every engine: the request runs as a task on
/// the Tokio runtime given at construction while the calling (blocking) thread waits for it.
/// It never calls `block_on`, so calling it from an async worker cannot panic; it would only
/// stall that worker, so do not.
#[derive(Debug)]
pub struct HttpTts {
    client: reqwest::Client,
    url: reqwest::Url,
    request: HttpRequest,
    timeout: Duration,
    languages: Vec<String>,
    runtime: Handle,
}

impl HttpTts {
    /// Prepares the client; does not contact the server (see [`Tts::health`]).
    ///
    /// # Errors
    ///
    /// [`TtsError::Config`] for invalid values or when there is no Tokio runtime to send
    /// requests on (neither [`BuildContext::runtime`] nor a current one);
    /// [`TtsError::EngineUnavailable`] if the HTTP client cannot be created.
    pub fn new(config: &HttpConfig, ctx: &BuildContext) -> Result<Self, TtsError> {
        config.validate()?;
        let url = reqwest::Url::parse(&config.url).map_err(|error| TtsError::Config {
            field: "tts.url",
            reason: error.to_string(),
        })?;
        let runtime = match &ctx.runtime {
            Some(runtime) => runtime.clone(),
            None => Handle::try_current().map_err(|_| TtsError::Config {
                field: "tts.type",
                reason: "the http engine needs a Tokio runtime: build it inside one or set BuildContext::runtime".into(),
            })?,
        };
        let timeout = Duration::from_millis(config.timeout_ms);
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|error| {
                TtsError::unavailable(NAME, format!("cannot create the HTTP client: {error}"))
            })?;
        Ok(HttpTts {
            client,
            url,
            request: config.request,
            timeout,
            languages: config.languages.clone(),
            runtime,
        })
    }

    async fn fetch(
        client: reqwest::Client,
        url: reqwest::Url,
        request: HttpRequest,
        text: String,
        lang: String,
    ) -> Result<Vec<u8>, String> {
        let builder = client.post(url.clone()).header(ACCEPT, "audio/wav");
        let builder = match request {
            HttpRequest::Json => {
                builder.json(&serde_json::json!({ "text": text, "language": lang }))
            }
            HttpRequest::Text => builder
                .header(CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(text),
        };
        let mut response = builder
            .send()
            .await
            .map_err(|error| format!("POST {url}: {error}"))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            let body: String = body.chars().take(200).collect();
            return Err(format!(
                "POST {url}: the server answered {status}: {}",
                body.trim()
            ));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| format!("POST {url}: reading the answer: {error}"))?
        {
            if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(format!(
                    "POST {url}: the answer is larger than {MAX_RESPONSE_BYTES} bytes"
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

impl Tts for HttpTts {
    fn synthesize(&self, text: &str, lang: &str) -> Result<Speech, TtsError> {
        if !self.supports(lang) {
            return Err(TtsError::unsupported(NAME, lang));
        }
        let (done, result) = mpsc::sync_channel(1);
        let request = Self::fetch(
            self.client.clone(),
            self.url.clone(),
            self.request,
            text.to_owned(),
            lang.to_owned(),
        );
        // If the runtime is shutting down the task is dropped, `done` with it, and the
        // receive below fails at once.
        self.runtime.spawn(async move {
            let _ = done.send(request.await);
        });
        let bytes = match result.recv_timeout(self.timeout + GRACE) {
            Ok(bytes) => bytes.map_err(|detail| TtsError::synthesis(NAME, detail))?,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(TtsError::synthesis(
                    NAME,
                    format!("no answer within {} ms", self.timeout.as_millis()),
                ));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(TtsError::unavailable(
                    NAME,
                    "the Tokio runtime is shutting down",
                ));
            }
        };
        decode_wav(&bytes).map_err(|error| {
            TtsError::synthesis(
                NAME,
                format!("the server answered with unreadable audio: {error}"),
            )
        })
    }

    fn supports(&self, lang: &str) -> bool {
        self.languages
            .iter()
            .any(|configured| matches(configured, lang))
    }

    fn name(&self) -> &str {
        NAME
    }

    fn health(&self) -> Result<(), TtsError> {
        let lang = self.languages.first().map_or("en", String::as_str);
        check_speaks(self, lang)
    }
}
