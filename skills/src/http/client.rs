//! A small blocking HTTP client: JSON and text in, typed errors out, secrets never logged.
//!
//! Blocking because [`Skill::execute`](crate::Skill::execute) is synchronous: the bridge runs
//! skills on a blocking thread. Build it on a blocking thread too (`reqwest::blocking` starts
//! its own small runtime and refuses to do so on an async worker).

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Bodies larger than this are refused: a weather answer is a few kilobytes, a busy calendar a
/// few hundred; anything bigger is not what we asked for.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Why a request failed. Messages never contain the URL's query (API keys travel there).
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    /// The request could not be sent or the response not read (connection refused, timeout).
    #[error("{service} unreachable: {reason}")]
    Unreachable {
        /// Which service, for the logs.
        service: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The server answered with an error status.
    #[error("{service} answered HTTP {status}")]
    Status {
        /// Which service.
        service: &'static str,
        /// The status code.
        status: u16,
    },
    /// The body is not what the API documents.
    #[error("{service} sent an unexpected response: {reason}")]
    Body {
        /// Which service.
        service: &'static str,
        /// What was wrong with it.
        reason: String,
    },
}

/// A blocking client with a timeout, shared by one skill's requests.
#[derive(Debug, Clone)]
pub(crate) struct HttpClient {
    inner: reqwest::blocking::Client,
    service: &'static str,
}

impl HttpClient {
    /// A client for `service` (named in errors) whose requests give up after `timeout`.
    ///
    /// # Errors
    /// The TLS backend could not be initialised.
    pub(crate) fn new(service: &'static str, timeout: Duration) -> Result<HttpClient, HttpError> {
        let inner = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("hive/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| HttpError::Unreachable {
                service,
                reason: error.without_url().to_string(),
            })?;
        Ok(HttpClient { inner, service })
    }

    /// GET `url` with `query`, decoding the JSON body as `T`.
    pub(crate) fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        query: &[(&str, &str)],
        bearer: Option<&str>,
    ) -> Result<T, HttpError> {
        let mut request = self.inner.get(url).query(query);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let body = self.send(request)?;
        self.decode(&body)
    }

    /// GET `url` as text.
    pub(crate) fn get_text(&self, url: &str, bearer: Option<&str>) -> Result<String, HttpError> {
        let mut request = self.inner.get(url);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let body = self.send(request)?;
        String::from_utf8(body).map_err(|_| HttpError::Body {
            service: self.service,
            reason: "the body is not UTF-8".into(),
        })
    }

    /// POST `body` as JSON to `url`; returns the response body as text.
    pub(crate) fn post_json(
        &self,
        url: &str,
        body: &Value,
        bearer: Option<&str>,
    ) -> Result<String, HttpError> {
        let mut request = self.inner.post(url).json(body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let body = self.send(request)?;
        String::from_utf8(body).map_err(|_| HttpError::Body {
            service: self.service,
            reason: "the body is not UTF-8".into(),
        })
    }

    fn send(&self, request: reqwest::blocking::RequestBuilder) -> Result<Vec<u8>, HttpError> {
        let unreachable = |error: reqwest::Error| HttpError::Unreachable {
            service: self.service,
            reason: error.without_url().to_string(),
        };
        let response = request.send().map_err(unreachable)?;
        let status = response.status();
        if !status.is_success() {
            return Err(HttpError::Status {
                service: self.service,
                status: status.as_u16(),
            });
        }
        if response
            .content_length()
            .is_some_and(|length| length > MAX_BODY_BYTES as u64)
        {
            return Err(self.too_large());
        }
        let body = response.bytes().map_err(unreachable)?;
        if body.len() > MAX_BODY_BYTES {
            return Err(self.too_large());
        }
        Ok(body.to_vec())
    }

    fn too_large(&self) -> HttpError {
        HttpError::Body {
            service: self.service,
            reason: format!("larger than {MAX_BODY_BYTES} bytes"),
        }
    }

    fn decode<T: DeserializeOwned>(&self, body: &[u8]) -> Result<T, HttpError> {
        decode(self.service, body)
    }
}

/// `body` as the JSON of `T`; an error names `service`. Every JSON answer a skill reads goes
/// through here (and so does the `http_answers` fuzz target, through `answers`).
pub(crate) fn decode<T: DeserializeOwned>(
    service: &'static str,
    body: &[u8],
) -> Result<T, HttpError> {
    serde_json::from_slice(body).map_err(|error| HttpError::Body {
        service,
        reason: error.to_string(),
    })
}
