//! A minimal HTTP/1.1 client over hyper's connection API: one TCP connection per sender,
//! kept alive, with no pooling or redirects in the way of the measurement.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::net::SocketAddr;
use tokio::net::TcpStream;

pub type Sender = SendRequest<Full<Bytes>>;

/// Opens one keep-alive connection to `addr` (always a loopback address here).
pub async fn connect(addr: SocketAddr) -> Result<Sender, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    stream
        .set_nodelay(true)
        .map_err(|e| format!("cannot set TCP_NODELAY on {addr}: {e}"))?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP handshake with {addr} failed: {e}"))?;
    tokio::spawn(async move {
        // The connection ends when the sender is dropped or the server closes it; either
        // way the next send on the sender reports the error.
        let _ = conn.await;
    });
    Ok(sender)
}

/// Builds a request with a Host header (hyper's connection API adds none by itself).
pub fn request(
    addr: SocketAddr,
    method: Method,
    path_and_query: &str,
    json: Option<&Value>,
) -> Result<Request<Full<Bytes>>, String> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path_and_query)
        .header(hyper::header::HOST, addr.to_string());
    let body = match json {
        Some(value) => {
            builder = builder.header(hyper::header::CONTENT_TYPE, "application/json");
            Full::new(Bytes::from(value.to_string()))
        }
        None => Full::new(Bytes::new()),
    };
    builder
        .body(body)
        .map_err(|e| format!("invalid request {path_and_query}: {e}"))
}

/// Sends one request on `sender` and reads the whole response body.
pub async fn send(
    sender: &mut Sender,
    request: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes), String> {
    sender
        .ready()
        .await
        .map_err(|e| format!("connection closed: {e}"))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("cannot read the response body: {e}"))?
        .to_bytes();
    Ok((status, body))
}

/// One request on a fresh connection, answering the status and the body parsed as JSON.
pub async fn call_json(
    addr: SocketAddr,
    method: Method,
    path_and_query: &str,
    json: Option<&Value>,
) -> Result<(StatusCode, Value), String> {
    let mut sender = connect(addr).await?;
    let req = request(addr, method.clone(), path_and_query, json)?;
    let (status, body) = send(&mut sender, req).await?;
    let value = serde_json::from_slice(&body).map_err(|e| {
        format!(
            "{method} {path_and_query} answered {status} with a body that is not JSON ({e}): {}",
            String::from_utf8_lossy(&body)
        )
    })?;
    Ok((status, value))
}
