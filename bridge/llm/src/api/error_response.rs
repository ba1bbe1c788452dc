//! An [`ApiError`] as an HTTP answer, and the engine's errors as API errors.

use axum::Json;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::engine::{GenerationError, SubmitError};

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
    use axum::http::StatusCode;

    use super::*;

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
