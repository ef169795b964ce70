//! The control API's errors: `{"error":{"message":"...","status":400}}` with that HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::openapi::{ContentBuilder, RefOr, Response as ResponseDoc, ResponseBuilder};
use utoipa::{PartialSchema, ToResponse, ToSchema};

use crate::store::StoreError;

#[derive(Debug)]
pub struct ControlError {
    pub status: StatusCode,
    pub message: String,
}

impl ControlError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ControlError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ControlError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        ControlError {
            status: StatusCode::CONFLICT,
            message: message.into(),
        }
    }
}

impl From<StoreError> for ControlError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(m) => ControlError::conflict(m),
            StoreError::NotFound(m) => ControlError::not_found(m),
            StoreError::Snapshot(m) => ControlError::bad_request(m),
            StoreError::Unavailable(m) => ControlError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                message: format!("the database is unavailable: {m}"),
            },
            e => {
                tracing::error!("control API store failure: {e}");
                ControlError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    message: "internal storage error".into(),
                }
            }
        }
    }
}

/// The body of every control API error (the OpenAPI document's `Error` response).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub message: String,
    /// The HTTP status, repeated.
    pub status: u16,
}

impl<'r> ToResponse<'r> for ErrorBody {
    fn response() -> (&'r str, RefOr<ResponseDoc>) {
        let content = ContentBuilder::new()
            .schema(Some(ErrorBody::schema()))
            .build();
        let response = ResponseBuilder::new()
            .description("A control API error")
            .content("application/json", content)
            .build();
        ("Error", response.into())
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                status: self.status.as_u16(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}
