//! Errors in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`, with the
//! status a client's retry logic expects. Plain data (no axum): the request fuzz target
//! compiles it; the HTTP response and the engine's errors are in `error_response.rs`.

use http::StatusCode;
use serde::Serialize;

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

    pub(crate) fn unavailable(message: &str, code: &'static str) -> Self {
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
}
