//! How a localgram server is configured: from the command line, or by tests directly.

use std::net::SocketAddr;
use std::path::PathBuf;

/// The port localgram listens on unless told otherwise (documented in README.md).
pub const DEFAULT_PORT: u16 = 4100;

/// Graph API request bodies larger than this get Meta's error instead of being read.
pub const MAX_GRAPH_BODY_BYTES: usize = 32 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// Where the SQLite file and media files live; `None` keeps them only while localgram runs.
    pub data_dir: Option<PathBuf>,
    /// A PostgreSQL URL: the state lives there instead of SQLite, shared by every instance
    /// given the same URL.
    pub database_url: Option<String>,
    /// Makes ids reproducible: the same seed and calls give the same ids.
    pub seed: Option<u64>,
    /// Creates the demo app, accounts, people and media on an empty store.
    pub demo: bool,
    /// How many requests the request log keeps.
    pub request_log_capacity: usize,
    /// How long a webhook callback has to answer a notification or a verification request.
    pub webhook_timeout: std::time::Duration,
    /// How long (virtual) and how many finished webhook deliveries keep their requests; the
    /// control API can change it while running.
    pub webhook_retention: crate::webhooks::retention::Retention,
    /// Content publishing: the daily publishing limit, processing times, fetch timeout.
    pub publishing: crate::publishing::Settings,
    /// The proxy and TLS listeners for apps that keep Meta's URLs (off unless asked).
    pub proxy: crate::proxy::ProxyConfig,
    /// Rate limits: Meta's numbers, scaled, overridden, or off. Off unless asked (servers
    /// embedded in tests and load tests); `localgram serve` turns Meta's numbers on.
    pub rate_limits: crate::limits::Settings,
    /// The token the control API and the console require when `listen` is not loopback
    /// (one is made at start when none is given); unused on loopback.
    pub control_token: Option<String>,
    /// A snapshot file the state is replaced with before the server answers anything.
    pub import: Option<PathBuf>,
}

impl Config {
    /// The control token in force: `Some` only when localgram listens beyond loopback.
    pub fn required_control_token(&self) -> Option<&str> {
        if self.listen.ip().is_loopback() {
            None
        } else {
            self.control_token.as_deref()
        }
    }

    /// Where the store keeps the state.
    pub fn location(&self) -> crate::store::Location {
        use crate::store::Location;
        match (&self.database_url, &self.data_dir) {
            (Some(url), _) => Location::Postgres(url.clone()),
            (None, Some(dir)) => Location::Dir(dir.clone()),
            (None, None) => Location::Ephemeral,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
            data_dir: None,
            database_url: None,
            seed: None,
            demo: false,
            request_log_capacity: 1000,
            webhook_timeout: crate::webhooks::DEFAULT_TIMEOUT,
            webhook_retention: Default::default(),
            publishing: crate::publishing::Settings::default(),
            proxy: crate::proxy::ProxyConfig::default(),
            rate_limits: crate::limits::Settings::off(),
            control_token: None,
            import: None,
        }
    }
}
