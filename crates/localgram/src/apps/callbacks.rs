//! The business login settings' callbacks (ref 004 L774-787): when a person removes the app
//! (deauthorize) or asks for their data to be deleted, Meta POSTs a `signed_request` to the
//! URL the app configured. The reference gives no payload; localgram sends Meta's public
//! format (docs/decisions.md): `signed_request=<signature>.<payload>`, both base64url without
//! padding, the payload JSON `{"algorithm":"HMAC-SHA256","issued_at","user_id"}` and the
//! signature HMAC-SHA256 of the encoded payload keyed with the app secret.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use std::time::Duration;

/// How long localgram waits for an app's callback to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Meta's `signed_request` for `user_id`, issued at `issued_at` (Unix seconds).
pub fn signed_request(secret: &str, user_id: &str, issued_at: i64) -> String {
    let payload = json!({"algorithm": "HMAC-SHA256", "issued_at": issued_at, "user_id": user_id});
    let encoded = URL_SAFE_NO_PAD.encode(payload.to_string());
    let signature = match Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(encoded.as_bytes());
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    format!("{signature}.{encoded}")
}

/// What an app's callback answered.
#[derive(Debug, Clone)]
pub struct Answer {
    pub url: String,
    /// The HTTP status, or `None` when the callback could not be reached.
    pub status: Option<u16>,
    /// The body as JSON (a string when it is not JSON).
    pub body: Value,
    pub error: Option<String>,
}

impl Answer {
    pub fn to_json(&self) -> Value {
        json!({"url": self.url, "status": self.status, "body": self.body, "error": self.error})
    }
}

/// POSTs `signed_request` to `url` as a form, as Meta does.
pub async fn post(client: &reqwest::Client, url: &str, signed_request: &str) -> Answer {
    let sent = client
        .post(url)
        .timeout(TIMEOUT)
        .form(&[("signed_request", signed_request)])
        .send()
        .await;
    match sent {
        Err(error) => Answer {
            url: url.to_string(),
            status: None,
            body: Value::Null,
            error: Some(format!("the callback could not be reached: {error}")),
        },
        Ok(response) => {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
            let error = (!(200..300).contains(&status))
                .then(|| format!("the callback answered HTTP {status}"));
            Answer {
                url: url.to_string(),
                status: Some(status),
                body,
                error,
            }
        }
    }
}

/// The data-deletion callback must answer `{"url", "confirmation_code"}`: the status page
/// the person can visit and the code that names their request (Meta's public contract).
pub fn deletion_receipt(answer: &Answer) -> Result<(String, String), String> {
    if let Some(error) = &answer.error {
        return Err(error.clone());
    }
    let text = |name: &str| {
        answer
            .body
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match (text("url"), text("confirmation_code")) {
        (Some(url), Some(code)) => Ok((url, code)),
        _ => Err(
            "the data deletion callback must answer JSON {\"url\", \"confirmation_code\"}".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_request_verifies_with_the_app_secret() {
        let signed = signed_request("s3cret", "42", 1_700_000_000);
        let (signature, payload) = signed.split_once('.').unwrap();
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap();
        mac.update(payload.as_bytes());
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap())
            .unwrap();
        let decoded: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(
            decoded,
            json!({"algorithm": "HMAC-SHA256", "issued_at": 1_700_000_000, "user_id": "42"})
        );
    }
}
