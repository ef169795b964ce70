//! The proxy listener (`--proxy`). Each connection speaks HTTP/1.1 to the proxy:
//!
//! - `CONNECT host:port` to a Meta host localgram serves: answered 200, then TLS is terminated
//!   with the CA's leaf for that host and the requests inside go to localgram's service;
//! - `CONNECT` anywhere else: a TCP tunnel to that host (`forward::splice`), or 403 with
//!   `--proxy-only-meta`;
//! - absolute-form `GET http://graph.facebook.com/...` (and `https://`, as some clients send
//!   through a plain proxy): answered by localgram; other hosts are forwarded or refused;
//! - origin-form `GET /v24.0/me`: localgram itself, as on the plain port.
//!
//! Only hosts and outcomes are logged; never URLs (they carry tokens) nor bodies.

use axum::body::Body;
use axum::http::{header, Method, Request, Response, StatusCode};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::{forward, is_intercepted, tls};

pub struct Proxy {
    pub service: Router,
    pub tls: Arc<rustls::ServerConfig>,
    pub only_meta: bool,
    pub shutdown: watch::Receiver<bool>,
}

/// Accepts proxy connections until the front layer stops.
pub async fn run(listener: TcpListener, proxy: Arc<Proxy>) {
    let mut shutdown = proxy.shutdown.clone();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => return,
        };
        match accepted {
            Ok((tcp, _)) => {
                let _ = tcp.set_nodelay(true);
                tokio::spawn(serve_connection(tcp, proxy.clone()));
            }
            Err(e) => {
                tracing::warn!("proxy: accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}

async fn serve_connection(tcp: TcpStream, proxy: Arc<Proxy>) {
    let mut shutdown = proxy.shutdown.clone();
    let handler = hyper::service::service_fn(move |request: Request<Incoming>| {
        let proxy = proxy.clone();
        async move { Ok::<_, Infallible>(proxy.answer(request).await) }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(tcp), handler)
        .with_upgrades();
    tokio::select! {
        result = connection => {
            if let Err(e) = result {
                tracing::debug!("proxy connection ended: {e}");
            }
        }
        _ = shutdown.wait_for(|stop| *stop) => {}
    }
}

/// A short plain-text answer from the proxy itself.
pub fn plain(status: StatusCode, text: String) -> Response<Body> {
    let mut response = Response::new(Body::from(text + "\n"));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn refused(host: &str) -> Response<Body> {
    tracing::info!("proxy: refused {host} (--proxy-only-meta)");
    plain(
        StatusCode::FORBIDDEN,
        format!(
            "localgram proxy: {host} is not a Meta host localgram serves, and --proxy-only-meta refuses other hosts"
        ),
    )
}

/// The host of a URI authority without IPv6 brackets.
fn host_of(authority: &axum::http::uri::Authority) -> String {
    authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string()
}

impl Proxy {
    async fn answer(self: Arc<Self>, request: Request<Incoming>) -> Response<Body> {
        if request.method() == Method::CONNECT {
            return self.connect(request).await;
        }
        let uri = request.uri();
        let (scheme, authority) = match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => (scheme.to_ascii_lowercase(), authority.clone()),
            // Origin-form: a request to the proxy port itself.
            _ => return self.local(request, "localhost", "http").await,
        };
        let host = host_of(&authority);
        if is_intercepted(&host) {
            let scheme = if scheme == "https" { "https" } else { "http" };
            return self.local(request, &host, scheme).await;
        }
        if self.only_meta {
            return refused(&host);
        }
        if scheme != "http" {
            return plain(
                StatusCode::BAD_REQUEST,
                format!("localgram proxy: use CONNECT for {scheme}:// URLs to {host}"),
            );
        }
        forward::http(request, &host, authority.port_u16().unwrap_or(80)).await
    }

    /// Answers with localgram's service as if the request had come to `host`'s origin.
    async fn local(
        &self,
        request: Request<Incoming>,
        host: &str,
        scheme: &'static str,
    ) -> Response<Body> {
        use tower::ServiceExt;
        let request = tls::as_origin_request(request.map(Body::new), host, scheme);
        self.service
            .clone()
            .oneshot(request)
            .await
            .unwrap_or_else(|e| match e {})
    }

    async fn connect(&self, request: Request<Incoming>) -> Response<Body> {
        let Some(authority) = request.uri().authority().cloned() else {
            return plain(
                StatusCode::BAD_REQUEST,
                "localgram proxy: CONNECT needs host:port".into(),
            );
        };
        let host = host_of(&authority);
        let port = authority.port_u16().unwrap_or(443);
        if is_intercepted(&host) {
            tracing::debug!("proxy: intercepting {host}:{port}");
            let acceptor = TlsAcceptor::from(self.tls.clone());
            let service = self.service.clone();
            let shutdown = self.shutdown.clone();
            tokio::spawn(async move {
                match hyper::upgrade::on(request).await {
                    Ok(upgraded) => {
                        tls::serve(TokioIo::new(upgraded), acceptor, service, host, shutdown).await
                    }
                    Err(e) => tracing::debug!("proxy: CONNECT {host} not upgraded: {e}"),
                }
            });
            return Response::new(Body::empty());
        }
        if self.only_meta {
            return refused(&host);
        }
        // Connect before answering, so an unreachable host is a 502 the client can read.
        match forward::connect(&host, port).await {
            Ok(upstream) => {
                tracing::debug!("proxy: tunnelling {host}:{port}");
                tokio::spawn(forward::splice(request, upstream, self.shutdown.clone()));
                Response::new(Body::empty())
            }
            Err(e) => plain(
                StatusCode::BAD_GATEWAY,
                format!("localgram proxy: cannot reach {host}:{port}: {e}"),
            ),
        }
    }
}
