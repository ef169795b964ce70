//! Passing hosts localgram does not serve through the proxy untouched: a TCP splice after
//! CONNECT, and plain-HTTP absolute-form requests forwarded on a fresh connection. Nothing of
//! the traffic is logged or kept.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode, Uri};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::connect::plain;

/// How long reaching an upstream host may take before the client gets a 502.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn connect(host: &str, port: u16) -> std::io::Result<TcpStream> {
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host, port)))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out"))??;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// After the 200 to CONNECT: copies bytes both ways until either side closes.
pub async fn splice(
    request: Request<Incoming>,
    mut upstream: TcpStream,
    mut shutdown: watch::Receiver<bool>,
) {
    let upgraded = match hyper::upgrade::on(request).await {
        Ok(upgraded) => upgraded,
        Err(e) => {
            tracing::debug!("proxy: tunnel not upgraded: {e}");
            return;
        }
    };
    let mut client = TokioIo::new(upgraded);
    tokio::select! {
        result = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {
            if let Err(e) = result {
                tracing::debug!("proxy: tunnel ended: {e}");
            }
        }
        _ = shutdown.wait_for(|stop| *stop) => {}
    }
}

/// Headers for one hop only (RFC 9110 §7.6.1), never passed on.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let listed: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in listed {
        headers.remove(name);
    }
    for name in [
        "connection",
        "proxy-connection",
        "keep-alive",
        "proxy-authorization",
        "proxy-authenticate",
        "te",
        "trailer",
        "upgrade",
    ] {
        headers.remove(name);
    }
}

/// Forwards a plain-HTTP absolute-form request to `host:port` and streams the answer back.
pub async fn http(mut request: Request<Incoming>, host: &str, port: u16) -> Response<Body> {
    let bad_gateway = |what: String| {
        plain(
            StatusCode::BAD_GATEWAY,
            format!("localgram proxy: {host}:{port}: {what}"),
        )
    };
    let upstream = match connect(host, port).await {
        Ok(upstream) => upstream,
        Err(e) => return bad_gateway(format!("cannot connect: {e}")),
    };
    let (mut sender, connection) =
        match hyper::client::conn::http1::handshake(TokioIo::new(upstream)).await {
            Ok(pair) => pair,
            Err(e) => return bad_gateway(format!("{e}")),
        };
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("proxy: forwarded connection ended: {e}");
        }
    });
    let authority = request.uri().authority().map(|a| a.as_str().to_string());
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    match path.parse::<Uri>() {
        Ok(uri) => *request.uri_mut() = uri,
        Err(_) => return bad_gateway("bad path".into()),
    }
    let headers = request.headers_mut();
    strip_hop_by_hop(headers);
    if !headers.contains_key(header::HOST) {
        if let Some(value) = authority.and_then(|a| HeaderValue::from_str(&a).ok()) {
            headers.insert(header::HOST, value);
        }
    }
    match sender.send_request(request).await {
        Ok(response) => {
            let mut response = response.map(Body::new);
            strip_hop_by_hop(response.headers_mut());
            response
        }
        Err(e) => bad_gateway(format!("{e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_are_dropped_and_listed_ones_too() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "connection",
            HeaderValue::from_static("close, x-secret-hop"),
        );
        headers.insert("x-secret-hop", HeaderValue::from_static("1"));
        headers.insert(
            "proxy-authorization",
            HeaderValue::from_static("Basic eA=="),
        );
        headers.insert("accept", HeaderValue::from_static("*/*"));
        strip_hop_by_hop(&mut headers);
        assert_eq!(headers.len(), 1);
        assert_eq!(headers["accept"], "*/*");
    }
}
