//! The front layer for apps that cannot change their base URL (issue #16): an HTTP proxy that
//! answers Meta's hosts itself (CONNECT terminated with a certificate from a local CA, and
//! plain absolute-form requests) and passes every other host through, and a TLS listener that
//! serves Meta's hostnames directly for containers that map them to localgram.
//!
//! Both hand the decrypted requests to the same axum service as the plain listener, with the
//! Meta host in `Host` and `X-Forwarded-Proto: https`, so API detection by host and the links
//! localgram writes (paging `next`) keep working. See docs/architecture.md.
//!
//! - `ca`: the certificate authority on disk and the leaves it signs
//! - `tls`: rustls configuration (SNI picks the leaf, ALPN offers h2) and serving a
//!   decrypted connection with HTTP/1.1 keep-alive or HTTP/2
//! - `connect`: the proxy listener (CONNECT, absolute-form, origin-form)
//! - `forward`: passing other hosts through (TCP splice, plain HTTP forwarding)
//! - `env`: the environment `localgram env` prints for unmodified clients

pub mod ca;
pub mod connect;
pub mod env;
pub mod forward;
pub mod tls;

use axum::Router;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use ca::Authority;

/// The proxy port `--proxy` uses when given without an address (documented in README.md).
pub const DEFAULT_PROXY_PORT: u16 = 4180;
/// The TLS port `--tls-listen` uses when given without an address.
pub const DEFAULT_TLS_PORT: u16 = 4443;

/// The Meta hosts localgram answers itself (http/host.rs classifies their requests). Every
/// other host, Meta's own included (developers.facebook.com, the CDNs), is passed through.
/// localgram's media host is localgram's own address, so it needs no interception.
pub const INTERCEPTED_HOSTS: &[&str] = &[
    "graph.instagram.com",
    "graph.facebook.com",
    "graph-video.facebook.com",
    "rupload.facebook.com",
    "api.instagram.com",
    "www.instagram.com",
    "www.facebook.com",
];

/// Whether localgram answers this host (a name without port; case-insensitive).
pub fn is_intercepted(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    INTERCEPTED_HOSTS
        .iter()
        .any(|h| h.eq_ignore_ascii_case(host))
}

/// How the front layer is configured; all off by default.
#[derive(Debug, Clone, Default)]
pub struct ProxyConfig {
    /// Serve as an HTTP proxy here (`--proxy`).
    pub proxy: Option<SocketAddr>,
    /// Serve Meta's hostnames over HTTPS here (`--tls-listen`).
    pub tls_listen: Option<SocketAddr>,
    /// Refuse hosts localgram does not serve instead of passing them through.
    pub only_meta: bool,
    /// Where the CA lives; `None`: `ca::default_dir` of the data directory.
    pub ca_dir: Option<PathBuf>,
}

impl ProxyConfig {
    pub fn enabled(&self) -> bool {
        self.proxy.is_some() || self.tls_listen.is_some()
    }

    /// The CA directory this configuration uses.
    pub fn resolved_ca_dir(&self, data_dir: Option<&std::path::Path>) -> PathBuf {
        self.ca_dir
            .clone()
            .unwrap_or_else(|| ca::default_dir(data_dir))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FrontError {
    #[error(transparent)]
    Ca(#[from] ca::CaError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// The running listeners. Dropping it stops them and every connection they accepted.
#[derive(Debug)]
pub struct Front {
    pub proxy_addr: Option<SocketAddr>,
    pub tls_addr: Option<SocketAddr>,
    pub authority: Option<Arc<Authority>>,
    shutdown: watch::Sender<bool>,
}

impl Front {
    /// No listeners (the proxy and TLS options are off).
    pub fn none() -> Front {
        Front {
            proxy_addr: None,
            tls_addr: None,
            authority: None,
            shutdown: watch::channel(false).0,
        }
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), FrontError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| FrontError::Listen { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| FrontError::Listen { addr, source })?;
    Ok((listener, bound))
}

/// Loads (or creates) the CA and starts the configured listeners, serving `service`.
pub async fn spawn(
    config: &ProxyConfig,
    data_dir: Option<&std::path::Path>,
    service: Router,
) -> Result<Front, FrontError> {
    if !config.enabled() {
        return Ok(Front::none());
    }
    let dir = config.resolved_ca_dir(data_dir);
    // A few milliseconds of file and key work, once at start.
    let authority = Arc::new(Authority::load_or_create(&dir)?);
    let tls = tls::server_config(authority.clone()).map_err(ca::CaError::Tls)?;
    let (shutdown, _) = watch::channel(false);
    let mut front = Front {
        proxy_addr: None,
        tls_addr: None,
        authority: Some(authority),
        shutdown,
    };
    if let Some(addr) = config.proxy {
        let (listener, bound) = bind(addr).await?;
        front.proxy_addr = Some(bound);
        let proxy = connect::Proxy {
            service: service.clone(),
            tls: tls.clone(),
            only_meta: config.only_meta,
            shutdown: front.shutdown.subscribe(),
        };
        tokio::spawn(connect::run(listener, Arc::new(proxy)));
    }
    if let Some(addr) = config.tls_listen {
        let (listener, bound) = bind(addr).await?;
        front.tls_addr = Some(bound);
        tokio::spawn(tls::run_listener(
            listener,
            tls,
            service,
            front.shutdown.subscribe(),
        ));
    }
    Ok(front)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intercepts_exactly_the_hosts_localgram_serves() {
        assert!(is_intercepted("graph.instagram.com"));
        assert!(is_intercepted("Graph.Facebook.COM"));
        assert!(is_intercepted("graph.facebook.com."));
        assert!(is_intercepted("rupload.facebook.com"));
        assert!(!is_intercepted("developers.facebook.com"));
        assert!(!is_intercepted("scontent.cdninstagram.com"));
        assert!(!is_intercepted("graph.instagram.com.evil.example"));
        assert!(!is_intercepted("graph.instagram.localhost"));
        // Every intercepted host is one http/host.rs gives an API.
        for host in INTERCEPTED_HOSTS {
            assert!(
                crate::http::host::HostKind::classify(host).api().is_some(),
                "{host}"
            );
        }
    }
}
