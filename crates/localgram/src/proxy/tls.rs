//! TLS for Meta's hostnames: one rustls configuration whose certificate is picked by SNI
//! (a leaf per host from the local CA), ALPN offering HTTP/2 and HTTP/1.1, and serving a
//! decrypted connection with the axum service. Used by the proxy after CONNECT and by the
//! `--tls-listen` listener.

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, Uri};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::{is_intercepted, Authority, INTERCEPTED_HOSTS};

/// Picks the leaf by SNI: a Meta host localgram serves, or `localhost` / `*.localhost`. A
/// client that sends no SNI (an IP address) gets one leaf naming every served host and the
/// loopback addresses. Any other name gets no certificate: the handshake fails rather than
/// pretending to be a host localgram does not serve.
#[derive(Debug)]
struct ByServerName(Arc<Authority>);

fn is_local_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("localhost") || name.to_ascii_lowercase().ends_with(".localhost")
}

impl ResolvesServerCert for ByServerName {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let made = match hello.server_name() {
            Some(name) if is_intercepted(name) || is_local_name(name) => {
                self.0.leaf(&[&name.to_ascii_lowercase()])
            }
            Some(name) => {
                tracing::warn!("TLS: no certificate for {name}: not a host localgram serves");
                return None;
            }
            None => {
                let mut names: Vec<&str> = INTERCEPTED_HOSTS.to_vec();
                names.extend(["localhost", "127.0.0.1", "::1"]);
                self.0.leaf(&names)
            }
        };
        made.map_err(|e| tracing::error!("TLS: {e}")).ok()
    }
}

/// The server configuration shared by every terminated connection (its session cache too).
pub fn server_config(
    authority: Arc<Authority>,
) -> Result<Arc<rustls::ServerConfig>, rustls::Error> {
    // ring explicitly: no process-wide default provider to depend on. rustls deprecates it for
    // lacking post-quantum key exchange, which loopback test traffic does not need; aws-lc-rs
    // would add a second, much slower to build, C crypto library (docs/decisions.md).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(ByServerName(authority)));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Makes a decrypted request look as it would at Meta's origin: origin-form URI, the host in
/// `Host` (HTTP/2 sends `:authority` instead; `default_host` when neither says), and
/// `X-Forwarded-Proto` saying how it came, so links localgram writes use the same scheme.
pub fn as_origin_request<B>(
    mut request: Request<B>,
    default_host: &str,
    scheme: &'static str,
) -> Request<B> {
    let authority = request.uri().authority().map(|a| a.as_str().to_string());
    if let Some(path) = request.uri().path_and_query().cloned() {
        if let Ok(uri) = Uri::builder().path_and_query(path).build() {
            *request.uri_mut() = uri;
        }
    }
    let headers = request.headers_mut();
    if !headers.contains_key(header::HOST) {
        let host = authority.as_deref().unwrap_or(default_host);
        if let Ok(value) = HeaderValue::from_str(host) {
            headers.insert(header::HOST, value);
        }
    }
    headers.insert("x-forwarded-proto", HeaderValue::from_static(scheme));
    // Meant for the proxy, never for the origin.
    headers.remove("proxy-connection");
    headers.remove(header::PROXY_AUTHORIZATION);
    request
}

/// Accepts TLS on `io` and serves the decrypted connection with `service` until the client
/// closes it or the front layer stops. A request that names no host gets the SNI name, else
/// `host`.
pub async fn serve<IO>(
    io: IO,
    acceptor: TlsAcceptor,
    service: Router,
    host: String,
    mut shutdown: watch::Receiver<bool>,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let stream = match acceptor.accept(io).await {
        Ok(stream) => stream,
        Err(e) => {
            // Commonly a client that does not trust the CA yet: say so without the traffic.
            tracing::info!("TLS handshake for {host} failed: {e}");
            return;
        }
    };
    let session = stream.get_ref().1;
    let h2 = session.alpn_protocol() == Some(b"h2");
    let host = session.server_name().map(str::to_string).unwrap_or(host);
    let handler = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
        let request = as_origin_request(request.map(Body::new), &host, "https");
        let service = service.clone();
        async move {
            use tower::ServiceExt;
            Ok::<_, Infallible>(
                service
                    .oneshot(request)
                    .await
                    .unwrap_or_else(|e| match e {}),
            )
        }
    });
    // ALPN decides: h2 speaks HTTP/2 only, everything else HTTP/1.1 with keep-alive.
    let builder = auto::Builder::new(TokioExecutor::new());
    let builder = if h2 {
        builder.http2_only()
    } else {
        builder.http1_only()
    };
    let connection = builder.serve_connection(TokioIo::new(stream), handler);
    tokio::select! {
        result = connection => {
            if let Err(e) = result {
                tracing::debug!("TLS connection ended: {e}");
            }
        }
        _ = shutdown.wait_for(|stop| *stop) => {}
    }
}

/// `--tls-listen`: accepts connections and serves Meta's hostnames over HTTPS.
pub async fn run_listener(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    service: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let acceptor = TlsAcceptor::from(config);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => return,
        };
        match accepted {
            Ok((tcp, _)) => {
                let _ = tcp.set_nodelay(true);
                tokio::spawn(serve(
                    tcp,
                    acceptor.clone(),
                    service.clone(),
                    // Only used when neither Host, :authority nor SNI names a host.
                    "graph.facebook.com".to_string(),
                    shutdown.clone(),
                ));
            }
            Err(e) => {
                // Out of file descriptors and the like: wait a little instead of spinning.
                tracing::warn!("TLS listener: accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}
