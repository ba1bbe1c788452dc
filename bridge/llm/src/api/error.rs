//! Errors in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`, with the
//! status a client's retry logic expects.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::engine::{GenerationError, SubmitError};

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    pub(crate) kind: &'static str,
    pub(crate) code: &'static str,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    message: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    param: Option<()>,
    code: &'a str,
}

impl ApiError {
    /// The request is malformed or asks for something unsupported.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            kind: "invalid_request_error",
            code: "invalid_request",
        }
    }

    /// The body is not the JSON it should be.
    pub(crate) fn invalid_json(message: impl Into<String>) -> Self {
        ApiError {
            code: "invalid_json",
            ..ApiError::invalid(message)
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            ..ApiError::invalid(message)
        }
    }

    /// The engine broke down; the details are logged, not sent.
    pub(crate) fn internal() -> Self {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "The model failed to generate an answer.".into(),
            kind: "server_error",
            code: "internal_error",
        }
    }

    fn unavailable(message: &str, code: &'static str) -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: message.into(),
            kind: "server_error",
            code,
        }
    }

    /// The JSON body, also used as an SSE event when a stream fails midway.
    pub(crate) fn body(&self) -> serde_json::Value {
        serde_json::json!(Body {
            error: Detail {
                message: &self.message,
                kind: self.kind,
                param: None,
                code: self.code
            },
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

impl From<SubmitError> for ApiError {
    fn from(error: SubmitError) -> Self {
        match error {
            SubmitError::Busy => ApiError::unavailable(
                "Too many requests are waiting for the model; try again shortly.",
                "server_busy",
            ),
            SubmitError::Stopped => {
                ApiError::unavailable("The server is shutting down.", "shutting_down")
            }
        }
    }
}

impl From<GenerationError> for ApiError {
    fn from(error: GenerationError) -> Self {
        match error {
            GenerationError::ContextLengthExceeded { .. } => ApiError {
                code: "context_length_exceeded",
                ..ApiError::invalid(error.to_string())
            },
            GenerationError::Template(_) | GenerationError::EmptyPrompt => {
                ApiError::invalid(error.to_string())
            }
            GenerationError::ShuttingDown => {
                ApiError::unavailable("The server is shutting down.", "shutting_down")
            }
            GenerationError::Inference(_) => ApiError::internal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_openais_shape() {
        let body = ApiError::invalid_json("expected value at line 1 column 1").body();
        assert_eq!(
            body,
            serde_json::json!({"error": {
                "message": "expected value at line 1 column 1",
                "type": "invalid_request_error",
                "param": null,
                "code": "invalid_json",
            }})
        );
    }

    #[test]
    fn errors_map_to_the_statuses_clients_expect() {
        let cases = [
            (
                ApiError::from(SubmitError::Busy),
                StatusCode::SERVICE_UNAVAILABLE,
                "server_busy",
            ),
            (
                ApiError::from(GenerationError::ContextLengthExceeded {
                    prompt_tokens: 9000,
                    context: 4096,
                }),
                StatusCode::BAD_REQUEST,
                "context_length_exceeded",
            ),
            (
                ApiError::from(GenerationError::Inference("decode -3".into())),
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
            ),
            (
                ApiError::from(GenerationError::ShuttingDown),
                StatusCode::SERVICE_UNAVAILABLE,
                "shutting_down",
            ),
        ];
        for (error, status, code) in cases {
            assert_eq!((error.status, error.code), (status, code), "{error:?}");
        }
        // Internal details stay in the log.
        assert!(
            !ApiError::from(GenerationError::Inference("decode -3".into()))
                .message
                .contains("-3")
        );
    }
}
