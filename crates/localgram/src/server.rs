//! Assembling the HTTP service and running it.

use axum::extract::State;
use axum::middleware::from_fn_with_state;
use axum::Router;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::http::{graph_entry, log_requests};
use crate::state::{AppState, Shared};

/// The whole service: the control API under `/_localgram`, and every Meta host on the rest.
pub fn app(state: Shared) -> Router {
    // The layer logs the web routes; `graph_entry`, added after it, logs itself.
    let meta_hosts = crate::router::web_routes()
        .layer(from_fn_with_state(state.clone(), log_requests))
        .fallback(graph_entry)
        .with_state(state.clone());
    let mut control = crate::sim::router(state.clone());
    if let Some(token) = state.config.required_control_token() {
        control = control.layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::<str>::from(token),
            crate::sim::guard::require_token,
        ));
    }
    let service = Router::new().nest("/_localgram", control).merge(meta_hosts);
    // Only instances sharing a database have others' writes to catch up with; on SQLite
    // every writer is this process, and the layer would cost every request for nothing.
    match state.db.engine() {
        crate::store::Engine::Sqlite => service,
        crate::store::Engine::Postgres => service.layer(from_fn_with_state(state, catch_up)),
    }
}

/// The listener's service: Graph calls on a node (`/{id}...`, `/me...`, with or without a
/// version), nearly all requests, go straight to [`graph_entry`]; everything else through the
/// router. The router would answer them the same, through its fallback, after matching the
/// path against every route and recording it as a path parameter: a few thousand
/// instructions a call, a tenth of a node read's (docs/performance.md).
#[derive(Clone)]
struct GraphFirst {
    router: Router,
    state: Shared,
}

/// Whether a path, after its version if any, starts with a node ([`crate::dispatch::names_node`]).
fn names_a_node(path: &str) -> bool {
    let mut segments = crate::http::incoming::segments(path);
    let mut first = segments.next().unwrap_or("");
    if graph::ApiVersion::parse_segment(first).is_some() {
        first = segments.next().unwrap_or("");
    }
    crate::dispatch::names_node(first)
}

impl tower::Service<axum::extract::Request> for GraphFirst {
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::extract::Request) -> Self::Future {
        if !names_a_node(request.uri().path()) {
            let mut router = self.router.clone();
            return Box::pin(async move { tower::Service::call(&mut router, request).await });
        }
        let state = self.state.clone();
        if state.db.engine() == crate::store::Engine::Postgres {
            return Box::pin(async move {
                // What the router's `catch_up` layer does for every request.
                if let Err(e) = state.catch_up().await {
                    tracing::debug!("cannot catch up with other instances: {e}");
                }
                Ok(graph_entry(State(state), request).await)
            });
        }
        // The box holds the entry's future alone (a block around it would hold the request
        // a second time).
        Box::pin(futures_util::FutureExt::map(
            graph_entry(State(state), request),
            Ok,
        ))
    }
}

/// Hands each connection the [`GraphFirst`] service.
struct MakeGraphFirst(GraphFirst);

impl<'a, L: axum::serve::Listener> tower::Service<axum::serve::IncomingStream<'a, L>>
    for MakeGraphFirst
{
    type Response = GraphFirst;
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<GraphFirst, std::convert::Infallible>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: axum::serve::IncomingStream<'a, L>) -> Self::Future {
        std::future::ready(Ok(self.0.clone()))
    }
}

/// Before each request, catch up with what other instances sharing the database committed,
/// so no answer is staler than a direct read (nothing to do on SQLite).
async fn catch_up(
    State(state): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Err(e) = state.catch_up().await {
        // The request meets the same database next and answers its error there.
        tracing::debug!("cannot catch up with other instances: {e}");
    }
    next.run(request).await
}

/// Follows other instances' changes between requests, so the virtual clock moved through
/// any instance moves here too (the webhook worker and processing timers run on it).
/// Stops with the server.
struct Follower(JoinHandle<()>);

impl Drop for Follower {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn follow_other_instances(state: &Shared) -> Follower {
    let mut changes = state.db.feed().subscribe();
    let weak = std::sync::Arc::downgrade(state);
    Follower(tokio::spawn(async move {
        loop {
            let set = match changes.recv().await {
                Ok(set) => Some(set),
                // Missed some: catch up as if one had arrived.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => None,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            };
            let Some(state) = weak.upgrade() else { return };
            if set
                .as_ref()
                .is_some_and(|s| s.origin == state.db.instance())
            {
                continue;
            }
            // The notification can arrive before the writer bumps the changes sequence, so
            // the clock is read directly rather than through `catch_up`.
            let clock_may_have_moved = set.as_ref().is_none_or(|s| {
                s.changes.is_empty() || s.changes.iter().any(|c| c.kind == "settings")
            });
            if clock_may_have_moved {
                if let Err(e) = state.reload_clock().await {
                    tracing::debug!("cannot read the clock other instances moved: {e}");
                }
            }
        }
    }))
}

/// A server running in the background, for the CLI and for tests.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: Shared,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    /// Stops with the server (dropped with it).
    _webhooks: crate::webhooks::Worker,
    /// Stops with the server.
    _follower: Follower,
    /// Stops with the server.
    _counters: CounterWriter,
    /// The proxy and TLS listeners, if configured; stop with the server (dropped with it).
    pub front: crate::proxy::Front,
}

impl RunningServer {
    /// The base URL clients point at, e.g. `http://127.0.0.1:4100`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting requests, finishes those in flight, and waits.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let served = (&mut self.task).await.unwrap_or(Ok(()));
        write_counters_at_stop(&self.state).await;
        served
    }

    /// Runs until the server fails, Ctrl-C or SIGTERM (what `docker stop`, systemd and test
    /// harnesses send): either stops it cleanly, so an `--ephemeral` store's temporary
    /// directory is removed.
    pub async fn wait(mut self) -> std::io::Result<()> {
        let shutdown = self.shutdown.take();
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        let served = tokio::select! {
            result = &mut self.task => result.unwrap_or(Ok(())),
            _ = async {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate => {}
                }
            } => {
                if let Some(tx) = shutdown {
                    let _ = tx.send(());
                }
                (&mut self.task).await.unwrap_or(Ok(()))
            }
        };
        write_counters_at_stop(&self.state).await;
        served
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot create the demo data: {0}")]
    Demo(String),
    #[error(transparent)]
    Front(#[from] crate::proxy::FrontError),
    #[error("{0}")]
    Import(String),
}

/// Opens the store, seeds the demo if asked, binds and starts serving.
pub async fn start(mut config: Config) -> Result<RunningServer, StartError> {
    if !config.listen.ip().is_loopback() && config.control_token.is_none() {
        config.control_token = Some(crate::sim::guard::new_token());
    }
    let listen = config.listen;
    let demo = config.demo;
    // Opening, migrating and seeding block on the database: off the async workers.
    let state = tokio::task::spawn_blocking(move || -> Result<_, StartError> {
        let state = AppState::open(config)?;
        if demo {
            crate::demo::ensure(&state).map_err(|e| StartError::Demo(e.message))?;
        }
        Ok(state)
    })
    .await
    .map_err(|e| StartError::Store(crate::store::StoreError::Internal(e.to_string())))??;
    if let Some(path) = state.config.import.clone() {
        crate::snapshot_file::import(&state, &path)
            .await
            .map_err(StartError::Import)?;
    }
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| StartError::Listen {
            addr: listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: listen,
        source,
    })?;
    // Media URLs point at the address actually bound (port 0 picks one).
    state.publishing.files.set_public_base(addr);
    // Background work that runs on virtual time (webhook delivery, processing) starts here.
    let webhooks = crate::webhooks::spawn(state.clone());
    let follower = follow_other_instances(&state);
    let (tx, rx) = oneshot::channel::<()>();
    let service = app(state.clone());
    let stopping = state.clone();
    let front = crate::proxy::spawn(
        &state.config.proxy,
        state.config.data_dir.as_deref(),
        service.clone(),
    )
    .await?;
    let listener_service = GraphFirst {
        router: service,
        state: state.clone(),
    };
    let task = tokio::spawn(async move {
        axum::serve(listener, MakeGraphFirst(listener_service))
            .with_graceful_shutdown(async move {
                let _ = rx.await;
                stopping.stopping.send_replace(true);
            })
            .await
    });
    let counters = write_counters_behind(&state);
    Ok(RunningServer {
        addr,
        state,
        shutdown: Some(tx),
        task,
        _webhooks: webhooks,
        _follower: follower,
        _counters: counters,
        front,
    })
}

/// Writes the rate-limit counters (kept in memory on SQLite) to the store every second, so a
/// restart finds them; the last changes are written when the server stops. Stops with the
/// server.
struct CounterWriter(JoinHandle<()>);

impl Drop for CounterWriter {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How often the counters are written behind the requests (real time).
const COUNTER_WRITE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

fn write_counters_behind(state: &Shared) -> CounterWriter {
    let weak = std::sync::Arc::downgrade(state);
    CounterWriter(tokio::spawn(async move {
        let mut tick = tokio::time::interval(COUNTER_WRITE_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(state) = weak.upgrade() else { return };
            if let Err(e) = state.limits.persist(&state.db, state.clock.now_ms()).await {
                tracing::warn!("cannot write the rate-limit counters: {e}");
            }
        }
    }))
}

/// The counters' last changes, written when the server stops.
async fn write_counters_at_stop(state: &Shared) {
    let state = state.clone();
    let written = tokio::task::spawn_blocking(move || {
        state
            .limits
            .persist_blocking(&state.db, state.clock.now_ms())
    })
    .await;
    if let Ok(Err(e)) = written {
        tracing::warn!("cannot write the rate-limit counters: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::names_a_node;

    #[test]
    fn only_node_paths_skip_the_router() {
        for path in [
            "/17841405309211844",
            "/v24.0/17841405309211844/media",
            "/me",
            "/v21.0/me/accounts",
            "/v24.0/aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1",
        ] {
            assert!(names_a_node(path), "{path}");
        }
        // Web routes, the control API, roots and the batch endpoint go through the router.
        for path in [
            "/",
            "/v24.0",
            "/v24.0/",
            "/oauth/access_token",
            "/v24.0/oauth/access_token",
            "/dialog/oauth",
            "/ig-api-upload/v24.0/17841405309211844",
            "/media/abc.jpg",
            "/_localgram/clock",
            "/v24.0/debug_token",
            "/v24.0/ig_hashtag_search",
        ] {
            assert!(!names_a_node(path), "{path}");
        }
    }
}
