//! `loadtest outbox`: the targets of issue #17 (webhooks through long outages and large
//! backlogs), measured against the real `localgram` binary in its own processes.
//!
//! * **writes**: comments that each make a `comments` webhook event
//!   (`POST /_localgram/people/{id}/comments`, N keep-alive connections in a closed loop), on
//!   two servers side by side: the *reference*, whose receiver is up and whose outbox stays
//!   idle, and the server *under test*, whose receiver is up, then down (connection refused)
//!   while its backlog grows to each level, then answering 500, then delivery paused, then up
//!   again while the backlog drains (after `POST /_localgram/webhooks/replay`). Windows
//!   alternate between the two servers, so each speed is a ratio to a reference window
//!   measured next to it.
//! * **fairness**: how long one account's comment takes to reach the receiver while every other
//!   account's deliveries fail behind a large backlog, against the same on the reference.
//! * **disk**: the store (SQLite files with the WAL, or the PostgreSQL database) per 100,000
//!   events, before and after retention prunes the delivered requests, and what writing after
//!   pruning adds.
//! * **pages**: `GET /_localgram/webhooks/deliveries` (no filter and each filter, newest and
//!   oldest pages) on logs of each size, built through `GET`/`PUT /_localgram/snapshot` from a
//!   small log made by real deliveries.
//!
//! The receivers are axum servers of this process on 127.0.0.1 (their own runtime); every
//! server is a child process killed and reaped on every exit path; every loop is bounded.

use axum::extract::Query;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use clap::Args;
use hyper::Method;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::runtime::Handle;

use crate::issue10::{
    account_with_token, call, call_as, check_database, closed_loop, fixed, load_average, median,
    post_for_id, post_json, r3, runtime, start_localgram_in, text, verdict, Maker, Req, Server,
    Stats, REQUEST_TIMEOUT,
};
use crate::startup::resolve_bin;

/// Issue #17: "a backlog of 100,000 pending deliveries leaves API write throughput within 20%
/// of an idle outbox".
const TARGET_BACKLOG_RATIO: f64 = 0.8;
/// "Listing any page costs the same at 1,000 and at 1,000,000 deliveries": read here as the
/// server's CPU time per page within the tolerance issue #10's growth target uses for pages
/// (CPU time, not throughput: the machine's other load moves throughput far more).
const TARGET_PAGE_SLOWDOWN: f64 = 1.5;
const HOOK_PATH: &str = "/hook";
const VERIFY_TOKEN: &str = "outbox-bench";
/// Comments whose text starts with this are timed from the post to their arrival.
const PROBE: &str = "probe-";
/// Large enough that retention prunes only when the run asks it to.
const RETENTION_OFF: &str = "1000000000000";
const SLOW: Duration = Duration::from_secs(60);

#[derive(Args, Debug)]
pub struct OutboxArgs {
    /// The localgram binary (default: target/release/localgram).
    #[arg(long)]
    pub bin: Option<PathBuf>,
    /// Run the server under test on this PostgreSQL (127.0.0.1 only; wiped first); the
    /// reference then needs its own database (--reference-database).
    #[arg(long, requires = "reference_database")]
    pub database: Option<String>,
    /// The reference server's PostgreSQL database (127.0.0.1 only; wiped first).
    #[arg(long, requires = "database")]
    pub reference_database: Option<String>,
    /// What to measure: `writes` (throughput, fairness, disk) and `pages` (the delivery log).
    #[arg(long, value_delimiter = ',', default_values_t = ["writes".to_string(), "pages".to_string()],
        value_parser = ["writes", "pages"])]
    pub parts: Vec<String>,
    /// Connections posting comments.
    #[arg(long, default_value_t = 8)]
    pub writers: usize,
    /// Accounts the comments go to (round robin); one more account is the fairness probe.
    #[arg(long, default_value_t = 100)]
    pub accounts: usize,
    /// Backlog levels (pending deliveries) at which writes are measured with the receiver down.
    #[arg(long, value_delimiter = ',', default_values_t = [1_000usize, 10_000, 100_000])]
    pub backlogs: Vec<usize>,
    /// Measured seconds per write window.
    #[arg(short, long, default_value_t = 3.0)]
    pub duration: f64,
    /// Warm-up seconds before each window (written, not counted).
    #[arg(short, long, default_value_t = 0.25)]
    pub warmup: f64,
    /// Window pairs (reference, under test) per phase.
    #[arg(long, default_value_t = 3)]
    pub pairs: usize,
    /// Fairness probes per server.
    #[arg(long, default_value_t = 10)]
    pub probes: usize,
    /// Seconds the backlog may take to drain once the receiver is back.
    #[arg(long, default_value_t = 300.0)]
    pub drain_timeout: f64,
    /// Seconds of writes on the reference after pruning (what pruned space takes back).
    #[arg(long, default_value_t = 10.0)]
    pub reuse_seconds: f64,
    /// Delivery log sizes for the page times.
    /// Delivery log sizes for the page times. A delivery takes about 1 KB of snapshot with the
    /// default --batch: 250,000 is near the largest the control API's 256 MiB request limit
    /// lets through; 1,000,000 (about 930 MB) needs that limit lifted. Sizes it refuses are
    /// reported and skipped.
    #[arg(long, value_delimiter = ',', default_values_t = [1_000usize, 100_000, 250_000])]
    pub sizes: Vec<usize>,
    /// Deliveries per request in the built log; the template request is a real one of this
    /// many deliveries (at most 1000, Meta's batch), so its body has that many updates.
    #[arg(long, default_value_t = 10)]
    pub batch: usize,
    /// Page size of the measured pages (the log's default is 100).
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Connections per measured page.
    #[arg(long, default_value_t = 4)]
    pub page_connections: usize,
    /// Measured seconds per page, size and round.
    #[arg(long, default_value_t = 2.0)]
    pub page_duration: f64,
    /// Rounds of page measurements (sizes interleaved on SQLite).
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// A short smoke run: small levels and sizes, one pair, one round, 1-second windows.
    #[arg(long)]
    pub quick: bool,
    /// Threads of this process's generator (the receivers have a thread of their own).
    #[arg(long, default_value_t = 1)]
    pub client_threads: usize,
    /// Where the SQLite stores go (removed after); default: the system's temporary directory.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

impl OutboxArgs {
    fn apply_quick(&mut self) {
        if self.quick {
            self.accounts = self.accounts.min(10);
            self.backlogs = vec![200, 1_000];
            self.duration = 1.0;
            self.warmup = 0.2;
            self.pairs = 1;
            self.probes = 3;
            self.reuse_seconds = 1.0;
            self.sizes = vec![200, 2_000];
            self.limit = 10;
            self.page_duration = 0.5;
            self.rounds = 1;
        }
    }

    fn check(&self) -> Result<(), String> {
        check_database(&self.database)?;
        check_database(&self.reference_database)?;
        let ok_time = |x: f64, max: f64| x > 0.0 && x <= max;
        if self.writers == 0 || self.writers > 1024 || self.accounts == 0 || self.accounts > 10_000
        {
            return Err("--writers must be 1..=1024 and --accounts 1..=10000".into());
        }
        if self.backlogs.is_empty() || self.backlogs.iter().any(|&b| b == 0 || b > 5_000_000) {
            return Err("--backlogs needs levels in 1..=5000000".into());
        }
        if !(ok_time(self.duration, 600.0)
            && (0.0..=60.0).contains(&self.warmup)
            && ok_time(self.page_duration, 600.0)
            && ok_time(self.drain_timeout, 3600.0)
            && (0.0..=600.0).contains(&self.reuse_seconds))
        {
            return Err(
                "--duration, --page-duration, --drain-timeout, --warmup and \
                        --reuse-seconds are out of range"
                    .into(),
            );
        }
        if self.pairs == 0 || self.pairs > 50 || self.rounds == 0 || self.rounds > 50 {
            return Err("--pairs and --rounds must be 1..=50".into());
        }
        if self.probes > 1000 || self.page_connections == 0 || self.page_connections > 1024 {
            return Err("--probes must be at most 1000, --page-connections 1..=1024".into());
        }
        if self.sizes.len() < 2 || self.sizes.iter().any(|&n| n == 0 || n > 5_000_000) {
            return Err("--sizes needs two or more sizes in 1..=5000000".into());
        }
        if self.batch == 0 || self.batch > 1000 || self.limit == 0 || self.limit > 1000 {
            return Err("--batch and --limit must be 1..=1000".into());
        }
        Ok(())
    }
}

// ----- the receiver ---------------------------------------------------------------------------

/// How a receiver answers notifications while it listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Ok = 0,
    Error = 1,
    /// 200 when every entry is the probe account's, else 500: every other account stalls.
    OnlyProbeAccount = 2,
}

impl Answer {
    fn from_u8(n: u8) -> Answer {
        match n {
            1 => Answer::Error,
            2 => Answer::OnlyProbeAccount,
            _ => Answer::Ok,
        }
    }
}

#[derive(Default)]
struct HookState {
    answer: AtomicU8,
    probe_account: Mutex<String>,
    requests: AtomicU64,
    /// Probe comment texts and when their notification was accepted.
    arrived: Mutex<HashMap<String, Instant>>,
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether the receiver accepts a notification body (answers 200), and the probe comments it
/// carried. Bodies are parsed only when they carry a probe or when the answer depends on the
/// accounts: the receiver stays cheap under load.
fn judge(body: &[u8], answer: Answer, probe_account: &str) -> (bool, Vec<String>) {
    let has_probe = contains(body, PROBE.as_bytes());
    match answer {
        Answer::Error => return (false, Vec::new()),
        Answer::Ok if !has_probe => return (true, Vec::new()),
        _ => {}
    }
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let empty = Vec::new();
    let entries = value["entry"].as_array().unwrap_or(&empty);
    let accepted = answer == Answer::Ok
        || (!entries.is_empty() && entries.iter().all(|e| e["id"] == probe_account));
    if !accepted {
        return (false, Vec::new());
    }
    let probes = entries
        .iter()
        .flat_map(|e| e["changes"].as_array().unwrap_or(&empty).iter())
        .filter_map(|c| c["value"]["text"].as_str())
        .filter(|t| t.starts_with(PROBE))
        .map(str::to_string)
        .collect();
    (true, probes)
}

/// A webhook receiver on 127.0.0.1 that can go down (its port then refuses connections) and
/// come back on the same port.
struct Hook {
    addr: SocketAddr,
    state: Arc<HookState>,
    rt: Handle,
    running: Option<(
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    )>,
}

impl Hook {
    fn start(rt: &Handle) -> Result<Hook, String> {
        let listener = rt
            .block_on(TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))))
            .map_err(|e| format!("receiver: cannot listen: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let mut hook = Hook {
            addr,
            state: Arc::default(),
            rt: rt.clone(),
            running: None,
        };
        hook.serve(listener);
        Ok(hook)
    }

    fn serve(&mut self, listener: TcpListener) {
        let state = self.state.clone();
        let app = Router::new().route(
            HOOK_PATH,
            get(|Query(q): Query<HashMap<String, String>>| async move {
                q.get("hub.challenge").cloned().unwrap_or_default()
            })
            .post(move |body: Bytes| {
                let state = state.clone();
                async move {
                    state.requests.fetch_add(1, Ordering::Relaxed);
                    let answer = Answer::from_u8(state.answer.load(Ordering::Acquire));
                    let account = state
                        .probe_account
                        .lock()
                        .map(|a| a.clone())
                        .unwrap_or_default();
                    let (accepted, probes) = judge(&body, answer, &account);
                    if !probes.is_empty() {
                        let now = Instant::now();
                        if let Ok(mut arrived) = state.arrived.lock() {
                            for p in probes {
                                arrived.entry(p).or_insert(now);
                            }
                        }
                    }
                    if accepted {
                        (axum::http::StatusCode::OK, "ok")
                    } else {
                        (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "down")
                    }
                }
            }),
        );
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = self.rt.spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        self.running = Some((tx, task));
    }

    fn url(&self) -> String {
        format!("http://{}{HOOK_PATH}", self.addr)
    }

    fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::Relaxed)
    }

    /// Listens (on its port again if it was down) and answers `answer`.
    fn set(&mut self, answer: Answer) -> Result<(), String> {
        self.state.answer.store(answer as u8, Ordering::Release);
        if self.running.is_none() {
            let addr = self.addr;
            let listener = self
                .rt
                .block_on(TcpListener::bind(addr))
                .map_err(|e| format!("receiver: cannot listen on {addr} again: {e}"))?;
            self.serve(listener);
        }
        Ok(())
    }

    /// Down: the listener and every open connection are closed, so sends are refused.
    fn down(&mut self) {
        if let Some((tx, task)) = self.running.take() {
            let _ = tx.send(());
            let abort = task.abort_handle();
            if self
                .rt
                .block_on(async { tokio::time::timeout(Duration::from_secs(10), task).await })
                .is_err()
            {
                abort.abort();
            }
        }
    }

    fn arrived(&self, probe: &str) -> Option<Instant> {
        self.state
            .arrived
            .lock()
            .ok()
            .and_then(|a| a.get(probe).copied())
    }
}

impl Drop for Hook {
    fn drop(&mut self) {
        if let Some((_, task)) = self.running.take() {
            task.abort();
        }
    }
}

// ----- the world: an app with webhooks, accounts that enabled it, people who comment -------------

struct World {
    app_id: String,
    accounts: Vec<String>,
    media: Vec<String>,
    people: Vec<String>,
    probe_account: String,
    probe_media: String,
}

async fn set_up(addr: SocketAddr, callback: &str, accounts: usize) -> Result<World, String> {
    let app = post_json(
        addr,
        "/_localgram/apps",
        json!({"name": "outbox bench", "redirect_uris": [], "access_level": "advanced"}),
    )
    .await?;
    let app_id = text(&app, "id")?;
    let app_token = text(&app, "app_token")?;
    let body = json!({"object": "instagram", "callback_url": callback,
        "verify_token": VERIFY_TOKEN, "fields": "comments"});
    call_as(
        addr,
        Method::POST,
        &format!("/v24.0/{app_id}/subscriptions"),
        Some(Bytes::from(body.to_string())),
        Some(&app_token),
        SLOW,
    )
    .await?;
    let mut ids = Vec::new();
    let mut media = Vec::new();
    for i in 0..=accounts {
        let (id, token) = account_with_token(addr, &app_id, &format!("shop{i}")).await?;
        call_as(
            addr,
            Method::POST,
            &format!("/v24.0/{id}/subscribed_apps"),
            Some(Bytes::from(
                json!({"subscribed_fields": "comments"}).to_string(),
            )),
            Some(&token),
            SLOW,
        )
        .await?;
        media.push(
            post_for_id(
                addr,
                &format!("/_localgram/accounts/{id}/media"),
                json!({"caption": format!("media of shop{i}")}),
            )
            .await?,
        );
        ids.push(id);
    }
    let mut people = Vec::new();
    for i in 0..10 {
        let person = json!({"username": format!("fan{i}")});
        people.push(post_for_id(addr, "/_localgram/people", person).await?);
    }
    let probe_account = ids.pop().ok_or("no probe account")?;
    let probe_media = media.pop().ok_or("no probe media")?;
    Ok(World {
        app_id,
        accounts: ids,
        media,
        people,
        probe_account,
        probe_media,
    })
}

/// Comments by the world's people on its accounts' media, round robin.
fn commenter(world: &World) -> Maker {
    let people = Arc::new(world.people.clone());
    let media = Arc::new(world.media.clone());
    Arc::new(move |c, i| {
        let k = c.wrapping_mul(7919).wrapping_add(i as usize);
        let person = &people[k % people.len()];
        let m = &media[(k / people.len()) % media.len()];
        Req::post(
            format!("/_localgram/people/{person}/comments"),
            &json!({"media_id": m, "text": format!("c{c}-{i}")}),
        )
    })
}

/// `GET /_localgram/webhooks/stats`.
#[derive(Debug, Default, Clone, Copy)]
struct Outbox {
    pending: i64,
    retrying: i64,
    delivered: i64,
    given_up: i64,
    skipped: i64,
    pruned: i64,
}

impl Outbox {
    fn backlog(&self) -> i64 {
        self.pending + self.retrying
    }

    fn deliveries(&self) -> i64 {
        self.backlog() + self.delivered + self.given_up + self.skipped
    }
}

async fn outbox(addr: SocketAddr) -> Result<Outbox, String> {
    let v = call(
        addr,
        Method::GET,
        "/_localgram/webhooks/stats",
        None,
        REQUEST_TIMEOUT,
    )
    .await?;
    let n = |k: &str| v[k].as_i64().ok_or(format!("stats answered no {k}: {v}"));
    Ok(Outbox {
        pending: n("pending")?,
        retrying: n("failed")?,
        delivered: n("delivered")?,
        given_up: n("given_up")?,
        skipped: n("skipped")?,
        pruned: n("pruned")?,
    })
}

/// Polls the outbox until `done` holds, for at most `timeout`.
async fn wait_outbox(
    addr: SocketAddr,
    timeout: Duration,
    what: &str,
    done: impl Fn(&Outbox) -> bool,
) -> Result<Outbox, String> {
    let started = Instant::now();
    loop {
        let o = outbox(addr).await?;
        if done(&o) {
            return Ok(o);
        }
        if started.elapsed() > timeout {
            return Err(format!("{what}: not within {timeout:?} (outbox {o:?})"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ----- disk -------------------------------------------------------------------------------------

#[derive(Debug, Default, Clone, Copy)]
struct Disk {
    /// The database file (SQLite) or the database (PostgreSQL).
    db: u64,
    wal: u64,
    /// Bytes in pages that hold data: SQLite's (page_count - freelist_count) x page_size, or
    /// PostgreSQL's webhook tables with their indexes.
    used: Option<u64>,
}

impl Disk {
    fn total(&self) -> u64 {
        self.db + self.wal
    }

    fn json(&self) -> Value {
        json!({"db_bytes": self.db, "wal_bytes": self.wal, "total_bytes": self.total(),
            "used_bytes": self.used})
    }
}

/// Where a server keeps its state, for measuring it.
#[derive(Clone)]
enum Place {
    Sqlite(PathBuf),
    Postgres(String),
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn disk(place: &Place) -> Result<Disk, String> {
    match place {
        Place::Sqlite(dir) => {
            let db = dir.join("localgram.db");
            let wal = dir.join("localgram.db-wal");
            // Read-only; the server keeps writing meanwhile (WAL).
            let used = rusqlite::Connection::open_with_flags(
                &db,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .and_then(|c| {
                let get = |p: &str| c.query_row(&format!("PRAGMA {p}"), [], |r| r.get::<_, i64>(0));
                Ok((get("page_count")? - get("freelist_count")?) * get("page_size")?)
            })
            .ok()
            .and_then(|n| u64::try_from(n).ok());
            Ok(Disk {
                db: file_len(&db),
                wal: file_len(&wal),
                used,
            })
        }
        Place::Postgres(url) => {
            let sql = "SELECT pg_database_size(current_database()), \
                (SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c \
                 WHERE c.relkind = 'r' AND c.relname LIKE 'webhook%')";
            let out = std::process::Command::new("psql")
                .args([url.as_str(), "-AtF", " ", "-c", sql])
                .stdin(std::process::Stdio::null())
                .output()
                .map_err(|e| format!("cannot run psql for the database size: {e}"))?;
            let stdout = String::from_utf8_lossy(&out.stdout);
            let mut parts = stdout.split_whitespace().map(str::parse::<u64>);
            match (parts.next(), parts.next()) {
                (Some(Ok(db)), Some(Ok(webhooks))) => Ok(Disk {
                    db,
                    wal: 0,
                    used: Some(webhooks),
                }),
                _ => Err(format!(
                    "psql answered {stdout:?} {}",
                    String::from_utf8_lossy(&out.stderr)
                )),
            }
        }
    }
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// Bytes per 100,000 events, in MB.
fn per_100k(bytes: i64, events: i64) -> f64 {
    if events <= 0 {
        return f64::NAN;
    }
    bytes as f64 / events as f64 * 100_000.0 / 1_048_576.0
}

// ----- the write part -------------------------------------------------------------------------

/// One side of the comparison: a server, its receiver, its world.
struct Side {
    label: &'static str,
    server: Server,
    hook: Hook,
    world: World,
    maker: Maker,
    place: Place,
}

/// One measured window of writes on one side.
struct Window {
    phase: String,
    side: &'static str,
    stats: Stats,
    backlog_before: i64,
    backlog_after: i64,
}

impl Window {
    fn json(&self) -> Value {
        json!({"phase": self.phase, "server": self.side, "seconds": r3(self.stats.seconds),
            "writes_per_s": r3(self.stats.rps()),
            "p50_ms": r3(self.stats.q_ms(0.5)), "p99_ms": r3(self.stats.q_ms(0.99)),
            "errors": self.stats.errors, "backlog_before": self.backlog_before,
            "backlog_after": self.backlog_after})
    }
}

/// A phase's summary: the under-test windows against the reference windows beside them.
struct PhaseResult {
    phase: String,
    ratios: Vec<f64>,
    test_rps: f64,
    reference_rps: f64,
    backlog_from: i64,
    backlog_to: i64,
    receiver_requests: u64,
}

impl PhaseResult {
    fn ratio(&self) -> f64 {
        median(self.ratios.clone())
    }
}

struct WriteRun<'a> {
    args: &'a OutboxArgs,
    rt: &'a tokio::runtime::Runtime,
    reference: Side,
    test: Side,
    windows: Vec<Window>,
    fills: Vec<Value>,
    errors: u64,
}

impl WriteRun<'_> {
    fn side(&self, test: bool) -> &Side {
        if test {
            &self.test
        } else {
            &self.reference
        }
    }

    fn window(&mut self, test: bool, phase: &str, seconds: f64) -> Result<usize, String> {
        let side = self.side(test);
        let addr = side.server.addr;
        let maker = side.maker.clone();
        let label = side.label;
        let before = self.rt.block_on(outbox(addr))?.backlog();
        let stats = self.rt.block_on(closed_loop(
            addr,
            self.args.writers,
            self.args.warmup,
            seconds,
            maker,
            true,
        ));
        let after = self.rt.block_on(outbox(addr))?.backlog();
        if let Some(e) = &stats.first_error {
            eprintln!("loadtest: outbox: {phase} on {label}: first error: {e}");
        }
        self.errors += stats.errors;
        println!(
            "{:<28} {:<10} {:>9.0} {:>8.3} {:>8.3} {:>17} {:>6} {:>5}",
            phase,
            label,
            stats.rps(),
            stats.q_ms(0.5),
            stats.q_ms(0.99),
            format!("{before}->{after}"),
            stats.errors,
            load_average()
        );
        self.windows.push(Window {
            phase: phase.to_string(),
            side: label,
            stats,
            backlog_before: before,
            backlog_after: after,
        });
        Ok(self.windows.len() - 1)
    }

    /// `pairs` windows of `seconds` on each side, alternating which goes first.
    fn phase(&mut self, phase: &str, seconds: f64) -> Result<PhaseResult, String> {
        let requests = self.test.hook.requests();
        let mut ratios = Vec::new();
        let (mut tests, mut refs) = (Vec::new(), Vec::new());
        let mut backlogs = Vec::new();
        for p in 0..self.args.pairs {
            let order = if p % 2 == 0 {
                [false, true]
            } else {
                [true, false]
            };
            let mut pair = [0usize; 2];
            for test in order {
                pair[usize::from(test)] = self.window(test, phase, seconds)?;
            }
            let (r, t) = (&self.windows[pair[0]], &self.windows[pair[1]]);
            ratios.push(t.stats.rps() / r.stats.rps());
            tests.push(t.stats.rps());
            refs.push(r.stats.rps());
            backlogs.push((t.backlog_before, t.backlog_after));
        }
        let result = PhaseResult {
            phase: phase.to_string(),
            ratios,
            test_rps: median(tests),
            reference_rps: median(refs),
            backlog_from: backlogs.first().map_or(0, |b| b.0),
            backlog_to: backlogs.last().map_or(0, |b| b.1),
            receiver_requests: self.test.hook.requests() - requests,
        };
        println!(
            "  -> {phase}: under test {:.0}/s, reference {:.0}/s, ratio per pair {:?}, median {:.3}",
            result.test_rps,
            result.reference_rps,
            result.ratios.iter().map(|x| r3(*x)).collect::<Vec<_>>(),
            result.ratio()
        );
        Ok(result)
    }

    /// Writes to the side under test (unmeasured, but recorded) until its backlog is `level`.
    fn fill(&mut self, level: usize) -> Result<(), String> {
        let addr = self.test.server.addr;
        let maker = self.test.maker.clone();
        let started = Instant::now();
        let limit = Duration::from_secs(900);
        let mut rate = 500.0;
        loop {
            let before = self.rt.block_on(outbox(addr))?.backlog();
            let missing = level as f64 - before as f64;
            if missing <= 0.0 {
                return Ok(());
            }
            if started.elapsed() > limit {
                return Err(format!(
                    "the backlog reached {before} of {level} in {limit:?}"
                ));
            }
            let seconds = (missing / rate).clamp(0.2, 20.0);
            let s = self.rt.block_on(closed_loop(
                addr,
                self.args.writers,
                0.0,
                seconds,
                maker.clone(),
                false,
            ));
            if let Some(e) = &s.first_error {
                return Err(format!("filling the backlog: {e}"));
            }
            let after = self.rt.block_on(outbox(addr))?.backlog();
            rate = s.rps().max(50.0);
            println!(
                "{:<28} {:<10} {:>9.0} {:>8} {:>8} {:>17} {:>6} {:>5}",
                format!("fill to {level}"),
                self.test.label,
                s.rps(),
                "-",
                "-",
                format!("{before}->{after}"),
                s.errors,
                load_average()
            );
            self.fills
                .push(json!({"level": level, "seconds": r3(seconds),
                "writes_per_s": r3(s.rps()), "backlog_before": before, "backlog_after": after}));
        }
    }

    /// Posts `n` probe comments on the probe account, one after the other, and answers each
    /// one's milliseconds from the post to its acceptance by the receiver (`None`: not within
    /// 60 s).
    fn probes(&self, test: bool) -> Result<Vec<Option<f64>>, String> {
        let side = self.side(test);
        let addr = side.server.addr;
        let person = side.world.people[0].clone();
        let media = side.world.probe_media.clone();
        let mut out = Vec::new();
        for i in 0..self.args.probes {
            let probe = format!("{PROBE}{}-{i}", side.label);
            let started = Instant::now();
            self.rt.block_on(post_json(
                addr,
                &format!("/_localgram/people/{person}/comments"),
                json!({"media_id": media, "text": probe}),
            ))?;
            let arrived = self.rt.block_on(async {
                while started.elapsed() < SLOW {
                    if let Some(at) = side.hook.arrived(&probe) {
                        return Some(at);
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                None
            });
            out.push(arrived.map(|at| at.duration_since(started).as_secs_f64() * 1000.0));
        }
        Ok(out)
    }
}

fn latency_summary(v: &[Option<f64>]) -> Value {
    let got: Vec<f64> = v.iter().flatten().copied().collect();
    let max = got.iter().copied().fold(f64::NAN, f64::max);
    json!({"probes": v.len(), "delivered": got.len(), "p50_ms": r3(median(got.clone())),
        "max_ms": r3(max), "all_ms": v.iter().map(|x| x.map(r3)).collect::<Vec<_>>()})
}

fn start_side(
    label: &'static str,
    bin: &Path,
    database: Option<&str>,
    dir: &Path,
    hooks: &Handle,
    rt: &tokio::runtime::Runtime,
    accounts: usize,
) -> Result<Side, String> {
    let hook = Hook::start(hooks)?;
    let data = dir.join(label);
    let place = match database {
        Some(url) => Place::Postgres(url.to_string()),
        None => Place::Sqlite(data.clone()),
    };
    let server = start_localgram_in(
        bin,
        label,
        database,
        database.is_none().then_some(data.as_path()),
        &["--webhook-retention-count", RETENTION_OFF],
    )?;
    let world = rt.block_on(set_up(server.addr, &hook.url(), accounts))?;
    let maker = commenter(&world);
    // One comment through, to know the pipe works before measuring it.
    rt.block_on(async {
        let c = maker(0, 0);
        call(server.addr, c.method, &c.path, c.body, REQUEST_TIMEOUT).await?;
        wait_outbox(server.addr, SLOW, "the first delivery", |o| {
            o.delivered >= 1
        })
        .await
    })?;
    Ok(Side {
        label,
        server,
        hook,
        world,
        maker,
        place,
    })
}

fn control_post(
    rt: &tokio::runtime::Runtime,
    side: &Side,
    path: &str,
    body: Value,
) -> Result<Value, String> {
    rt.block_on(post_json(side.server.addr, path, body))
}

fn writes(
    args: &OutboxArgs,
    bin: &Path,
    dir: &Path,
    rt: &tokio::runtime::Runtime,
    hooks: &Handle,
) -> Result<(Value, u64), String> {
    let reference = start_side(
        "reference",
        bin,
        args.reference_database.as_deref(),
        dir,
        hooks,
        rt,
        args.accounts,
    )?;
    let test = start_side(
        "outbox",
        bin,
        args.database.as_deref(),
        dir,
        hooks,
        rt,
        args.accounts,
    )?;
    let mut run = WriteRun {
        args,
        rt,
        reference,
        test,
        windows: Vec::new(),
        fills: Vec::new(),
        errors: 0,
    };
    println!(
        "writes: comments (POST /_localgram/people/{{id}}/comments, each a `comments` webhook) \
         from {} connections over {} accounts; windows of {:.1} s after {:.1} s warm-up, {} \
         pair(s) per phase alternating the reference (receiver up, idle outbox) and the server \
         under test; load average at start {}",
        args.writers,
        args.accounts,
        args.duration,
        args.warmup,
        args.pairs,
        load_average()
    );
    println!(
        "{:<28} {:<10} {:>9} {:>8} {:>8} {:>17} {:>6} {:>5}",
        "phase", "server", "writes/s", "p50 ms", "p99 ms", "backlog", "errors", "load"
    );
    let mut phases = Vec::new();
    let full = args.duration;
    phases.push(run.phase("idle, receiver up", full)?);
    run.test.hook.down();
    for &level in &args.backlogs {
        run.fill(level)?;
        // Shorter windows at small levels, so that measuring them does not add more than
        // about the level itself to the backlog.
        let rate = phases[0].test_rps.max(1.0);
        let seconds = (level as f64 / (rate * args.pairs as f64)).clamp(0.5_f64.min(full), full);
        phases.push(run.phase(&format!("receiver down, {level}"), seconds)?);
    }
    let top = *args.backlogs.iter().max().unwrap_or(&0);
    let disk_backlog = disk(&run.test.place).ok();
    let at_backlog = rt.block_on(outbox(run.test.server.addr))?;
    run.test.hook.set(Answer::Error)?;
    phases.push(run.phase(&format!("receiver 500s, {top}+"), full)?);
    control_post(rt, &run.test, "/_localgram/webhooks/pause", json!({}))?;
    phases.push(run.phase(&format!("delivery paused, {top}+"), full)?);
    control_post(rt, &run.test, "/_localgram/webhooks/resume", json!({}))?;

    // Fairness: every account but the probe account fails; its comments must still go through.
    let probe_account = run.test.world.probe_account.clone();
    if let Ok(mut a) = run.test.hook.state.probe_account.lock() {
        *a = probe_account;
    }
    run.test.hook.set(Answer::OnlyProbeAccount)?;
    let stalled = rt.block_on(outbox(run.test.server.addr))?.backlog();
    let probes_reference = run.probes(false)?;
    let probes_test = run.probes(true)?;
    let fairness = json!({"stalled_backlog": stalled,
        "reference": latency_summary(&probes_reference), "outbox": latency_summary(&probes_test)});
    println!(
        "fairness: one account's comment from post to receiver, {} probes each: reference (idle) \
         {}; under test with {stalled} deliveries of {} other accounts failing {}",
        args.probes,
        describe_latency(&probes_reference),
        args.accounts,
        describe_latency(&probes_test)
    );

    // The receiver comes back: bulk replay makes every waiting retry due, the backlog drains.
    run.test.hook.set(Answer::Ok)?;
    let drain_from = rt.block_on(outbox(run.test.server.addr))?;
    let drain_started = Instant::now();
    control_post(rt, &run.test, "/_localgram/webhooks/replay", json!({}))?;
    let mut draining = Vec::new();
    for _ in 0..args.pairs {
        let w = run.window(true, "receiver back, draining", full)?;
        draining.push(run.windows[w].stats.rps());
        if run.windows[w].backlog_after == 0 {
            break;
        }
    }
    let drained = rt.block_on(wait_outbox(
        run.test.server.addr,
        Duration::from_secs_f64(args.drain_timeout),
        "the backlog to drain",
        |o| o.backlog() == 0,
    ))?;
    let drain_s = drain_started.elapsed().as_secs_f64();
    let drained_n = drained.delivered - drain_from.delivered;
    println!(
        "drain: {} pending when the receiver came back; all {drained_n} delivered {drain_s:.1} s \
         later ({:.0} deliveries/s, with {} window(s) of writes meanwhile)",
        drain_from.backlog(),
        drained_n as f64 / drain_s,
        draining.len()
    );

    // Disk: both stores, then retention prunes every delivered request, then writes again.
    let mut disk_report = Map::new();
    if let Some(d) = disk_backlog {
        disk_report.insert(
            "outbox_at_backlog".into(),
            json!({"deliveries": at_backlog.deliveries(), "backlog": at_backlog.backlog(),
                "disk": d.json(), "mb_per_100k": r3(per_100k(d.total() as i64, at_backlog.deliveries()))}),
        );
    }
    let sides = [&run.reference, &run.test];
    let mut before = Vec::new();
    for side in sides {
        let o = rt.block_on(outbox(side.server.addr))?;
        before.push((o, disk(&side.place)?));
    }
    let prune_started = Instant::now();
    for side in sides {
        control_post(
            rt,
            side,
            "/_localgram/webhooks/retention",
            json!({"max_deliveries": 0}),
        )?;
    }
    let mut after = Vec::new();
    for side in sides {
        let o = rt.block_on(wait_outbox(
            side.server.addr,
            Duration::from_secs(600),
            "retention to prune",
            |o| o.pruned >= o.delivered,
        ))?;
        after.push((o, disk(&side.place)?, prune_started.elapsed().as_secs_f64()));
    }
    println!(
        "disk ({}): store size per 100,000 events (deliveries) with their comments; `used` = \
         pages holding data",
        if args.database.is_some() {
            "PostgreSQL: database size; used = webhook tables with indexes"
        } else {
            "SQLite: database + WAL files"
        }
    );
    for (i, side) in sides.iter().enumerate() {
        let (o, d) = &before[i];
        let (o2, d2, secs) = &after[i];
        let n = o.deliveries();
        let used = |d: &Disk| {
            d.used
                .map_or("?".into(), |u| format!("{:.1}", per_100k(u as i64, n)))
        };
        println!(
            "  {:<9} {n} deliveries: before pruning {:.1} MB/100k (db {:.1} MB + WAL {:.1} MB; \
             used {} MB/100k); after pruning {} in {secs:.1} s: {:.1} MB/100k (used {} MB/100k)",
            side.label,
            per_100k(d.total() as i64, n),
            mb(d.db),
            mb(d.wal),
            used(d),
            o2.pruned,
            per_100k(d2.total() as i64, n),
            used(d2)
        );
        disk_report.insert(
            side.label.into(),
            json!({"deliveries": n, "before": d.json(), "after": d2.json(),
                "pruned": o2.pruned, "prune_s": r3(*secs),
                "mb_per_100k_before": r3(per_100k(d.total() as i64, n)),
                "mb_per_100k_after": r3(per_100k(d2.total() as i64, n)),
                "used_mb_per_100k_before": d.used.map(|u| r3(per_100k(u as i64, n))),
                "used_mb_per_100k_after": d2.used.map(|u| r3(per_100k(u as i64, n)))}),
        );
    }
    if args.reuse_seconds > 0.0 {
        let side = &run.reference;
        let (o0, d0, _) = after[0];
        let s = rt.block_on(closed_loop(
            side.server.addr,
            args.writers,
            0.0,
            args.reuse_seconds,
            side.maker.clone(),
            false,
        ));
        run.errors += s.errors;
        let o1 = rt.block_on(wait_outbox(
            side.server.addr,
            Duration::from_secs(600),
            "the writes after pruning to be delivered and pruned",
            |o| o.backlog() == 0 && o.pruned >= o.delivered,
        ))?;
        let d1 = disk(&side.place)?;
        let n = o1.deliveries() - o0.deliveries();
        let grew = d1.total() as i64 - d0.total() as i64;
        let used = match (d0.used, d1.used) {
            (Some(a), Some(b)) => Some(per_100k(b as i64 - a as i64, n)),
            _ => None,
        };
        println!(
            "  reference after pruning, retention keeping none: {n} more events grew the store by \
             {:.1} MB ({:.1} MB/100k; used {} MB/100k)",
            grew as f64 / 1_048_576.0,
            per_100k(grew, n),
            used.map_or("?".into(), |u| format!("{u:.1}"))
        );
        disk_report.insert(
            "reference_after_pruning".into(),
            json!({"events": n, "grew_bytes": grew, "mb_per_100k": r3(per_100k(grew, n)),
                "used_mb_per_100k": used.map(r3), "disk": d1.json()}),
        );
    }

    // Verdicts.
    let idle = &phases[0];
    println!(
        "writes, each phase's median ratio (under test / reference beside it); the idle phase \
         shows the method's noise:"
    );
    for p in &phases {
        println!(
            "  {:<28} {:>6.3}  (under test {:>5.0}/s, reference {:>5.0}/s, backlog {}->{}, \
             receiver got {} requests)",
            p.phase,
            p.ratio(),
            p.test_rps,
            p.reference_rps,
            p.backlog_from,
            p.backlog_to,
            p.receiver_requests
        );
    }
    let all_reference: Vec<f64> = run
        .windows
        .iter()
        .filter(|w| w.side == "reference")
        .map(|w| w.stats.rps())
        .collect();
    let reference_median = median(all_reference);
    let drain_ratio = median(draining.clone()) / reference_median;
    println!(
        "  {:<28} {:>6.3}  (under test {:>5.0}/s against every reference window's median {:.0}/s: \
         the drain loads the machine, so no window beside it is a fair reference)",
        "receiver back, draining",
        drain_ratio,
        median(draining.clone()),
        reference_median
    );
    let at_top: Vec<&PhaseResult> = phases[1..]
        .iter()
        .filter(|p| p.backlog_from >= top as i64)
        .collect();
    let worst = at_top
        .iter()
        .map(|p| p.ratio())
        .fold(f64::INFINITY, f64::min);
    let met = worst >= TARGET_BACKLOG_RATIO;
    println!(
        "target: with a backlog of {top}+ pending deliveries, writes within {:.0}% of an idle \
         outbox (ratio >= {TARGET_BACKLOG_RATIO}): worst phase {worst:.3} -> {} (idle/idle \
         calibration {:.3})",
        (1.0 - TARGET_BACKLOG_RATIO) * 100.0,
        verdict(met),
        idle.ratio()
    );
    let fairness_met = probes_test.iter().all(Option::is_some);
    println!(
        "fairness: every probe of the healthy account delivered while {stalled} deliveries of \
         other accounts failed: {}",
        verdict(fairness_met)
    );
    let out = json!({
        "engine": if args.database.is_some() { "postgres" } else { "sqlite" },
        "writers": args.writers, "accounts": args.accounts, "window_s": args.duration,
        "pairs": args.pairs,
        "phases": phases.iter().map(|p| json!({"phase": p.phase, "ratio_median": r3(p.ratio()),
            "ratios": p.ratios.iter().map(|x| r3(*x)).collect::<Vec<_>>(),
            "outbox_writes_per_s": r3(p.test_rps), "reference_writes_per_s": r3(p.reference_rps),
            "backlog_from": p.backlog_from, "backlog_to": p.backlog_to,
            "receiver_requests": p.receiver_requests})).collect::<Vec<_>>(),
        "draining": {"writes_per_s": draining.iter().map(|x| r3(*x)).collect::<Vec<_>>(),
            "ratio_to_reference_median": r3(drain_ratio), "backlog": drain_from.backlog(),
            "delivered": drained_n, "seconds": r3(drain_s)},
        "windows": run.windows.iter().map(Window::json).collect::<Vec<_>>(),
        "fills": run.fills,
        "fairness": fairness, "fairness_met": fairness_met,
        "disk": disk_report,
        "target": {"backlog": top, "worst_ratio": r3(worst), "met": met},
    });
    Ok((out, run.errors))
}

fn describe_latency(v: &[Option<f64>]) -> String {
    let got: Vec<f64> = v.iter().flatten().copied().collect();
    format!(
        "{} of {} delivered, p50 {:.1} ms, max {:.1} ms",
        got.len(),
        v.len(),
        median(got.clone()),
        got.iter().copied().fold(f64::NAN, f64::max)
    )
}

// ----- the page part -----------------------------------------------------------------------------

/// Delivery `j` (1-based) of a built log: which account (round robin over `accounts`), and
/// whether it was given up (every 50th batch of `batch` deliveries failed as a whole).
fn built_account(j: usize, accounts: usize) -> usize {
    (j - 1) % accounts
}

fn built_failed(j: usize, batch: usize) -> bool {
    ((j - 1) / batch) % 50 == 49
}

/// The id to page `before` so that the page holds the oldest `limit` deliveries matching
/// `matches` (among ids 1..=n), if there are that many.
fn oldest_page_before(n: usize, limit: usize, matches: impl Fn(usize) -> bool) -> Option<usize> {
    let mut seen = 0;
    for j in 1..=n {
        if matches(j) {
            seen += 1;
            if seen == limit {
                return Some(j + 1);
            }
        }
    }
    None
}

/// The virtual time of delivery `j` of a built log: 10 ms apart, ending before `end_ms`.
fn built_time(j: usize, n: usize, end_ms: i64) -> i64 {
    end_ms - (n as i64 + 1 - j as i64) * 10
}

fn rows<'a>(snapshot: &'a Value, table: &str) -> Result<&'a Vec<Value>, String> {
    snapshot["tables"][table]
        .as_array()
        .ok_or_else(|| format!("the snapshot has no table {table}"))
}

fn compact(row: &Value) -> Map<String, Value> {
    row.as_object()
        .map(|o| {
            o.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The exported snapshot with its webhook log replaced by `n` deliveries cloned from its newest
/// delivered one (with its event and request): one event each, `batch` deliveries per request
/// (every 50th request failed, its deliveries given up), accounts round robin over `accounts`.
fn built_log(
    snapshot: &Value,
    n: usize,
    batch: usize,
    accounts: &[String],
) -> Result<Vec<u8>, String> {
    let deliveries = rows(snapshot, "webhook_deliveries")?;
    // The newest delivered delivery: the template batch's.
    let template = deliveries
        .iter()
        .rev()
        .find(|d| d["status"] == "delivered" && d["last_request_id"].is_i64())
        .ok_or("the snapshot has no delivered webhook delivery to clone")?;
    let event = rows(snapshot, "webhook_events")?
        .iter()
        .find(|e| e["id"] == template["event_id"])
        .ok_or("the template delivery has no event")?;
    let request = rows(snapshot, "webhook_requests")?
        .iter()
        .find(|r| r["id"] == template["last_request_id"])
        .ok_or("the template delivery has no request")?;
    let (delivery, event, request) = (compact(template), compact(event), compact(request));
    let end_ms = template["created_at"].as_i64().ok_or("created_at")? - 60_000;
    let requests = n.div_ceil(batch);
    let mut out: Vec<u8> = Vec::with_capacity(n * 700 + (1 << 20));
    out.extend_from_slice(b"{\"format\":");
    serde_json::to_writer(&mut out, &snapshot["format"]).map_err(|e| e.to_string())?;
    out.extend_from_slice(b",\"schema\":");
    serde_json::to_writer(&mut out, &snapshot["schema"]).map_err(|e| e.to_string())?;
    out.extend_from_slice(b",\"tables\":{");
    let tables = snapshot["tables"].as_object().ok_or("snapshot tables")?;
    for (t, (name, table_rows)) in tables.iter().enumerate() {
        if t > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, name).map_err(|e| e.to_string())?;
        out.extend_from_slice(b":[");
        let mut first = true;
        let mut put = |out: &mut Vec<u8>, row: &Map<String, Value>| -> Result<(), String> {
            if !first {
                out.push(b',');
            }
            first = false;
            serde_json::to_writer(out, row).map_err(|e| e.to_string())
        };
        match name.as_str() {
            "webhook_events" => {
                for j in 1..=n {
                    let mut row = event.clone();
                    row.insert("id".into(), json!(j));
                    row.insert(
                        "account_id".into(),
                        json!(accounts[built_account(j, accounts.len())]),
                    );
                    row.insert("created_at".into(), json!(built_time(j, n, end_ms)));
                    put(&mut out, &row)?;
                }
            }
            "webhook_deliveries" => {
                for j in 1..=n {
                    let at = built_time(j, n, end_ms);
                    let mut row = delivery.clone();
                    row.insert("id".into(), json!(j));
                    row.insert("event_id".into(), json!(j));
                    row.insert(
                        "account_id".into(),
                        json!(accounts[built_account(j, accounts.len())]),
                    );
                    row.insert("created_at".into(), json!(at));
                    row.insert("first_attempt_at".into(), json!(at + 1));
                    row.insert("finished_at".into(), json!(at + 2));
                    row.insert("attempts".into(), json!(1));
                    row.insert("last_request_id".into(), json!((j - 1) / batch + 1));
                    row.remove("next_attempt_at");
                    row.remove("pruned_at");
                    if built_failed(j, batch) {
                        row.insert("status".into(), json!("failed"));
                        row.insert(
                            "reason".into(),
                            json!(
                                "gave up after 36 hours and 12 attempts; the last failed: \
                                   the callback answered HTTP 500"
                            ),
                        );
                    } else {
                        row.insert("status".into(), json!("delivered"));
                        row.remove("reason");
                    }
                    put(&mut out, &row)?;
                }
            }
            "webhook_requests" => {
                for k in 1..=requests {
                    let first_j = (k - 1) * batch + 1;
                    let mut row = request.clone();
                    row.insert("id".into(), json!(k));
                    row.insert(
                        "started_at".into(),
                        json!(built_time(first_j, n, end_ms) + 1),
                    );
                    if built_failed(first_j, batch) {
                        row.insert("status".into(), json!(500));
                    }
                    put(&mut out, &row)?;
                }
            }
            "webhook_request_deliveries" => {
                for j in 1..=n {
                    let mut row = Map::new();
                    row.insert("delivery_id".into(), json!(j));
                    row.insert("request_id".into(), json!((j - 1) / batch + 1));
                    put(&mut out, &row)?;
                }
            }
            // Rebuilt from the deliveries on import.
            "webhook_heads" | "webhook_counters" => {}
            _ => {
                for row in table_rows.as_array().ok_or("snapshot rows")? {
                    put(&mut out, row.as_object().ok_or("snapshot row")?)?;
                }
            }
        }
        out.push(b']');
    }
    out.extend_from_slice(b"}}");
    Ok(out)
}

/// A server holding a delivery log of one size, and the pages to measure there.
struct Log {
    size: usize,
    server: Server,
    /// The PostgreSQL database it runs on, if any.
    database: Option<String>,
    _hook: Hook,
    pages: Vec<(String, String)>,
    build_s: f64,
    snapshot_mb: f64,
}

fn build_log(
    args: &OutboxArgs,
    bin: &Path,
    database: Option<&str>,
    size: usize,
    rt: &tokio::runtime::Runtime,
    hooks: &Handle,
    big_page: usize,
) -> Result<Option<Log>, String> {
    let started = Instant::now();
    let hook = Hook::start(hooks)?;
    let server = crate::issue10::start_localgram(
        bin,
        &format!("log {size}"),
        database,
        &["--webhook-retention-count", RETENTION_OFF],
    )?;
    let addr = server.addr;
    let limit = args.limit;
    let batch = args.batch;
    let built = rt.block_on(async {
        let world = set_up(addr, &hook.url(), 10).await?;
        let before = outbox(addr).await?.delivered;
        // A small log made by real deliveries, sent as one request of `batch` deliveries
        // (delivery paused while they are recorded): its rows are the clones' template.
        post_json(addr, "/_localgram/webhooks/pause", json!({})).await?;
        for i in 0..batch {
            let c = world.accounts.len();
            post_json(
                addr,
                &format!("/_localgram/people/{}/comments", world.people[i % 10]),
                json!({"media_id": world.media[i % c], "text": format!("template {i}")}),
            )
            .await?;
        }
        post_json(addr, "/_localgram/webhooks/resume", json!({})).await?;
        wait_outbox(addr, SLOW, "the template log", |o| {
            o.delivered >= before + batch as i64 && o.backlog() == 0
        })
        .await?;
        let snapshot = call(addr, Method::GET, "/_localgram/snapshot", None, SLOW).await?;
        let body = built_log(&snapshot, size, batch, &world.accounts)?;
        let mb = body.len() as f64 / 1_048_576.0;
        eprintln!("loadtest: outbox: log of {size}: importing a {mb:.1} MB snapshot ...");
        match call(
            addr,
            Method::PUT,
            "/_localgram/snapshot",
            Some(Bytes::from(body)),
            Duration::from_secs(1800),
        )
        .await
        {
            Ok(_) => {}
            Err(e) if e.contains("413") => {
                eprintln!(
                    "loadtest: outbox: a log of {size} deliveries is a {mb:.0} MB snapshot, which \
                     the control API refused ({e}); skipped"
                );
                return Ok(None);
            }
            Err(e) => return Err(e),
        }
        let o = outbox(addr).await?;
        if (o.delivered + o.given_up) as usize != size || o.backlog() != 0 {
            return Err(format!("the imported log of {size} reads as {o:?}"));
        }
        let app = world.app_id.clone();
        let account = world.accounts[0].clone();
        let accounts = world.accounts.len();
        // The built times are 10 ms apart from the oldest delivery's.
        let first = call(
            addr,
            Method::GET,
            "/_localgram/webhooks/deliveries?before=2&limit=1",
            None,
            REQUEST_TIMEOUT,
        )
        .await?;
        let t1 = first["data"][0]["created_at_ms"]
            .as_i64()
            .ok_or("the log's first delivery has no created_at_ms")?;
        let t = |j: usize| t1 + (j as i64 - 1) * 10;
        let oldest = limit + 1;
        let base = format!("/_localgram/webhooks/deliveries?limit={limit}");
        let mut pages: Vec<(String, String)> = vec![
            ("newest".into(), base.clone()),
            ("oldest".into(), format!("{base}&before={oldest}")),
            (
                "app, oldest".into(),
                format!("{base}&app_id={app}&before={oldest}"),
            ),
            (
                "account, newest".into(),
                format!("{base}&account_id={account}"),
            ),
        ];
        if let Some(b) = oldest_page_before(size, limit, |j| built_account(j, accounts) == 0) {
            pages.push((
                "account, oldest".into(),
                format!("{base}&account_id={account}&before={b}"),
            ));
        }
        pages.push((
            "field, oldest".into(),
            format!("{base}&field=comments&before={oldest}"),
        ));
        if let Some(b) = oldest_page_before(size, limit, |j| !built_failed(j, batch)) {
            pages.push((
                "status, oldest".into(),
                format!("{base}&status=delivered&before={b}"),
            ));
        }
        pages.push((
            "time since start, newest".into(),
            format!("{base}&since_ms={}", t(1)),
        ));
        pages.push((
            "time window, oldest".into(),
            format!("{base}&since_ms={}&until_ms={}", t(1), t(oldest)),
        ));
        pages.push((
            format!("newest, limit {big_page}"),
            format!("/_localgram/webhooks/deliveries?limit={big_page}"),
        ));
        // Every measured page must be a full one.
        for (name, path) in &pages {
            let v = call(addr, Method::GET, path, None, SLOW).await?;
            let want = if name.contains("limit") {
                big_page
            } else {
                limit
            };
            let got = v["data"].as_array().map_or(0, Vec::len);
            if got != want {
                return Err(format!(
                    "{name} at {size}: {got} deliveries, expected {want}"
                ));
            }
        }
        Ok::<_, String>(Some((pages, mb)))
    })?;
    Ok(built.map(|(pages, snapshot_mb)| Log {
        size,
        server,
        database: database.map(str::to_string),
        _hook: hook,
        pages,
        build_s: started.elapsed().as_secs_f64(),
        snapshot_mb,
    }))
}

/// One page's figures in one round at one size: req/s, p50 and p99 (ms), and the server's CPU
/// milliseconds per page.
type PageFigures = (f64, f64, f64, f64);

/// CPU seconds the server has used: its process, and on PostgreSQL also the backends connected
/// to its database (found through `psql`; they do the queries' share of the work).
fn server_cpu_seconds(pid: u32, database: Option<&str>) -> Option<f64> {
    let own = cpu_seconds(pid)?;
    let Some(url) = database else {
        return Some(own);
    };
    let out = std::process::Command::new("psql")
        .args([
            url,
            "-Atc",
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid()",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    let backends: f64 = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|p| p.parse::<u32>().ok())
        .filter_map(cpu_seconds)
        .sum();
    Some(own + backends)
}

/// CPU seconds a process has used (user + system, every thread), from /proc.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name (which may hold spaces), fields 14 and 15 are utime and stime.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (hz > 0).then(|| ticks / hz as f64)
}

fn pages(
    args: &OutboxArgs,
    bin: &Path,
    rt: &tokio::runtime::Runtime,
    hooks: &Handle,
) -> Result<(Value, u64), String> {
    let big_page = 1000.min(*args.sizes.iter().min().unwrap_or(&1000));
    // results[(size, page)] = figures per round
    let mut results: Vec<(usize, String, Vec<PageFigures>)> = Vec::new();
    let mut builds: Vec<(usize, f64, f64)> = Vec::new();
    let mut errors = 0u64;
    let mut measure = |log: &Log, name: &str, round: usize| {
        let Some((_, path)) = log.pages.iter().find(|(n, _)| n == name) else {
            return;
        };
        let page = fixed(Req::get(path.clone()));
        let (addr, pid) = (log.server.addr, log.server.pid());
        if args.warmup > 0.0 {
            let w = rt.block_on(closed_loop(
                addr,
                args.page_connections,
                0.0,
                args.warmup,
                page.clone(),
                false,
            ));
            errors += w.errors;
        }
        let database = log.database.as_deref();
        let cpu_before = server_cpu_seconds(pid, database);
        let s = rt.block_on(closed_loop(
            addr,
            args.page_connections,
            0.0,
            args.page_duration,
            page,
            true,
        ));
        let cpu_ms = match (cpu_before, server_cpu_seconds(pid, database)) {
            (Some(a), Some(b)) if s.requests > 0 => (b - a) * 1000.0 / s.requests as f64,
            _ => f64::NAN,
        };
        if let Some(e) = &s.first_error {
            eprintln!("loadtest: outbox: {name} at {}: {e}", log.size);
        }
        errors += s.errors;
        println!(
            "{:<6} {:>9} {:<26} {:>9.0} {:>9.3} {:>9.3} {:>9.3} {:>5}",
            round,
            log.size,
            name,
            s.rps(),
            s.q_ms(0.5),
            s.q_ms(0.99),
            cpu_ms,
            load_average()
        );
        let figures = (s.rps(), s.q_ms(0.5), s.q_ms(0.99), cpu_ms);
        match results
            .iter_mut()
            .find(|(size, n, _)| *size == log.size && n == name)
        {
            Some(entry) => entry.2.push(figures),
            None => results.push((log.size, name.to_string(), vec![figures])),
        }
    };
    let header = || {
        println!(
            "{:<6} {:>9} {:<26} {:>9} {:>9} {:>9} {:>9} {:>5}",
            "round", "size", "page", "req/s", "p50 ms", "p99 ms", "CPU ms", "load"
        )
    };
    let names = |log: &Log| -> Vec<String> { log.pages.iter().map(|(n, _)| n.clone()).collect() };
    let mut measured_sizes = Vec::new();
    let mut page_names: Vec<String> = Vec::new();
    // PostgreSQL: a log per database given (--database, --reference-database) at once, else
    // the sizes one after the other on --database.
    let databases: Vec<&str> = [&args.database, &args.reference_database]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if args.database.is_some() && args.sizes.len() > databases.len() {
        for &size in &args.sizes {
            if let Some(log) = build_log(
                args,
                bin,
                databases.first().copied(),
                size,
                rt,
                hooks,
                big_page,
            )? {
                builds.push((size, log.build_s, log.snapshot_mb));
                measured_sizes.push(size);
                if page_names.is_empty() {
                    page_names = names(&log);
                }
                header();
                for round in 1..=args.rounds {
                    for name in &page_names {
                        measure(&log, name, round);
                    }
                }
            }
        }
    } else {
        let mut logs = Vec::new();
        for (i, &size) in args.sizes.iter().enumerate() {
            let database = databases.get(i).copied();
            if let Some(log) = build_log(args, bin, database, size, rt, hooks, big_page)? {
                builds.push((size, log.build_s, log.snapshot_mb));
                measured_sizes.push(size);
                logs.push(log);
            }
        }
        page_names = logs.first().map(names).unwrap_or_default();
        header();
        // Each page at every size back to back (the order turned every round), so that a
        // change in the machine's load falls on all sizes alike.
        for round in 1..=args.rounds {
            for name in &page_names {
                let mut order: Vec<&Log> = logs.iter().collect();
                if round % 2 == 0 {
                    order.reverse();
                }
                for log in order {
                    measure(log, name, round);
                }
            }
        }
    }
    println!(
        "pages ({}): GET /_localgram/webhooks/deliveries, {} connections, {:.1} s measured after \
         {:.1} s warm-up, {} round(s), pages of {}; logs built through PUT /_localgram/snapshot \
         from a template request of {} deliveries ({} per request, every 50th request failed):",
        if args.database.is_some() {
            "postgres"
        } else {
            "sqlite"
        },
        args.page_connections,
        args.page_duration,
        args.warmup,
        args.rounds,
        args.limit,
        args.batch,
        args.batch
    );
    for (size, secs, mb) in &builds {
        println!(
            "  log of {size}: snapshot {mb:.1} MB; server start, template, import and checks \
             {secs:.1} s"
        );
    }
    if measured_sizes.len() < 2 {
        return Err("fewer than two log sizes could be built".into());
    }
    let small = measured_sizes[0];
    let large = *measured_sizes.last().unwrap_or(&small);
    let mut all_met = true;
    let mut out = json!({"engine": if args.database.is_some() { "postgres" } else { "sqlite" },
        "sizes": measured_sizes, "small": small, "large": large, "limit": args.limit,
        "batch": args.batch, "rounds": args.rounds,
        "builds": builds.iter().map(|(s, secs, mb)| json!({"size": s, "seconds": r3(*secs),
            "snapshot_mb": r3(*mb)})).collect::<Vec<_>>()});
    let figures = |size: usize, name: &str| -> Vec<PageFigures> {
        results
            .iter()
            .find(|(s, n, _)| *s == size && n == name)
            .map(|(_, _, v)| v.clone())
            .unwrap_or_default()
    };
    println!(
        "  median server CPU ms per page{} (req/s, p50 ms) by log size; slowdown = {large}'s CPU \
         ms per page / {small}'s, per round, median (req/s ratio beside it):",
        if args.database.is_some() {
            " (localgram + its PostgreSQL backends)"
        } else {
            ""
        }
    );
    println!(
        "  {:<26} {} {:>9} {:>9}",
        "page",
        measured_sizes
            .iter()
            .map(|s| format!("{s:>27}"))
            .collect::<String>(),
        "slowdown",
        "req/s"
    );
    let mut per_page = Vec::new();
    for name in &page_names {
        let mut cells = String::new();
        let mut by_size = Map::new();
        for &size in &measured_sizes {
            let f = figures(size, name);
            let rps = median(f.iter().map(|x| x.0).collect());
            let p50 = median(f.iter().map(|x| x.1).collect());
            let cpu = median(f.iter().map(|x| x.3).collect());
            cells.push_str(&format!("{cpu:>8.2} ({rps:>6.0}, {p50:>6.2})"));
            by_size.insert(
                size.to_string(),
                json!({"cpu_ms_per_page": r3(cpu), "rps": r3(rps), "p50_ms": r3(p50),
                    "p99_ms": r3(median(f.iter().map(|x| x.2).collect()))}),
            );
        }
        let (a, b) = (figures(small, name), figures(large, name));
        let ratios: Vec<f64> = a.iter().zip(&b).map(|(x, y)| y.3 / x.3).collect();
        let rps_ratios: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x.0 / y.0).collect();
        let slowdown = median(ratios.clone());
        let rps_slowdown = median(rps_ratios.clone());
        let met = slowdown <= TARGET_PAGE_SLOWDOWN;
        all_met &= met;
        println!(
            "  {name:<26} {cells} {slowdown:>8.2}x {rps_slowdown:>8.2}x {}",
            verdict(met)
        );
        per_page.push(
            json!({"page": name, "by_size": by_size, "slowdown": r3(slowdown),
            "slowdown_per_round": ratios.iter().map(|x| r3(*x)).collect::<Vec<_>>(),
            "rps_slowdown": r3(rps_slowdown),
            "rps_slowdown_per_round": rps_ratios.iter().map(|x| r3(*x)).collect::<Vec<_>>(),
            "met": met}),
        );
    }
    println!(
        "target: every page costs the same at {small} and {large} deliveries (server CPU per page \
         within {TARGET_PAGE_SLOWDOWN}x): {}",
        verdict(all_met)
    );
    out["pages"] = json!(per_page);
    out["met"] = json!(all_met);
    Ok((out, errors))
}

// ----- the mode ------------------------------------------------------------------------------------

pub fn run(mut args: OutboxArgs) -> Result<bool, String> {
    args.apply_quick();
    args.check()?;
    let bin = resolve_bin(args.bin.clone())?;
    let rt = runtime(args.client_threads)?;
    // The receivers answer on a thread of their own, beside the generator's.
    let hooks_rt = runtime(1)?;
    let base = args.data_dir.clone().unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::Builder::new()
        .prefix("loadtest-outbox-")
        .tempdir_in(&base)
        .map_err(|e| format!("cannot create a directory in {}: {e}", base.display()))?;
    let started = Instant::now();
    let mut out = json!({"kind": "outbox", "load_average_at_start": load_average()});
    let mut errors = 0;
    if args.parts.iter().any(|p| p == "writes") {
        let (w, e) = writes(&args, &bin, dir.path(), &rt, hooks_rt.handle())?;
        out["writes"] = w;
        errors += e;
    }
    if args.parts.iter().any(|p| p == "pages") {
        let (p, e) = pages(&args, &bin, &rt, hooks_rt.handle())?;
        out["pages"] = p;
        errors += e;
    }
    out["seconds"] = json!(r3(started.elapsed().as_secs_f64()));
    out["load_average_at_end"] = json!(load_average());
    out["errors"] = json!(errors);
    println!("{out}");
    if errors > 0 {
        eprintln!("loadtest: outbox: {errors} requests failed");
    }
    Ok(errors == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_receiver_accepts_only_the_probe_account_when_asked() {
        let body = |ids: &[&str], text: &str| {
            json!({"object": "instagram", "entry": ids.iter().map(|id| json!({"id": id,
                "time": 1, "changes": [{"field": "comments", "value": {"id": "c", "text": text}}]}))
                .collect::<Vec<_>>()})
            .to_string()
        };
        let mixed = body(&["1", "2"], "probe-x-1");
        assert!(judge(mixed.as_bytes(), Answer::Ok, "").0);
        assert_eq!(
            judge(mixed.as_bytes(), Answer::Ok, "").1,
            vec!["probe-x-1".to_string(), "probe-x-1".to_string()]
        );
        assert_eq!(
            judge(mixed.as_bytes(), Answer::OnlyProbeAccount, "2"),
            (false, vec![])
        );
        let alone = body(&["2"], "probe-x-2");
        assert_eq!(
            judge(alone.as_bytes(), Answer::OnlyProbeAccount, "2"),
            (true, vec!["probe-x-2".to_string()])
        );
        assert_eq!(judge(alone.as_bytes(), Answer::Error, "2"), (false, vec![]));
        assert_eq!(
            judge(body(&["1"], "hello").as_bytes(), Answer::Ok, ""),
            (true, vec![])
        );
    }

    #[test]
    fn reads_our_own_cpu_time() {
        let spent = cpu_seconds(std::process::id()).expect("CPU time");
        assert!(spent >= 0.0);
        assert!(cpu_seconds(u32::MAX).is_none());
    }

    #[test]
    fn the_oldest_full_page_is_found_for_each_filter() {
        assert_eq!(oldest_page_before(1000, 100, |_| true), Some(101));
        // Account 0 of 10 holds deliveries 1, 11, 21, ...: its 100th is 991.
        assert_eq!(
            oldest_page_before(1000, 100, |j| built_account(j, 10) == 0),
            Some(992)
        );
        assert_eq!(
            oldest_page_before(1000, 101, |j| built_account(j, 10) == 0),
            None
        );
        // Batches of 10: deliveries 491..=500 failed.
        assert!(built_failed(491, 10) && built_failed(500, 10) && !built_failed(501, 10));
        assert_eq!(
            oldest_page_before(1000, 495, |j| !built_failed(j, 10)),
            Some(506)
        );
    }

    #[test]
    fn the_built_log_clones_the_template_delivery() {
        let snapshot = json!({"format": "localgram-snapshot", "schema": 8, "tables": {
            "apps": [{"id": "a"}],
            "webhook_events": [{"id": 1, "account_id": "x", "field": "comments",
                "payload": "{}", "test": 0, "created_at": 100_000}],
            "webhook_deliveries": [{"id": 1, "event_id": 1, "app_id": "a", "account_id": "x",
                "field": "comments", "login": "instagram", "status": "delivered",
                "reason": null, "attempts": 1, "created_at": 100_000, "next_attempt_at": null,
                "first_attempt_at": 100_001, "finished_at": 100_002, "last_request_id": 1,
                "pruned_at": null}],
            "webhook_requests": [{"id": 1, "app_id": "a", "url": "u", "headers": "{}",
                "body": "b", "started_at": 100_001, "duration_ms": 1, "status": 200,
                "response_body": "ok", "error": null, "replay": 0}],
            "webhook_request_deliveries": [{"delivery_id": 1, "request_id": 1}],
            "webhook_counters": [{"name": "delivered", "n": 1}],
            "webhook_heads": []}});
        let accounts = vec!["p".to_string(), "q".to_string()];
        let body = built_log(&snapshot, 1000, 10, &accounts).expect("builds");
        let v: Value = serde_json::from_slice(&body).expect("JSON");
        let t = &v["tables"];
        assert_eq!(t["webhook_events"].as_array().map(Vec::len), Some(1000));
        assert_eq!(t["webhook_deliveries"].as_array().map(Vec::len), Some(1000));
        assert_eq!(t["webhook_requests"].as_array().map(Vec::len), Some(100));
        assert_eq!(
            t["webhook_request_deliveries"].as_array().map(Vec::len),
            Some(1000)
        );
        assert_eq!(t["webhook_counters"], json!([]));
        assert_eq!(t["apps"], snapshot["tables"]["apps"]);
        let d = &t["webhook_deliveries"];
        assert_eq!(d[0]["account_id"], "p");
        assert_eq!(d[1]["account_id"], "q");
        assert_eq!(d[10]["last_request_id"], 2);
        assert_eq!(d[490]["status"], "failed");
        assert_eq!(d[500]["status"], "delivered");
        assert!(d[0]["created_at"].as_i64() < d[1]["created_at"].as_i64());
        assert!(d[999]["created_at"].as_i64().unwrap() < 100_000);
        assert!(d[0].get("reason").is_none() && d[0].get("pruned_at").is_none());
        assert_eq!(t["webhook_requests"][49]["status"], 500);
    }
}
