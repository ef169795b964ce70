//! The control API's errors: `{"error":{"message":"...","status":400}}` with that HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

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

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"message": self.message, "status": self.status.as_u16()}});
        (self.status, Json(body)).into_response()
    }
}
