//! The targets of issue #10, measured against the real `localgram` binary in its own process:
//!
//! * `reference`: the minimal axum server of `loadtest load`, alone in a process of its own
//!   (so an external generator such as `wrk` can load it the same way as localgram).
//! * `node-read`: `GET /{ig-user-id}?fields=id,username,followers_count` at 64 connections,
//!   rounds interleaved with the reference, driven by `wrk` (Debian's package) and by this
//!   process's own closed loop; SQLite, and PostgreSQL with `--database`.
//! * `reads-under-writes`: the same read's latency alone and while 8 connections post comments.
//! * `growth`: node read and the first and a deep page of `/{ig-user-id}/media` and
//!   `/{media-id}/comments` in a small and a large store, built through the control API's
//!   snapshot import (`PUT /_localgram/snapshot`).
//! * `soak`: mixed load (reads, comments, messages, publishing) for minutes, with the server's
//!   resident memory sampled from /proc.
//!
//! Every server is a child process on 127.0.0.1 (killed and reaped on every exit path, and
//! killed by the kernel should this process die); every loop is bounded in time.

use bytes::Bytes;
use clap::Args;
use http_body_util::Full;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use serde_json::{json, Map, Value};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client;
use crate::servers::{self, Target, BASELINE_BODY};
use crate::startup::{free_port, probe, resolve_bin, status_kb, ChildGuard};

pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Issue #10's targets.
const TARGET_RPS_RATIO: f64 = 0.75;
const TARGET_P99_MS: f64 = 3.0;
const TARGET_UNDER_WRITES: f64 = 2.0;
const TARGET_GROWTH: f64 = 1.5;
/// The largest snapshot `PUT /_localgram/snapshot` accepts (`SNAPSHOT_BODY_LIMIT` in
/// `sim/mod.rs`).
const CONTROL_BODY_LIMIT: usize = 4 << 30;

// ----- processes --------------------------------------------------------------------------------

fn spawn_child(program: &Path, args: &[String], quiet: bool) -> Result<ChildGuard, String> {
    let mut command = Command::new(program);
    command
        .args(args)
        // Load tests run with rate limits off unless a scenario asks for them by flag
        // (`--rate-limit-scale`, which wins over the environment).
        .env("LOCALGRAM_RATE_LIMIT_SCALE", "off")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    if quiet {
        command.stderr(Stdio::null());
    }
    // SAFETY: the closure runs in the forked child before exec and only calls
    // async-signal-safe functions (prctl, getppid, _exit).
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::getppid() == 1 {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    command
        .spawn()
        .map(ChildGuard)
        .map_err(|e| format!("cannot start {}: {e}", program.display()))
}

fn wait_ready(child: &mut ChildGuard, addr: SocketAddr, what: &str) -> Result<(), String> {
    let started = Instant::now();
    while probe(addr) != Some(200) {
        if let Ok(Some(status)) = child.0.try_wait() {
            return Err(format!("{what} exited with {status} before answering"));
        }
        if started.elapsed() > Duration::from_secs(60) {
            return Err(format!("{what} did not answer on {addr} within 60 s"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}

/// A server in a child process.
pub struct Server {
    pub name: String,
    pub addr: SocketAddr,
    guard: ChildGuard,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.guard.0.id()
    }
}

/// `localgram serve` on a free loopback port: SQLite in a private temporary directory
/// (`--ephemeral`, WAL on disk), or PostgreSQL at `database` (wiped first with
/// `POST /_localgram/reset`).
pub(crate) fn start_localgram(
    bin: &Path,
    name: &str,
    database: Option<&str>,
    extra: &[&str],
) -> Result<Server, String> {
    start_localgram_in(bin, name, database, None, extra)
}

/// [`start_localgram`], with SQLite in `data` (`--data`, durable) when it is given.
pub(crate) fn start_localgram_in(
    bin: &Path,
    name: &str,
    database: Option<&str>,
    data: Option<&Path>,
    extra: &[&str],
) -> Result<Server, String> {
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut args = vec![
        "serve".to_string(),
        "--listen".into(),
        addr.to_string(),
        "--seed".into(),
        "1".into(),
    ];
    match (database, data) {
        (Some(url), _) => args.extend(["--database".to_string(), url.to_string()]),
        (None, Some(dir)) => args.extend(["--data".to_string(), dir.display().to_string()]),
        (None, None) => args.push("--ephemeral".into()),
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let mut guard = spawn_child(bin, &args, true)?;
    wait_ready(&mut guard, addr, name)?;
    if database.is_some() {
        // A shared database keeps what earlier runs left: start from an empty state.
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot build a runtime: {e}"))?
            .block_on(post_json(addr, "/_localgram/reset", json!({})))?;
    }
    Ok(Server {
        name: name.to_string(),
        addr,
        guard,
    })
}

/// This binary's `reference` mode in a child process; it also stops by itself.
fn start_reference(max_seconds: f64) -> Result<Server, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find loadtest itself: {e}"))?;
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let args = vec![
        "reference".to_string(),
        "--listen".into(),
        addr.to_string(),
        "--max-seconds".into(),
        format!("{max_seconds:.0}"),
    ];
    let mut guard = spawn_child(&exe, &args, false)?;
    wait_ready(&mut guard, addr, "reference")?;
    Ok(Server {
        name: "reference".into(),
        addr,
        guard,
    })
}

pub(crate) fn runtime(threads: usize) -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name("client")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot build a runtime: {e}"))
}

pub(crate) fn check_database(database: &Option<String>) -> Result<(), String> {
    if let Some(url) = database {
        let host = url
            .split_once("://")
            .map(|(_, rest)| rest)
            .and_then(|rest| rest.rsplit_once('@').map(|(_, h)| h).or(Some(rest)))
            .unwrap_or("");
        if !(host.starts_with("127.0.0.1") || host.starts_with("localhost")) {
            return Err(format!(
                "--database must name a server on 127.0.0.1 or localhost, not {url}"
            ));
        }
    }
    Ok(())
}

// ----- the reference server ---------------------------------------------------------------------

#[derive(Args, Debug)]
pub struct ReferenceArgs {
    /// Loopback address to listen on.
    #[arg(long)]
    pub listen: SocketAddr,
    /// Seconds after which the server stops by itself.
    #[arg(long, default_value_t = 3600.0)]
    pub max_seconds: f64,
    /// Worker threads (default: number of cores, as `localgram serve`).
    #[arg(long)]
    pub threads: Option<usize>,
}

pub fn reference(args: ReferenceArgs) -> Result<bool, String> {
    if !args.listen.ip().is_loopback() {
        return Err("--listen must be a loopback address".into());
    }
    if !(args.max_seconds > 0.0 && args.max_seconds <= 86_400.0) {
        return Err("--max-seconds must be more than 0 and at most 86400".into());
    }
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        builder.worker_threads(n.max(1));
    }
    let rt = builder
        .enable_all()
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let app = axum::Router::new().fallback(|| async {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                BASELINE_BODY,
            )
        });
        let limit = Duration::from_secs_f64(args.max_seconds);
        axum::serve(listener, app)
            .with_graceful_shutdown(tokio::time::sleep(limit))
            .await
            .map_err(|e| format!("reference server failed: {e}"))
    })?;
    Ok(true)
}

// ----- the closed loop ---------------------------------------------------------------------------

/// One request to send: method, path and query, JSON body, bearer token.
#[derive(Clone)]
pub struct Req {
    pub method: Method,
    pub path: String,
    pub body: Option<Bytes>,
    pub token: Option<String>,
}

impl Req {
    pub(crate) fn get(path: impl Into<String>) -> Req {
        Req {
            method: Method::GET,
            path: path.into(),
            body: None,
            token: None,
        }
    }

    pub(crate) fn post(path: impl Into<String>, body: &Value) -> Req {
        Req {
            method: Method::POST,
            path: path.into(),
            body: Some(Bytes::from(body.to_string())),
            token: None,
        }
    }

    fn build(&self, host: &HeaderValue) -> Result<Request<Full<Bytes>>, String> {
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(&self.path)
            .header(HOST, host.clone());
        if let Some(token) = &self.token {
            builder = builder.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        if self.body.is_some() {
            builder = builder.header(CONTENT_TYPE, "application/json");
        }
        builder
            .body(Full::new(self.body.clone().unwrap_or_default()))
            .map_err(|e| format!("invalid request {}: {e}", self.path))
    }
}

/// Makes the `i`th request of connection `c`.
pub type Maker = Arc<dyn Fn(usize, u64) -> Req + Send + Sync>;

pub(crate) fn fixed(req: Req) -> Maker {
    Arc::new(move |_, _| req.clone())
}

/// What a closed loop did in its measured window.
#[derive(Default, Debug)]
pub struct Stats {
    pub requests: u64,
    pub seconds: f64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// Sorted latencies in nanoseconds (empty when not kept).
    pub latencies: Vec<u64>,
}

impl Stats {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    pub fn q_ms(&self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank =
            ((q * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[rank - 1] as f64 / 1e6
    }

    fn merge(&mut self, other: Stats) {
        self.requests += other.requests;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.latencies.extend(other.latencies);
    }

    fn json(&self) -> Value {
        json!({
            "requests": self.requests,
            "rps": r3(self.rps()),
            "p50_ms": r3(self.q_ms(0.5)),
            "p99_ms": r3(self.q_ms(0.99)),
            "errors": self.errors,
        })
    }
}

/// `connections` tasks, each one keep-alive connection sending its next request as soon as
/// the previous answer is read; a request counts if it started and ended in the window.
/// Any answer but 200 is an error.
pub async fn closed_loop(
    addr: SocketAddr,
    connections: usize,
    warmup: f64,
    duration: f64,
    make: Maker,
    keep_latencies: bool,
) -> Stats {
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(warmup);
    let until = measure_from + Duration::from_secs_f64(duration);
    let host = HeaderValue::from_str(&addr.to_string()).expect("an address is a valid Host");
    let mut tasks = Vec::with_capacity(connections);
    for c in 0..connections {
        let make = make.clone();
        let host = host.clone();
        tasks.push(tokio::spawn(async move {
            let mut stats = Stats::default();
            let mut sender: Option<client::Sender> = None;
            let mut i = 0u64;
            while Instant::now() < until {
                if sender.is_none() {
                    match client::connect(addr).await {
                        Ok(s) => sender = Some(s),
                        Err(e) => {
                            stats.errors += 1;
                            stats.first_error.get_or_insert(e);
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    }
                }
                let Some(s) = sender.as_mut() else { continue };
                let req = make(c, i);
                i += 1;
                let request = match req.build(&host) {
                    Ok(r) => r,
                    Err(e) => {
                        stats.errors += 1;
                        stats.first_error.get_or_insert(e);
                        break;
                    }
                };
                let started = Instant::now();
                match tokio::time::timeout(REQUEST_TIMEOUT, client::send(s, request)).await {
                    Ok(Ok((status, body))) => {
                        let finished = Instant::now();
                        if status != StatusCode::OK {
                            stats.errors += 1;
                            stats.first_error.get_or_insert_with(|| {
                                format!(
                                    "{} {} answered {status}: {}",
                                    req.method,
                                    req.path,
                                    String::from_utf8_lossy(&body)
                                )
                            });
                        } else if started >= measure_from && finished <= until {
                            stats.requests += 1;
                            if keep_latencies {
                                stats
                                    .latencies
                                    .push(finished.duration_since(started).as_nanos() as u64);
                            }
                        }
                    }
                    Ok(Err(e)) => {
                        stats.errors += 1;
                        stats.first_error.get_or_insert(e);
                        sender = None;
                    }
                    Err(_) => {
                        stats.errors += 1;
                        stats
                            .first_error
                            .get_or_insert_with(|| format!("{}: no answer in 5 s", req.path));
                        sender = None;
                    }
                }
            }
            stats
        }));
    }
    let mut total = Stats {
        seconds: duration,
        ..Stats::default()
    };
    for task in tasks {
        match task.await {
            Ok(stats) => total.merge(stats),
            Err(e) => {
                total.errors += 1;
                total.first_error.get_or_insert(format!("task failed: {e}"));
            }
        }
    }
    total.latencies.sort_unstable();
    total
}

pub(crate) fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

pub(crate) fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

pub(crate) async fn call(
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: Option<Bytes>,
    timeout: Duration,
) -> Result<Value, String> {
    call_as(addr, method, path, body, None, timeout).await
}

/// [`call`] with a bearer token.
pub(crate) async fn call_as(
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: Option<Bytes>,
    token: Option<&str>,
    timeout: Duration,
) -> Result<Value, String> {
    let req = Req {
        method: method.clone(),
        path: path.to_string(),
        body,
        token: token.map(str::to_string),
    };
    let host = HeaderValue::from_str(&addr.to_string()).map_err(|e| e.to_string())?;
    let mut sender = client::connect(addr).await?;
    let (status, bytes) =
        tokio::time::timeout(timeout, client::send(&mut sender, req.build(&host)?))
            .await
            .map_err(|_| format!("{method} {path}: no answer within {timeout:?}"))??;
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status != StatusCode::OK && status != StatusCode::CREATED {
        return Err(format!(
            "{method} {path} answered {status}: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(500)])
        ));
    }
    Ok(value)
}

pub(crate) async fn post_json(addr: SocketAddr, path: &str, body: Value) -> Result<Value, String> {
    call(
        addr,
        Method::POST,
        path,
        Some(Bytes::from(body.to_string())),
        Duration::from_secs(30),
    )
    .await
}

/// `POST path` on the control API, answering the new object's `id`.
pub(crate) async fn post_for_id(
    addr: SocketAddr,
    path: &str,
    body: Value,
) -> Result<String, String> {
    text(&post_json(addr, path, body).await?, "id")
}

/// A new account and a long-lived Instagram Login token of `app_id` for it, through the control
/// API: (account id, access token).
pub(crate) async fn account_with_token(
    addr: SocketAddr,
    app_id: &str,
    username: &str,
) -> Result<(String, String), String> {
    let account = post_json(addr, "/_localgram/accounts", json!({"username": username})).await?;
    let account = text(&account, "id")?;
    let token = post_json(
        addr,
        "/_localgram/tokens",
        json!({"app_id": app_id, "account_id": account, "login": "instagram", "long_lived": true}),
    )
    .await?;
    Ok((account, text(&token, "access_token")?))
}

pub(crate) fn text(value: &Value, key: &str) -> Result<String, String> {
    servers::string_field(value, key, "the control API")
}

/// The account id and token of a fixture's read (`/v24.0/{id}?fields=...&access_token=...`).
pub(crate) fn account_and_token(target: &Target) -> Result<(String, String), String> {
    let rest = target
        .path_and_query
        .strip_prefix("/v24.0/")
        .ok_or("unexpected fixture path")?;
    let (id, query) = rest.split_once('?').ok_or("unexpected fixture path")?;
    let token = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("access_token="))
        .ok_or("no token in the fixture path")?;
    Ok((id.to_string(), token.to_string()))
}

async fn check_first(target: &Target) -> Result<(), String> {
    let value = call(
        target.addr,
        Method::GET,
        &target.path_and_query,
        None,
        REQUEST_TIMEOUT,
    )
    .await?;
    if value != target.expected {
        return Err(format!(
            "{}: GET {} answered {value}, expected {}",
            target.name, target.path_and_query, target.expected
        ));
    }
    Ok(())
}

// ----- wrk ---------------------------------------------------------------------------------------

#[derive(Debug, Default)]
pub struct WrkResult {
    pub requests: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
}

fn parse_duration_ms(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let n: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => return None,
    })
}

/// Reads `wrk --latency`'s report.
pub fn parse_wrk(out: &str) -> Result<WrkResult, String> {
    let mut result = WrkResult::default();
    for line in out.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            result.rps = rest
                .trim()
                .parse()
                .map_err(|_| format!("bad line {line:?}"))?;
        } else if let Some(rest) = line.strip_prefix("50%") {
            result.p50_ms = parse_duration_ms(rest).ok_or(format!("bad line {line:?}"))?;
        } else if let Some(rest) = line.strip_prefix("99%") {
            result.p99_ms = parse_duration_ms(rest).ok_or(format!("bad line {line:?}"))?;
        } else if line.contains(" requests in ") {
            result.requests = line
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or(format!("bad line {line:?}"))?;
        } else if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            result.errors += rest.trim().parse::<u64>().unwrap_or(1);
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            result.errors += rest
                .split(',')
                .filter_map(|kv| kv.split_whitespace().last()?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    if result.rps == 0.0 {
        return Err(format!("wrk printed no Requests/sec:\n{out}"));
    }
    Ok(result)
}

fn wrk(
    addr: SocketAddr,
    path: &str,
    connections: usize,
    seconds: f64,
) -> Result<WrkResult, String> {
    let url = format!("http://{addr}{path}");
    let output = Command::new("wrk")
        .args([
            "-t1".to_string(),
            format!("-c{connections}"),
            format!("-d{}s", seconds.ceil() as u64),
            "--timeout".into(),
            "5s".into(),
            "--latency".into(),
            url,
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run wrk (apt-get install wrk): {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "wrk failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    parse_wrk(&String::from_utf8_lossy(&output.stdout))
}

// ----- node-read ----------------------------------------------------------------------------------

#[derive(Args, Debug)]
pub struct NodeReadArgs {
    /// The localgram binary (default: target/release/localgram).
    #[arg(long)]
    pub bin: Option<PathBuf>,
    /// Also measure localgram on this PostgreSQL (127.0.0.1 only; it is wiped first).
    #[arg(long)]
    pub database: Option<String>,
    #[arg(short, long, default_value_t = 64)]
    pub connections: usize,
    /// Measured seconds per server, generator and round.
    #[arg(short, long, default_value_t = 10.0)]
    pub duration: f64,
    /// Warm-up seconds before each measurement.
    #[arg(short, long, default_value_t = 2.0)]
    pub warmup: f64,
    #[arg(short, long, default_value_t = 3)]
    pub rounds: usize,
    /// `wrk`, `loadtest` (this process's closed loop) or `both`.
    #[arg(long, default_value = "both", value_parser = ["wrk", "loadtest", "both"])]
    pub generator: String,
    /// Threads of this process's generator (wrk runs with one: `-t1`).
    #[arg(long, default_value_t = 1)]
    pub client_threads: usize,
    /// Also measure SQLite with rate limits counted and usage headers sent (Meta's limits
    /// times 1000, so none is reached): the cost of counting, against `sqlite` (limits off).
    #[arg(long)]
    pub with_limits: bool,
    /// With --with-limits: then measure the `limits` server alone in this many pairs of short
    /// slices, its limits turned off and on through the control API in alternating order
    /// (off-on, on-off, ...): one process, caches and machine load shared, so the on/off
    /// ratio of each pair isolates the counting and the headers.
    #[arg(long, default_value_t = 0)]
    pub toggle_pairs: usize,
    /// Measured seconds of each toggled slice (after 0.5 s of warm-up).
    #[arg(long, default_value_t = 2.0)]
    pub toggle_seconds: f64,
}

/// The scale the `limits` server counts at: Meta's limits, far out of reach of the load.
const LIMITS_SCALE: &str = "1000";

struct Measured {
    generator: &'static str,
    server: String,
    rps: f64,
    p50: f64,
    p99: f64,
    errors: u64,
}

pub fn node_read(args: NodeReadArgs) -> Result<bool, String> {
    check_database(&args.database)?;
    if args.connections == 0 || args.connections > 4096 || args.rounds == 0 || args.rounds > 50 {
        return Err("--connections must be 1..=4096 and --rounds 1..=50".into());
    }
    if !(args.duration > 0.0 && args.duration <= 600.0 && (0.0..=60.0).contains(&args.warmup)) {
        return Err("--duration must be in (0, 600] and --warmup in [0, 60]".into());
    }
    let bin = resolve_bin(args.bin.clone())?;
    let generators: Vec<&'static str> = match args.generator.as_str() {
        "wrk" => vec!["wrk"],
        "loadtest" => vec!["loadtest"],
        _ => vec!["wrk", "loadtest"],
    };
    let rt = runtime(args.client_threads)?;
    let per = (args.duration + args.warmup + 1.0) * generators.len() as f64;
    let servers_n = 2 + usize::from(args.database.is_some()) + usize::from(args.with_limits);
    let budget = per * (args.rounds * servers_n) as f64 + 120.0;
    let reference = start_reference(budget)?;
    let sqlite = start_localgram(&bin, "sqlite", None, &[])?;
    let postgres = match &args.database {
        Some(url) => Some(start_localgram(&bin, "postgres", Some(url), &[])?),
        None => None,
    };
    let limits = if args.with_limits {
        Some(start_localgram(
            &bin,
            "limits",
            None,
            &["--rate-limit-scale", LIMITS_SCALE],
        )?)
    } else {
        None
    };
    let mut targets = vec![Target {
        name: "reference",
        addr: reference.addr,
        path_and_query: "/bench".into(),
        expected: serde_json::from_str(BASELINE_BODY).map_err(|e| e.to_string())?,
    }];
    for server in [Some(&sqlite), postgres.as_ref(), limits.as_ref()]
        .into_iter()
        .flatten()
    {
        let mut target = rt.block_on(servers::fixture_at(server.addr))?;
        target.name = match server.name.as_str() {
            "sqlite" => "sqlite",
            "limits" => "limits",
            _ => "postgres",
        };
        targets.push(target);
    }
    for target in &targets {
        rt.block_on(check_first(target))?;
    }
    println!(
        "node-read: GET {{ig-user-id}}?fields=id,username,followers_count, {} connections, {:.0} s \
         measured after {:.0} s warm-up, {} rounds; servers in their own processes; load \
         average at start {}",
        args.connections,
        args.duration,
        args.warmup,
        args.rounds,
        load_average()
    );
    println!(
        "{:<6} {:<9} {:<10} {:>10} {:>8} {:>8} {:>7} {:>6}",
        "round", "generator", "server", "req/s", "p50 ms", "p99 ms", "errors", "load"
    );
    let mut all: Vec<(usize, Measured)> = Vec::new();
    for round in 1..=args.rounds {
        for &generator in &generators {
            for target in &targets {
                let m = match generator {
                    "wrk" => {
                        if args.warmup > 0.0 {
                            wrk(
                                target.addr,
                                &target.path_and_query,
                                args.connections,
                                args.warmup,
                            )?;
                        }
                        let w = wrk(
                            target.addr,
                            &target.path_and_query,
                            args.connections,
                            args.duration,
                        )?;
                        Measured {
                            generator,
                            server: target.name.into(),
                            rps: w.rps,
                            p50: w.p50_ms,
                            p99: w.p99_ms,
                            errors: w.errors,
                        }
                    }
                    _ => {
                        let s = rt.block_on(closed_loop(
                            target.addr,
                            args.connections,
                            args.warmup,
                            args.duration,
                            fixed(Req::get(target.path_and_query.clone())),
                            true,
                        ));
                        if let Some(e) = &s.first_error {
                            eprintln!("loadtest: {}: first error: {e}", target.name);
                        }
                        Measured {
                            generator,
                            server: target.name.into(),
                            rps: s.rps(),
                            p50: s.q_ms(0.5),
                            p99: s.q_ms(0.99),
                            errors: s.errors,
                        }
                    }
                };
                println!(
                    "{:<6} {:<9} {:<10} {:>10.0} {:>8.3} {:>8.3} {:>7} {:>6}",
                    round,
                    m.generator,
                    m.server,
                    m.rps,
                    m.p50,
                    m.p99,
                    m.errors,
                    load_average()
                );
                all.push((round, m));
            }
        }
    }
    let toggled = match (&limits, args.toggle_pairs) {
        (Some(server), pairs) if pairs > 0 => {
            let target = targets
                .iter()
                .find(|t| t.name == "limits")
                .ok_or("the limits server has no fixture")?;
            Some(rt.block_on(toggle_limits(server.addr, target, &args))?)
        }
        _ => None,
    };
    drop((reference, sqlite, postgres, limits));

    let mut out = json!({"kind": "node-read", "connections": args.connections,
        "duration_s": args.duration, "rounds": args.rounds});
    if let Some(ratios) = toggled {
        let m = median(ratios.clone());
        println!(
            "toggled on one server: limits on/off req/s per pair {:?}, median {:.3} (cost of \
             counting and usage headers {:.1}%; target < 3%: {})",
            ratios.iter().map(|x| r3(*x)).collect::<Vec<_>>(),
            m,
            (1.0 - m) * 100.0,
            verdict(m > 0.97)
        );
        out["limits_toggled"] = json!({"pairs": ratios.len(), "seconds": args.toggle_seconds,
            "on_over_off": r3(m), "met": m > 0.97});
    }
    let ok = all.iter().all(|(_, m)| m.errors == 0);
    for &generator in &generators {
        let find = |round: usize, server: &str| {
            all.iter()
                .find(|(r, m)| *r == round && m.generator == generator && m.server == server)
                .map(|(_, m)| m)
        };
        let mut sqlite_ratio = Vec::new();
        let mut pg_ratio = Vec::new();
        let mut pg_sqlite = Vec::new();
        let mut sqlite_p99 = Vec::new();
        let mut pg_p99 = Vec::new();
        let mut ref_p99 = Vec::new();
        let mut limits_sqlite = Vec::new();
        for round in 1..=args.rounds {
            let (Some(r), Some(s)) = (find(round, "reference"), find(round, "sqlite")) else {
                continue;
            };
            if let Some(l) = find(round, "limits") {
                limits_sqlite.push(l.rps / s.rps);
            }
            sqlite_ratio.push(s.rps / r.rps);
            sqlite_p99.push(s.p99);
            ref_p99.push(r.p99);
            if let Some(p) = find(round, "postgres") {
                pg_ratio.push(p.rps / r.rps);
                pg_sqlite.push(p.rps / s.rps);
                pg_p99.push(p.p99);
            }
        }
        let ratio = median(sqlite_ratio.clone());
        let p99 = median(sqlite_p99);
        let met = ratio >= TARGET_RPS_RATIO && p99 < TARGET_P99_MS;
        println!(
            "{generator}: SQLite/reference req/s per round {:?}, median {:.1}% (target >= {:.0}%: \
             {}); SQLite median p99 {p99:.3} ms (reference {:.3} ms; target < {TARGET_P99_MS} ms: {})",
            sqlite_ratio.iter().map(|x| r3(*x)).collect::<Vec<_>>(),
            ratio * 100.0,
            TARGET_RPS_RATIO * 100.0,
            verdict(ratio >= TARGET_RPS_RATIO),
            median(ref_p99),
            verdict(p99 < TARGET_P99_MS)
        );
        let mut entry = json!({"sqlite_over_reference": r3(ratio), "sqlite_p99_ms": r3(p99),
            "met": met});
        if !pg_ratio.is_empty() {
            let pr = median(pg_ratio);
            let ps = median(pg_sqlite.clone());
            let pp = median(pg_p99);
            println!(
                "{generator}: PostgreSQL/reference median {:.1}%, PostgreSQL/SQLite per round {:?}, \
                 median {:.2}; PostgreSQL median p99 {pp:.3} ms",
                pr * 100.0,
                pg_sqlite.iter().map(|x| r3(*x)).collect::<Vec<_>>(),
                ps
            );
            entry["postgres_over_reference"] = json!(r3(pr));
            entry["postgres_over_sqlite"] = json!(r3(ps));
            entry["postgres_p99_ms"] = json!(r3(pp));
        }
        if !limits_sqlite.is_empty() {
            let ls = median(limits_sqlite.clone());
            println!(
                "{generator}: limits on/off (SQLite) req/s per round {:?}, median {:.3} \
                 (cost of counting and usage headers {:.1}%; target < 3%: {})",
                limits_sqlite.iter().map(|x| r3(*x)).collect::<Vec<_>>(),
                ls,
                (1.0 - ls) * 100.0,
                verdict(ls > 0.97)
            );
            entry["limits_over_sqlite"] = json!(r3(ls));
        }
        out[generator] = entry;
    }
    println!("{out}");
    if !ok {
        eprintln!("loadtest: some requests failed");
    }
    Ok(ok)
}

/// The `limits` server's node read in pairs of slices with its limits off and on (set through
/// `POST /_localgram/rate_limits`), the order alternating pair by pair; the on/off req/s ratio
/// of each pair.
async fn toggle_limits(
    addr: SocketAddr,
    target: &Target,
    args: &NodeReadArgs,
) -> Result<Vec<f64>, String> {
    let mut ratios = Vec::with_capacity(args.toggle_pairs);
    for pair in 0..args.toggle_pairs {
        let order = if pair % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        let mut rps = [0.0f64; 2];
        for on in order {
            let scale = if on {
                json!(LIMITS_SCALE)
            } else {
                json!("off")
            };
            post_json(addr, "/_localgram/rate_limits", json!({ "scale": scale })).await?;
            let stats = closed_loop(
                addr,
                args.connections,
                0.5,
                args.toggle_seconds,
                fixed(Req::get(target.path_and_query.clone())),
                false,
            )
            .await;
            if let Some(e) = &stats.first_error {
                return Err(format!("toggled node read: {e}"));
            }
            rps[usize::from(on)] = stats.rps();
        }
        eprintln!(
            "loadtest: toggle pair {}: off {:.0} req/s, on {:.0} req/s",
            pair + 1,
            rps[0],
            rps[1]
        );
        ratios.push(rps[1] / rps[0]);
    }
    Ok(ratios)
}

// ----- reads-under-writes --------------------------------------------------------------------------

#[derive(Args, Debug)]
pub struct UnderWritesArgs {
    /// The localgram binary (default: target/release/localgram).
    #[arg(long)]
    pub bin: Option<PathBuf>,
    /// Run localgram on this PostgreSQL (127.0.0.1 only; wiped first) instead of SQLite.
    #[arg(long)]
    pub database: Option<String>,
    /// Connections reading the node.
    #[arg(long, default_value_t = 64)]
    pub readers: usize,
    /// Connections posting comments at the same time.
    #[arg(long, default_value_t = 8)]
    pub writers: usize,
    /// `control` (`POST /_localgram/people/{id}/comments`, a person comments) or `graph`
    /// (`POST /{media-id}/comments`, the account comments through the Graph API).
    #[arg(long, default_value = "control", value_parser = ["control", "graph"])]
    pub via: String,
    #[arg(short, long, default_value_t = 10.0)]
    pub duration: f64,
    #[arg(short, long, default_value_t = 2.0)]
    pub warmup: f64,
    #[arg(short, long, default_value_t = 3)]
    pub rounds: usize,
    /// Threads of this process's generator.
    #[arg(long, default_value_t = 1)]
    pub client_threads: usize,
}

pub fn reads_under_writes(args: UnderWritesArgs) -> Result<bool, String> {
    check_database(&args.database)?;
    if args.readers == 0 || args.readers > 4096 || args.writers > 1024 || args.rounds == 0 {
        return Err("--readers must be 1..=4096, --writers at most 1024, --rounds >= 1".into());
    }
    if !(args.duration > 0.0 && args.duration <= 600.0 && (0.0..=60.0).contains(&args.warmup)) {
        return Err("--duration must be in (0, 600] and --warmup in [0, 60]".into());
    }
    let bin = resolve_bin(args.bin.clone())?;
    let engine = if args.database.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let server = start_localgram(&bin, engine, args.database.as_deref(), &[])?;
    let rt = runtime(args.client_threads)?;
    let addr = server.addr;
    let target = rt.block_on(servers::fixture_at(addr))?;
    rt.block_on(check_first(&target))?;
    let (account, token) = account_and_token(&target)?;
    let (person, media) = rt.block_on(async {
        let person =
            post_json(addr, "/_localgram/people", json!({"username": "commenter"})).await?;
        let media = post_json(
            addr,
            &format!("/_localgram/accounts/{account}/media"),
            json!({"caption": "under writes"}),
        )
        .await?;
        Ok::<_, String>((text(&person, "id")?, text(&media, "id")?))
    })?;
    let writer: Maker = if args.via == "graph" {
        let path = format!("/v24.0/{media}/comments?access_token={token}");
        Arc::new(move |c, i| Req::post(path.clone(), &json!({"message": format!("reply {c}-{i}")})))
    } else {
        let path = format!("/_localgram/people/{person}/comments");
        Arc::new(move |c, i| {
            Req::post(
                path.clone(),
                &json!({"media_id": media, "text": format!("comment {c}-{i}")}),
            )
        })
    };
    rt.block_on(async {
        let probe = writer(0, 0);
        let body = probe.body.clone();
        call(addr, probe.method, &probe.path, body, REQUEST_TIMEOUT).await
    })?;
    let reader = fixed(Req::get(target.path_and_query.clone()));
    println!(
        "reads-under-writes ({engine}): {} connections read the node, {} post comments via {}; \
         {:.0} s measured after {:.0} s warm-up, {} rounds; load average at start {}",
        args.readers,
        args.writers,
        args.via,
        args.duration,
        args.warmup,
        args.rounds,
        load_average()
    );
    println!(
        "{:<6} {:<12} {:>10} {:>9} {:>9} {:>10} {:>9} {:>7}",
        "round", "phase", "reads/s", "p50 ms", "p99 ms", "writes/s", "w p99 ms", "errors"
    );
    let mut ratios = Vec::new();
    let mut ok = true;
    let mut per_round = Vec::new();
    for round in 1..=args.rounds {
        let alone = rt.block_on(closed_loop(
            addr,
            args.readers,
            args.warmup,
            args.duration,
            reader.clone(),
            true,
        ));
        let (with, writes) = rt.block_on(async {
            let reads = tokio::spawn(closed_loop(
                addr,
                args.readers,
                args.warmup,
                args.duration,
                reader.clone(),
                true,
            ));
            let writes = closed_loop(
                addr,
                args.writers,
                args.warmup,
                args.duration,
                writer.clone(),
                true,
            )
            .await;
            (reads.await.unwrap_or_default(), writes)
        });
        for (phase, s, w) in [
            ("reads alone", &alone, None),
            ("with writes", &with, Some(&writes)),
        ] {
            println!(
                "{:<6} {:<12} {:>10.0} {:>9.3} {:>9.3} {:>10} {:>9} {:>7}",
                round,
                phase,
                s.rps(),
                s.q_ms(0.5),
                s.q_ms(0.99),
                w.map_or("-".into(), |w| format!("{:.0}", w.rps())),
                w.map_or("-".into(), |w| format!("{:.3}", w.q_ms(0.99))),
                s.errors + w.map_or(0, |w| w.errors)
            );
        }
        for s in [&alone, &with, &writes] {
            if let Some(e) = &s.first_error {
                eprintln!("loadtest: first error: {e}");
                ok = false;
            }
        }
        let ratio = with.q_ms(0.99) / alone.q_ms(0.99);
        println!("{:<6} p99 with writes / alone: {ratio:.2}x", round);
        ratios.push(ratio);
        per_round.push(json!({"alone": alone.json(), "with_writes": with.json(),
            "writes": writes.json(), "p99_ratio": r3(ratio)}));
    }
    drop(server);
    let m = median(ratios);
    println!(
        "target: read p99 with writes < {TARGET_UNDER_WRITES}x without: median {m:.2}x -> {}",
        verdict(m < TARGET_UNDER_WRITES)
    );
    println!(
        "{}",
        json!({"kind": "reads-under-writes", "engine": engine, "readers": args.readers,
            "writers": args.writers, "via": args.via, "p99_ratio_median": r3(m),
            "met": m < TARGET_UNDER_WRITES, "per_round": per_round})
    );
    Ok(ok)
}

// ----- growth ---------------------------------------------------------------------------------

#[derive(Args, Debug)]
pub struct GrowthArgs {
    /// The localgram binary (default: target/release/localgram).
    #[arg(long)]
    pub bin: Option<PathBuf>,
    /// Use this PostgreSQL (127.0.0.1 only; wiped) instead of SQLite: the sizes are then
    /// built and measured one after the other on one server.
    #[arg(long)]
    pub database: Option<String>,
    /// Store sizes: each gets this many media on the account and this many comments on one
    /// media (the objects registry gets a row for each); 1,000,000 is an 800 MB snapshot
    /// (the snapshot route takes up to 4 GiB).
    #[arg(long, value_delimiter = ',', default_values_t = [1_000usize, 1_000_000])]
    pub sizes: Vec<usize>,
    /// Connections per measured request.
    #[arg(short, long, default_value_t = 8)]
    pub connections: usize,
    #[arg(short, long, default_value_t = 3.0)]
    pub duration: f64,
    #[arg(short, long, default_value_t = 1.0)]
    pub warmup: f64,
    #[arg(short, long, default_value_t = 3)]
    pub rounds: usize,
    /// Page size of the measured pages.
    #[arg(long, default_value_t = 25)]
    pub limit: usize,
    /// Threads of this process's generator.
    #[arg(long, default_value_t = 1)]
    pub client_threads: usize,
}

/// One round's req/s, p50 and p99 (ms) of one request.
type RoundFigures = (f64, f64, f64);

/// Per (store size, request name), each round's req/s, p50 and p99 (ms).
pub(crate) type SizedResults = Vec<(usize, &'static str, Vec<RoundFigures>)>;

/// The header of [`measure_requests`]' rows.
pub(crate) fn print_requests_header() {
    println!(
        "{:<6} {:>9} {:<15} {:>10} {:>9} {:>9}",
        "round", "size", "request", "req/s", "p50 ms", "p99 ms"
    )
}

/// One round of each request against the server at `addr` holding a store of `size`
/// (`load`: connections, warm-up and measured seconds): a row printed per request, and its
/// figures added to `results`.
pub(crate) fn measure_requests(
    rt: &tokio::runtime::Runtime,
    (addr, size): (SocketAddr, usize),
    requests: &[(&'static str, String)],
    round: usize,
    (connections, warmup, duration): (usize, f64, f64),
    results: &mut SizedResults,
) -> Result<(), String> {
    for (name, path) in requests {
        let s = rt.block_on(closed_loop(
            addr,
            connections,
            warmup,
            duration,
            fixed(Req::get(path.clone())),
            true,
        ));
        if let Some(e) = &s.first_error {
            return Err(format!("{name} at {size}: {e}"));
        }
        println!(
            "{:<6} {:>9} {:<15} {:>10.0} {:>9.3} {:>9.3}",
            round,
            size,
            name,
            s.rps(),
            s.q_ms(0.5),
            s.q_ms(0.99)
        );
        let figures = (s.rps(), s.q_ms(0.5), s.q_ms(0.99));
        match results
            .iter_mut()
            .find(|(at, n, _)| *at == size && n == name)
        {
            Some(entry) => entry.2.push(figures),
            None => results.push((size, name, vec![figures])),
        }
    }
    Ok(())
}

/// A server holding a store of one size, and the requests to measure there.
struct Grown {
    size: usize,
    server: Server,
    requests: Vec<(&'static str, String)>,
    build_s: f64,
    snapshot_mb: f64,
}

/// The page (its `after` cursor) that starts `limit` items before the end of an edge, found
/// by following the edge's cursors with large pages.
async fn deep_cursor(
    addr: SocketAddr,
    path: &str,
    token: &str,
    total: usize,
    limit: usize,
) -> Result<Option<String>, String> {
    let step = 100usize;
    let mut seen = 0usize;
    let mut after: Option<String> = None;
    let host = HeaderValue::from_str(&addr.to_string()).map_err(|e| e.to_string())?;
    let mut sender = client::connect(addr).await?;
    while seen + step + limit <= total {
        let mut url = format!("{path}?fields=id&limit={step}&access_token={token}");
        if let Some(a) = &after {
            url.push_str(&format!("&after={a}"));
        }
        let (status, body) = client::send(&mut sender, Req::get(&url).build(&host)?).await?;
        let value: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        if status != StatusCode::OK {
            return Err(format!("GET {url} answered {status}: {value}"));
        }
        let n = value["data"].as_array().map_or(0, |d| d.len());
        if n == 0 {
            break;
        }
        seen += n;
        match value["paging"]["cursors"]["after"].as_str() {
            Some(a) if value["paging"]["next"].is_string() => after = Some(a.to_string()),
            _ => break,
        }
    }
    eprintln!("loadtest: growth: {path}: deep page after {seen} of {total} items");
    Ok(after)
}

fn template<'a>(
    tables: &'a Value,
    table: &str,
    id: &str,
) -> Result<&'a Map<String, Value>, String> {
    tables[table]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["id"] == id))
        .and_then(Value::as_object)
        .ok_or_else(|| format!("the snapshot has no {table} row {id}"))
}

fn sort_key(created_at: i64, id: &str) -> String {
    // The exported rows' own format (localgram's `store::order::newest_first`): newest first,
    // inverted time, then the inverted creation sequence (0 here: rows written outside
    // localgram), then id.
    format!("{:019}:{:019}:{id}", i64::MAX - created_at, i64::MAX)
}

/// Writes the exported snapshot with `n - 1` more media (on the account) and `n - 1` more
/// comments (on the template media), each also registered in `objects`.
fn grown_snapshot(
    snapshot: &Value,
    media_id: &str,
    comment_id: &str,
    n: usize,
) -> Result<Vec<u8>, String> {
    let tables = &snapshot["tables"];
    // The clones leave out null columns (they default to null): smaller snapshots, faster
    // imports.
    let compact = |row: &Map<String, Value>| -> Map<String, Value> {
        row.iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let media = compact(template(tables, "media", media_id)?);
    let comment = compact(template(tables, "comments", comment_id)?);
    let media_object = compact(template(tables, "objects", media_id)?);
    let comment_object = compact(template(tables, "objects", comment_id)?);
    let media_at = media["created_at"].as_i64().ok_or("media.created_at")?;
    let comment_at = comment["created_at"]
        .as_i64()
        .ok_or("comments.created_at")?;
    let extra = n.saturating_sub(1);
    let mut out: Vec<u8> = Vec::with_capacity(extra * 600 + 1024 * 1024);
    out.extend_from_slice(b"{\"format\":");
    serde_json::to_writer(&mut out, &snapshot["format"]).map_err(|e| e.to_string())?;
    out.extend_from_slice(b",\"schema\":");
    serde_json::to_writer(&mut out, &snapshot["schema"]).map_err(|e| e.to_string())?;
    out.extend_from_slice(b",\"tables\":{");
    let all = tables.as_object().ok_or("snapshot tables")?;
    for (t, (name, rows)) in all.iter().enumerate() {
        if t > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, name).map_err(|e| e.to_string())?;
        out.extend_from_slice(b":[");
        let rows = rows.as_array().ok_or("snapshot rows")?;
        let mut first = true;
        let mut put = |out: &mut Vec<u8>, row: &Map<String, Value>| -> Result<(), String> {
            if !first {
                out.push(b',');
            }
            first = false;
            serde_json::to_writer(out, row).map_err(|e| e.to_string())
        };
        for row in rows {
            let mut row = row.as_object().ok_or("snapshot row")?.clone();
            if name == "media" && row["id"] == media_id {
                row.insert("comments_count".into(), json!(n));
            }
            put(&mut out, &row)?;
        }
        for i in 0..extra {
            match name.as_str() {
                "media" => {
                    let id = format!("9{:016}", i + 1);
                    let at = media_at - (i as i64 + 1);
                    let code = format!("G{:010}", i + 1);
                    let mut row = media.clone();
                    row.insert("id".into(), json!(id));
                    row.insert("shortcode".into(), json!(code));
                    row.insert(
                        "permalink".into(),
                        json!(format!("https://www.instagram.com/p/{code}/")),
                    );
                    row.insert("caption".into(), json!(format!("media {i}")));
                    row.insert("comments_count".into(), json!(0));
                    row.insert("created_at".into(), json!(at));
                    row.insert("sort_key".into(), json!(sort_key(at, &id)));
                    put(&mut out, &row)?;
                }
                "comments" => {
                    let id = format!("8{:016}", i + 1);
                    let at = comment_at - (i as i64 + 1);
                    let mut row = comment.clone();
                    row.insert("id".into(), json!(id));
                    row.insert("text".into(), json!(format!("comment {i}")));
                    row.insert("created_at".into(), json!(at));
                    row.insert("sort_key".into(), json!(sort_key(at, &id)));
                    put(&mut out, &row)?;
                }
                "objects" => {
                    for (template, prefix) in [(&media_object, '9'), (&comment_object, '8')] {
                        let mut row = template.clone();
                        row.insert("id".into(), json!(format!("{prefix}{:016}", i + 1)));
                        put(&mut out, &row)?;
                    }
                }
                _ => break,
            }
        }
        out.push(b']');
    }
    out.extend_from_slice(b"}}");
    Ok(out)
}

fn grow(
    bin: &Path,
    database: Option<&str>,
    size: usize,
    rt: &tokio::runtime::Runtime,
    limit: usize,
) -> Result<Grown, String> {
    let started = Instant::now();
    let server = start_localgram(bin, &format!("{size}"), database, &[])?;
    let addr = server.addr;
    let (requests, snapshot_mb) = rt.block_on(async {
        let target = servers::fixture_at(addr).await?;
        let (account, token) = account_and_token(&target)?;
        let person =
            post_json(addr, "/_localgram/people", json!({"username": "commenter"})).await?;
        let person = text(&person, "id")?;
        let media = post_json(
            addr,
            &format!("/_localgram/accounts/{account}/media"),
            json!({"caption": "the commented media"}),
        )
        .await?;
        let media = text(&media, "id")?;
        let comment = post_json(
            addr,
            &format!("/_localgram/people/{person}/comments"),
            json!({"media_id": media, "text": "first"}),
        )
        .await?;
        let comment = text(&comment, "id")?;
        let snapshot = call(
            addr,
            Method::GET,
            "/_localgram/snapshot",
            None,
            Duration::from_secs(60),
        )
        .await?;
        let body = grown_snapshot(&snapshot, &media, &comment, size)?;
        let mb = body.len() as f64 / 1_048_576.0;
        if body.len() > CONTROL_BODY_LIMIT {
            return Err(format!(
                "a store of {size} media and {size} comments is a {mb:.0} MB snapshot; the \
                 control API takes at most {} MB per request (about {} of each fit)",
                CONTROL_BODY_LIMIT >> 20,
                (size as f64 * CONTROL_BODY_LIMIT as f64 / body.len() as f64) as u64
            ));
        }
        eprintln!("loadtest: growth: {size}: importing a {mb:.1} MB snapshot ...");
        call(
            addr,
            Method::PUT,
            "/_localgram/snapshot",
            Some(Bytes::from(body)),
            Duration::from_secs(1800),
        )
        .await?;
        check_first(&target).await?;
        let media_edge = format!("/v24.0/{account}/media");
        let comments_edge = format!("/v24.0/{media}/comments");
        let mut requests = vec![("node", target.path_and_query.clone())];
        for (name_first, name_deep, edge, fields) in [
            (
                "media first",
                "media deep",
                &media_edge,
                "id,caption,timestamp",
            ),
            (
                "comments first",
                "comments deep",
                &comments_edge,
                "id,text,timestamp",
            ),
        ] {
            let base = format!("{edge}?fields={fields}&limit={limit}&access_token={token}");
            requests.push((name_first, base.clone()));
            let after = deep_cursor(addr, edge, &token, size, limit).await?;
            let deep = match after {
                Some(a) => format!("{base}&after={a}"),
                None => base,
            };
            requests.push((name_deep, deep));
        }
        // Every measured page must be a full one.
        for (name, path) in &requests[1..] {
            let value = call(addr, Method::GET, path, None, REQUEST_TIMEOUT).await?;
            let n = value["data"].as_array().map_or(0, |d| d.len());
            if n != limit.min(size) {
                return Err(format!("{name}: {n} items, expected {}", limit.min(size)));
            }
        }
        Ok::<_, String>((requests, mb))
    })?;
    Ok(Grown {
        size,
        server,
        requests,
        build_s: started.elapsed().as_secs_f64(),
        snapshot_mb,
    })
}

pub fn growth(args: GrowthArgs) -> Result<bool, String> {
    check_database(&args.database)?;
    if args.sizes.len() < 2 || args.sizes.iter().any(|&n| n == 0 || n > 5_000_000) {
        return Err("--sizes needs two or more sizes in 1..=5000000".into());
    }
    if args.connections == 0 || args.rounds == 0 || args.limit == 0 || args.limit > 100 {
        return Err("--connections and --rounds must be at least 1, --limit 1..=100".into());
    }
    if !(args.duration > 0.0 && args.duration <= 600.0 && (0.0..=60.0).contains(&args.warmup)) {
        return Err("--duration must be in (0, 600] and --warmup in [0, 60]".into());
    }
    let bin = resolve_bin(args.bin.clone())?;
    let rt = runtime(args.client_threads)?;
    let engine = if args.database.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let mut results = SizedResults::new();
    let mut builds = Vec::new();
    let load = (args.connections, args.warmup, args.duration);
    let mut measure = |grown: &Grown, round: usize| {
        measure_requests(
            &rt,
            (grown.server.addr, grown.size),
            &grown.requests,
            round,
            load,
            &mut results,
        )
    };
    let header = print_requests_header;
    if args.database.is_some() {
        for &size in &args.sizes {
            let grown = grow(&bin, args.database.as_deref(), size, &rt, args.limit)?;
            builds.push((size, grown.build_s, grown.snapshot_mb));
            header();
            for round in 1..=args.rounds {
                measure(&grown, round)?;
            }
        }
    } else {
        let mut all = Vec::new();
        for &size in &args.sizes {
            let grown = grow(&bin, None, size, &rt, args.limit)?;
            builds.push((size, grown.build_s, grown.snapshot_mb));
            all.push(grown);
        }
        header();
        for round in 1..=args.rounds {
            for grown in &all {
                measure(grown, round)?;
            }
        }
    }
    println!(
        "growth ({engine}): {} connections per request, {:.0} s measured after {:.0} s warm-up, \
         {} rounds, pages of {}; store built through PUT /_localgram/snapshot:",
        args.connections, args.duration, args.warmup, args.rounds, args.limit
    );
    for (size, secs, mb) in &builds {
        println!("  size {size}: snapshot {mb:.1} MB, server start + fixture + import + cursor walk {secs:.1} s");
    }
    let small = args.sizes[0];
    let large = *args.sizes.last().expect("two sizes");
    let mut all_met = true;
    let mut out = json!({"kind": "growth", "engine": engine, "small": small, "large": large});
    for name in [
        "node",
        "media first",
        "media deep",
        "comments first",
        "comments deep",
    ] {
        let get = |size: usize| {
            results
                .iter()
                .find(|(s, n, _)| *s == size && *n == name)
                .map(|(_, _, v)| v.clone())
                .unwrap_or_default()
        };
        let (a, b) = (get(small), get(large));
        let rps_a = median(a.iter().map(|x| x.0).collect());
        let rps_b = median(b.iter().map(|x| x.0).collect());
        let p50_a = median(a.iter().map(|x| x.1).collect());
        let p50_b = median(b.iter().map(|x| x.1).collect());
        // Slowdown: how much cheaper the small store serves it (throughput ratio).
        let slowdown = rps_a / rps_b;
        let met = slowdown <= TARGET_GROWTH;
        all_met &= met;
        println!(
            "  {name:<15} {small}: {rps_a:.0} req/s (p50 {p50_a:.3} ms); {large}: {rps_b:.0} req/s \
             (p50 {p50_b:.3} ms); slowdown {slowdown:.2}x (target <= {TARGET_GROWTH}x: {})",
            verdict(met)
        );
        out[name] = json!({"small_rps": r3(rps_a), "large_rps": r3(rps_b),
            "small_p50_ms": r3(p50_a), "large_p50_ms": r3(p50_b), "slowdown": r3(slowdown),
            "met": met});
    }
    out["met"] = json!(all_met);
    println!("{out}");
    Ok(true)
}

// ----- soak -----------------------------------------------------------------------------------

#[derive(Args, Debug)]
pub struct SoakArgs {
    /// The localgram binary (default: target/release/localgram).
    #[arg(long)]
    pub bin: Option<PathBuf>,
    /// Seconds of mixed load after the warm-up (600 for the run).
    #[arg(short, long, default_value_t = 600.0)]
    pub duration: f64,
    /// A short run: 30 s (overrides --duration).
    #[arg(long)]
    pub quick: bool,
    #[arg(short, long, default_value_t = 10.0)]
    pub warmup: f64,
    #[arg(long, default_value_t = 16)]
    pub readers: usize,
    #[arg(long, default_value_t = 4)]
    pub commenters: usize,
    #[arg(long, default_value_t = 4)]
    pub messengers: usize,
    /// Publishing connections (each: create a container from an image on 127.0.0.1, read its
    /// status, publish), over 20 accounts.
    #[arg(long, default_value_t = 1)]
    pub publishers: usize,
    /// Milliseconds each publisher waits between posts (20 accounts x 400 containers a day
    /// bound the run's posts: the default keeps a 10-minute run under that).
    #[arg(long, default_value_t = 100)]
    pub post_interval_ms: u64,
    /// Seconds between resident-memory samples.
    #[arg(long, default_value_t = 1.0)]
    pub sample_every: f64,
}

pub fn soak(args: SoakArgs) -> Result<bool, String> {
    let duration = if args.quick { 30.0 } else { args.duration };
    if !(duration > 0.0 && duration <= 3600.0 && (0.0..=120.0).contains(&args.warmup)) {
        return Err("--duration must be in (0, 3600] and --warmup in [0, 120]".into());
    }
    if args.sample_every.is_nan() || args.sample_every < 0.1 {
        return Err("--sample-every must be at least 0.1".into());
    }
    let bin = resolve_bin(args.bin.clone())?;
    // 20 publishing accounts x 400 containers a day (Meta's limit) bound the posts.
    const PUBLISHERS: usize = 20;
    let server = start_localgram(&bin, "sqlite", None, &["--publish-limit", "400"])?;
    let addr = server.addr;
    let pid = server.pid();
    let rt = runtime(2)?;
    let jpeg = Bytes::from(localgram::publishing::synth::jpeg(640, 640));
    let image = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| format!("image server: {e}"))?;
        let image_addr = listener.local_addr().map_err(|e| e.to_string())?;
        let app = axum::Router::new().fallback(move || {
            let jpeg = jpeg.clone();
            async move { ([(axum::http::header::CONTENT_TYPE, "image/jpeg")], jpeg) }
        });
        let limit = Duration::from_secs_f64(duration + args.warmup + 600.0);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(tokio::time::sleep(limit))
                .await;
        });
        Ok::<_, String>(image_addr)
    })?;
    let (read, comment, message, posters) = rt.block_on(async {
        let target = servers::fixture_at(addr).await?;
        let (account, token) = account_and_token(&target)?;
        let media = post_for_id(
            addr,
            &format!("/_localgram/accounts/{account}/media"),
            json!({"caption": "soak"}),
        )
        .await?;
        let mut people = Vec::new();
        let mut igsids = Vec::new();
        for i in 0..100 {
            let person = post_for_id(
                addr,
                "/_localgram/people",
                json!({"username": format!("p{i}")}),
            )
            .await?;
            post_json(
                addr,
                &format!("/_localgram/people/{person}/messages"),
                json!({"account_id": account, "text": "hello"}),
            )
            .await?;
            let thread = call(
                addr,
                Method::GET,
                &format!("/_localgram/people/{person}/messages?account_id={account}"),
                None,
                REQUEST_TIMEOUT,
            )
            .await?;
            igsids.push(text(&thread, "igsid")?);
            people.push(person);
        }
        let app = post_json(
            addr,
            "/_localgram/apps",
            json!({"name": "soak publisher", "redirect_uris": [], "access_level": "advanced"}),
        )
        .await?;
        let app = text(&app, "id")?;
        let mut posters = Vec::new();
        for i in 0..PUBLISHERS {
            posters.push(account_with_token(addr, &app, &format!("pub{i}")).await?);
        }
        let read = fixed(Req::get(target.path_and_query.clone()));
        let people = Arc::new(people);
        let comment: Maker = Arc::new(move |c, i| {
            let person = &people[(c * 7919 + i as usize) % people.len()];
            Req::post(
                format!("/_localgram/people/{person}/comments"),
                &json!({"media_id": media, "text": format!("soak {c}-{i}")}),
            )
        });
        let igsids = Arc::new(igsids);
        let path = format!("/v24.0/{account}/messages");
        let message: Maker = Arc::new(move |c, i| {
            let igsid = &igsids[(c * 31 + i as usize) % igsids.len()];
            let mut req = Req::post(
                path.clone(),
                &json!({"recipient": {"id": igsid}, "message": {"text": format!("reply {i}")}}),
            );
            req.token = Some(token.clone());
            req
        });
        Ok::<_, String>((read, comment, message, Arc::new(posters)))
    })?;
    println!(
        "soak: {duration:.0} s of mixed load after {:.0} s warm-up on `localgram serve --ephemeral` \
         (SQLite on disk): {} readers, {} commenters, {} messengers, {} publishers; load average {}",
        args.warmup,
        args.readers,
        args.commenters,
        args.messengers,
        args.publishers,
        load_average()
    );
    let rss = |pid: u32| status_kb(pid, "VmRSS").unwrap_or(0);
    let before_load = rss(pid);
    let total = duration + args.warmup;
    let (results, samples, published) = rt.block_on(async {
        let mut loads = Vec::new();
        for (n, maker) in [
            (args.readers, read),
            (args.commenters, comment),
            (args.messengers, message),
        ] {
            if n > 0 {
                loads.push(tokio::spawn(closed_loop(
                    addr,
                    n,
                    args.warmup,
                    duration,
                    maker,
                    false,
                )));
            }
        }
        let until = Instant::now() + Duration::from_secs_f64(total);
        let url = format!("http://{image}/post.jpg");
        let post_interval_ms = args.post_interval_ms;
        let mut publishing = Vec::new();
        for p in 0..args.publishers {
            let posters = posters.clone();
            let url = url.clone();
            publishing.push(tokio::spawn(async move {
                let mut done = 0u64;
                let mut errors = 0u64;
                let mut first_error = None;
                let mut i = p;
                while Instant::now() < until {
                    let (acct, tok) = &posters[i % posters.len()];
                    i += 1;
                    match publish_once(addr, acct, tok, &url).await {
                        Ok(()) => {
                            done += 1;
                            tokio::time::sleep(Duration::from_millis(post_interval_ms)).await;
                        }
                        Err(e) => {
                            errors += 1;
                            first_error.get_or_insert(e);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
                (done, errors, first_error)
            }));
        }
        let mut samples = Vec::new();
        let t0 = Instant::now();
        while Instant::now() < until {
            tokio::time::sleep(Duration::from_secs_f64(args.sample_every)).await;
            samples.push((t0.elapsed().as_secs_f64(), rss(pid)));
        }
        let mut results = Vec::new();
        for l in loads {
            results.push(l.await.unwrap_or_default());
        }
        let mut published = (0, 0, None);
        for p in publishing {
            if let Ok((d, e, f)) = p.await {
                published.0 += d;
                published.1 += e;
                if published.2.is_none() {
                    published.2 = f;
                }
            }
        }
        (results, samples, published)
    });
    let hwm = status_kb(pid, "VmHWM").unwrap_or(0);
    drop(server);
    let at_warmup = samples
        .iter()
        .find(|(t, _)| *t >= args.warmup)
        .map_or(before_load, |s| s.1);
    let end = samples.last().map_or(0, |s| s.1);
    let max_after = samples
        .iter()
        .filter(|(t, _)| *t >= args.warmup)
        .map(|s| s.1)
        .max()
        .unwrap_or(0);
    let names = ["reads", "comments", "messages"];
    let mut ok = true;
    let mut kinds = json!({});
    for (name, s) in names.iter().zip(&results) {
        println!(
            "  {name:<9} {:>10} in the window ({:.0}/s), errors {}",
            s.requests,
            s.rps(),
            s.errors
        );
        if let Some(e) = &s.first_error {
            eprintln!("loadtest: soak: {name}: first error: {e}");
            ok = false;
        }
        kinds[*name] = json!({"requests": s.requests, "rps": r3(s.rps()), "errors": s.errors});
    }
    println!(
        "  posts     {:>10} over the whole run, errors {}",
        published.0, published.1
    );
    if let Some(e) = &published.2 {
        eprintln!("loadtest: soak: publishing: first error: {e}");
    }
    let mb = |kb: u64| kb as f64 / 1024.0;
    let every = (samples.len() / 10).max(1);
    println!(
        "  VmRSS (MB) over time: {}",
        samples
            .iter()
            .step_by(every)
            .map(|(t, kb)| format!("{t:.0}s {:.1}", mb(*kb)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "memory: VmRSS before load {:.1} MB, after warm-up {:.1} MB, end {:.1} MB, max after \
         warm-up {:.1} MB, VmHWM {:.1} MB; end/after-warm-up {:.2}x",
        mb(before_load),
        mb(at_warmup),
        mb(end),
        mb(max_after),
        mb(hwm),
        end as f64 / at_warmup.max(1) as f64
    );
    println!(
        "{}",
        json!({"kind": "soak", "duration_s": duration, "warmup_s": args.warmup, "load": kinds,
            "posts": published.0, "post_errors": published.1,
            "rss_kb": {"before_load": before_load, "after_warmup": at_warmup, "end": end,
                "max_after_warmup": max_after, "hwm": hwm},
            "samples": samples.iter().step_by(every).map(|(t, kb)| json!([r3(*t), kb])).collect::<Vec<_>>()})
    );
    Ok(ok && published.1 == 0)
}

async fn publish_once(
    addr: SocketAddr,
    account: &str,
    token: &str,
    url: &str,
) -> Result<(), String> {
    let created = post_json(
        addr,
        &format!("/v24.0/{account}/media?access_token={token}"),
        json!({"image_url": url}),
    )
    .await?;
    let container = text(&created, "id")?;
    for attempt in 0.. {
        let status = call(
            addr,
            Method::GET,
            &format!("/v24.0/{container}?fields=status_code&access_token={token}"),
            None,
            REQUEST_TIMEOUT,
        )
        .await?;
        match status["status_code"].as_str() {
            Some("FINISHED") => break,
            Some("IN_PROGRESS") if attempt < 200 => {
                tokio::time::sleep(Duration::from_millis(5)).await
            }
            other => return Err(format!("container {container} is {other:?}")),
        }
    }
    post_json(
        addr,
        &format!("/v24.0/{account}/media_publish?access_token={token}"),
        json!({"creation_id": container}),
    )
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_reports() {
        let out = "Running 1s test @ http://127.0.0.1:1/bench\n  1 threads and 64 connections\n\
  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency   811.41us  1.01ms  22.76ms   91.97%\n\
  Latency Distribution\n     50%  552.00us\n     75%  842.00us\n     90%    1.43ms\n     99%    5.05ms\n\
  73260 requests in 1.00s, 11.25MB read\n  Non-2xx or 3xx responses: 3\n\
  Socket errors: connect 0, read 2, write 0, timeout 1\nRequests/sec:  73184.74\nTransfer/sec:     11.24MB\n";
        let r = parse_wrk(out).expect("parses");
        assert_eq!(r.requests, 73260);
        assert!((r.rps - 73184.74).abs() < 1e-6);
        assert!((r.p50_ms - 0.552).abs() < 1e-9);
        assert!((r.p99_ms - 5.05).abs() < 1e-9);
        assert_eq!(r.errors, 6);
        assert_eq!(parse_duration_ms("1.5s"), Some(1500.0));
    }

    #[test]
    fn the_grown_snapshot_keeps_the_template_and_adds_rows() {
        let snapshot = json!({"format": "localgram-snapshot", "schema": 6, "tables": {
            "objects": [{"id": "1", "kind": "media", "target_id": null, "created_at": 5},
                        {"id": "2", "kind": "comment", "target_id": null, "created_at": 5}],
            "media": [{"id": "1", "created_at": 5000, "sort_key": "x", "shortcode": "a",
                       "permalink": "p", "caption": null, "comments_count": 1}],
            "comments": [{"id": "2", "media_id": "1", "text": "t", "created_at": 5000,
                          "sort_key": "y"}],
            "settings": [{"key": "k", "value": "v"}]}});
        let body = grown_snapshot(&snapshot, "1", "2", 3).expect("grows");
        let v: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(v["tables"]["media"].as_array().map(Vec::len), Some(3));
        assert_eq!(v["tables"]["comments"].as_array().map(Vec::len), Some(3));
        assert_eq!(v["tables"]["objects"].as_array().map(Vec::len), Some(6));
        assert_eq!(v["tables"]["media"][0]["comments_count"], 3);
        assert_eq!(v["tables"]["settings"], snapshot["tables"]["settings"]);
        let keys: Vec<&str> = v["tables"]["media"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["sort_key"].as_str().unwrap())
            .collect();
        assert!(keys[1] < keys[2], "older media sort after newer ones");
    }
}
