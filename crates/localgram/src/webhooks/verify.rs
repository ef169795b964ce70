//! The verification request a callback must pass before anything is delivered to it: `GET
//! <callback>?hub.mode=subscribe&hub.challenge=<int>&hub.verify_token=<token>`, answered with
//! the challenge (ref 004 L2282-2310). Failures become the caller's Graph error, never a panic:
//! a malformed URL, a host that does not answer, a wrong status or a wrong echo.

use graph::GraphError;
use reqwest::Url;
use std::time::Duration;

/// Checks a callback URL's form: absolute http(s) with a host. An `https` callback's
/// certificate is verified against the certificates given to the control API (7.15,
/// `webhooks::mtls`).
pub fn parse_callback(text: &str) -> Result<Url, GraphError> {
    let invalid = || GraphError::param_invalid("callback_url", "a valid URL");
    let url = Url::parse(text.trim()).map_err(|_| invalid())?;
    if url.host_str().is_none_or(str::is_empty) || url.cannot_be_a_base() {
        return Err(invalid());
    }
    match url.scheme() {
        "http" | "https" => Ok(url),
        _ => Err(invalid()),
    }
}

/// The verification URL: the callback with the three `hub.*` parameters appended.
pub fn verification_url(callback: &Url, challenge: &str, verify_token: &str) -> Url {
    let mut url = callback.clone();
    url.query_pairs_mut()
        .append_pair("hub.mode", "subscribe")
        .append_pair("hub.challenge", challenge)
        .append_pair("hub.verify_token", verify_token);
    url
}

/// Sends the verification request and checks the echo.
pub async fn verify(
    client: &reqwest::Client,
    callback: &Url,
    verify_token: &str,
    timeout: Duration,
) -> Result<(), GraphError> {
    // An int, as the sample's 1158201444 (004 L2298).
    let challenge = rand::random_range(100_000_000_u32..2_000_000_000).to_string();
    let url = verification_url(callback, &challenge, verify_token);
    let response = client
        .get(url)
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| GraphError::callback_verification_failed(&describe_error(&e, timeout)))?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        return Err(GraphError::callback_verification_failed(&format!(
            "Received HTTP code {} from {callback}",
            status.as_u16()
        )));
    }
    let body = tokio::time::timeout(timeout, response.bytes())
        .await
        .map_err(|_| {
            GraphError::callback_verification_failed(&format!(
                "Operation timed out after {} milliseconds",
                timeout.as_millis()
            ))
        })?
        .map_err(|e| GraphError::callback_verification_failed(&describe_error(&e, timeout)))?;
    let received = String::from_utf8_lossy(&body);
    if received.trim() != challenge {
        return Err(GraphError::callback_challenge_mismatch(
            &challenge,
            received.trim(),
        ));
    }
    Ok(())
}

/// A transport failure in the words Meta's fetcher uses.
pub fn describe_error(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        format!(
            "Operation timed out after {} milliseconds with 0 bytes received",
            timeout.as_millis()
        )
    } else if error.is_connect() {
        let detail = chain(error);
        let lower = detail.to_ascii_lowercase();
        if ["certificate", "tls", "handshake", "alert"]
            .iter()
            .any(|w| lower.contains(w))
        {
            // The TLS handshake failed: say why (an untrusted server certificate, a receiver
            // that wants a client certificate).
            format!("SSL connect error: {detail}")
        } else if detail.contains("dns") || detail.contains("resolve") || detail.contains("lookup")
        {
            "Couldn't resolve host".to_string()
        } else {
            "Couldn't connect to server".to_string()
        }
    } else {
        chain(error)
    }
}

/// The error and its sources, joined.
fn chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_urls_are_checked_before_any_request() {
        for bad in [
            "",
            "not a url",
            "ftp://x.test/cb",
            "http://",
            "mailto:a@b.c",
            "/cb",
        ] {
            let e = parse_callback(bad).unwrap_err();
            assert_eq!(e.code, 100, "{bad}");
            assert_eq!(e.message, "(#100) Param callback_url must be a valid URL");
        }
        assert!(parse_callback("https://x.test/cb").is_ok());
        assert!(parse_callback("http://127.0.0.1:9/cb?x=1").is_ok());
    }

    #[test]
    fn the_hub_parameters_are_appended_to_the_callback_query() {
        // ref 004 L2288-2293.
        let url = verification_url(
            &Url::parse("http://127.0.0.1:9/webhooks?k=v").unwrap(),
            "1158201444",
            "meatyhamhock",
        );
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/webhooks?k=v&hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock"
        );
    }
}
