//! `loadtest messaging`: messages per second through the Send API, each echo delivered.
//!
//! For each scenario (1 conversation, 1,000 conversations): localgram runs in this process on
//! a fresh on-disk store (as `--data` keeps it, so memory does not grow with the history), an
//! app's webhook callback listens on 127.0.0.1 and counts the `is_echo` messages it receives,
//! the people open their conversations through the control API, then N keep-alive
//! connections send text replies in a closed loop (round robin over the conversations) for a
//! warm-up and a measured window. After the window the run waits until every accepted
//! message's echo has arrived (bounded). The process's resident memory is sampled every
//! second; latencies go to a fixed histogram so the load generator's own memory stays flat.
//!
//! Reference, same run: the same POST against a minimal axum server answering fixed JSON.
//! All traffic goes to 127.0.0.1; every loop is bounded in time and in count.

use axum::extract::Query;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use clap::Args;
use http_body_util::Full;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

use crate::client;
use crate::servers::Baseline;

/// The target: 2,000 messages per second with every echo delivered.
const TARGET_MESSAGES_PER_SECOND: f64 = 2000.0;
/// "Memory flat": resident memory at the end of the window within this much of its value
/// after the warm-up.
const FLAT_RSS_GROWTH_MB: f64 = 64.0;
/// A request slower than this counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Latency histogram: 100 µs buckets up to 10 s.
const BUCKET_US: u64 = 100;
const BUCKETS: usize = 100_000;

#[derive(Args, Debug, Clone)]
pub struct MessagingArgs {
    /// Concurrent keep-alive connections sending messages.
    #[arg(short, long, default_value_t = 32)]
    pub connections: usize,
    /// Measured seconds per scenario.
    #[arg(short, long, default_value_t = 10.0)]
    pub duration: f64,
    /// Warm-up seconds per scenario before measuring (not counted).
    #[arg(short, long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Conversation counts to measure, comma-separated.
    #[arg(long, default_value = "1,1000", value_delimiter = ',')]
    pub conversations: Vec<usize>,
    /// Seconds to wait after the window for the last echoes.
    #[arg(long, default_value_t = 120.0)]
    pub drain_timeout: f64,
    /// Where the stores go (a fresh directory per scenario, removed after); default: the
    /// system's temporary directory.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Keep the store in memory instead (it then grows with the history: no memory target).
    #[arg(long)]
    pub ephemeral: bool,
}

fn runtime(name: &str) -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name(name)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot build the {name} runtime: {e}"))
}

/// Resident memory of this process, in MB.
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Write system calls of this process so far (`syscw` of /proc/self/io): the store's
/// write-ahead log frames are most of them.
fn write_syscalls() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("syscw:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The app's webhook callback: answers the verification request and counts echoes.
struct Receiver {
    addr: SocketAddr,
    echoes: Arc<AtomicU64>,
    last_echo: Arc<parking::Last>,
    task: tokio::task::JoinHandle<()>,
}

mod parking {
    use std::sync::Mutex;
    use std::time::Instant;

    /// When the latest echo arrived.
    #[derive(Default)]
    pub struct Last(Mutex<Option<Instant>>);

    impl Last {
        pub fn mark(&self) {
            if let Ok(mut at) = self.0.lock() {
                *at = Some(Instant::now());
            }
        }
        pub fn get(&self) -> Option<Instant> {
            self.0.lock().ok().and_then(|at| *at)
        }
    }
}

/// How many `messaging[]` items of a notification are echoes.
fn count_echoes(body: &[u8]) -> u64 {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return 0;
    };
    value["entry"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .flat_map(|e| e["messaging"].as_array().cloned().unwrap_or_default())
                .filter(|m| m["message"]["is_echo"] == json!(true))
                .count() as u64
        })
        .unwrap_or(0)
}

impl Receiver {
    async fn start() -> Result<Receiver, String> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| format!("receiver: cannot listen: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("receiver: no address: {e}"))?;
        let echoes = Arc::new(AtomicU64::new(0));
        let last_echo = Arc::new(parking::Last::default());
        let (counted, last) = (echoes.clone(), last_echo.clone());
        let app = Router::new().route(
            "/hook",
            get(|Query(q): Query<HashMap<String, String>>| async move {
                q.get("hub.challenge").cloned().unwrap_or_default()
            })
            .post(move |body: Bytes| {
                let counted = counted.clone();
                let last = last.clone();
                async move {
                    let n = count_echoes(&body);
                    if n > 0 {
                        counted.fetch_add(n, Ordering::Relaxed);
                        last.mark();
                    }
                    "ok"
                }
            }),
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Receiver {
            addr,
            echoes,
            last_echo,
            task,
        })
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One request with a JSON body and, optionally, a bearer token.
fn request(
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: Option<&Value>,
    token: Option<&str>,
) -> Result<Request<Full<Bytes>>, String> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, addr.to_string());
    if let Some(token) = token {
        builder = builder.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(value) => {
            builder = builder.header(CONTENT_TYPE, "application/json");
            Full::new(Bytes::from(value.to_string()))
        }
        None => Full::new(Bytes::new()),
    };
    builder
        .body(body)
        .map_err(|e| format!("invalid request {path}: {e}"))
}

async fn call(
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: Option<Value>,
    token: Option<&str>,
) -> Result<Value, String> {
    let mut sender = client::connect(addr).await?;
    let req = request(addr, method.clone(), path, body.as_ref(), token)?;
    let (status, bytes) = client::send(&mut sender, req).await?;
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status != StatusCode::OK {
        return Err(format!("{method} {path} answered {status}: {value}"));
    }
    Ok(value)
}

fn text(value: &Value, key: &str) -> Result<String, String> {
    value[key]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no {key} in {value}"))
}

/// The world of one scenario: the account, its token, and the IGSIDs of the people who wrote.
struct World {
    account_id: String,
    token: String,
    igsids: Vec<String>,
}

async fn set_up(addr: SocketAddr, receiver: &Receiver, people: usize) -> Result<World, String> {
    let app = call(
        addr,
        Method::POST,
        "/_localgram/apps",
        Some(json!({"name": "bench", "redirect_uris": [], "access_level": "advanced"})),
        None,
    )
    .await?;
    let app_id = text(&app, "id")?;
    let app_token = text(&app, "app_token")?;
    let account = call(
        addr,
        Method::POST,
        "/_localgram/accounts",
        Some(json!({"username": "bench.shop"})),
        None,
    )
    .await?;
    let account_id = text(&account, "id")?;
    let token = call(addr, Method::POST, "/_localgram/tokens", Some(json!({"app_id": app_id, "account_id": account_id, "login": "instagram", "long_lived": true})), None).await?;
    let token = text(&token, "access_token")?;
    // The app's webhook (Facebook Login's app endpoint) and the account enabling it.
    let callback = format!("http://{}/hook", receiver.addr);
    call(addr, Method::POST, &format!("/v24.0/{app_id}/subscriptions"), Some(json!({"object": "instagram", "callback_url": callback, "verify_token": "bench", "fields": "messages"})), Some(&app_token)).await?;
    call(
        addr,
        Method::POST,
        &format!("/v24.0/{account_id}/subscribed_apps"),
        Some(json!({"subscribed_fields": "messages"})),
        Some(&token),
    )
    .await?;
    // The people write first: only then may the account answer.
    let mut igsids = Vec::with_capacity(people);
    let mut pending = tokio::task::JoinSet::new();
    for i in 0..people {
        let account_id = account_id.clone();
        pending.spawn(async move {
            let person = call(
                addr,
                Method::POST,
                "/_localgram/people",
                Some(json!({"username": format!("customer{i}")})),
                None,
            )
            .await?;
            let person = text(&person, "id")?;
            call(
                addr,
                Method::POST,
                &format!("/_localgram/people/{person}/messages"),
                Some(json!({"account_id": account_id, "text": "hello"})),
                None,
            )
            .await?;
            let thread = call(
                addr,
                Method::GET,
                &format!("/_localgram/people/{person}/messages?account_id={account_id}"),
                None,
                None,
            )
            .await?;
            text(&thread, "igsid")
        });
        if pending.len() >= 16 {
            if let Some(done) = pending.join_next().await {
                igsids.push(done.map_err(|e| format!("set-up task failed: {e}"))??);
            }
        }
    }
    while let Some(done) = pending.join_next().await {
        igsids.push(done.map_err(|e| format!("set-up task failed: {e}"))??);
    }
    igsids.sort();
    Ok(World {
        account_id,
        token,
        igsids,
    })
}

/// What the senders did.
#[derive(Default)]
struct Tally {
    /// Accepted messages during the measured window, and in all.
    measured: u64,
    accepted: u64,
    errors: u64,
    first_error: Option<String>,
    histogram: Vec<u64>,
}

impl Tally {
    fn quantile_ms(&self, q: f64) -> f64 {
        let total: u64 = self.histogram.iter().sum();
        if total == 0 {
            return 0.0;
        }
        let rank = ((q * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, n) in self.histogram.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return ((i as u64 + 1) * BUCKET_US) as f64 / 1000.0;
            }
        }
        (BUCKETS as u64 * BUCKET_US) as f64 / 1000.0
    }

    fn merge(&mut self, other: Tally) {
        self.measured += other.measured;
        self.accepted += other.accepted;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        if self.histogram.is_empty() {
            self.histogram = other.histogram;
        } else {
            for (a, b) in self.histogram.iter_mut().zip(other.histogram) {
                *a += b;
            }
        }
    }
}

/// One connection's closed loop: send, read the answer, record, next conversation.
async fn sender_loop(
    addr: SocketAddr,
    path: String,
    token: Option<String>,
    bodies: Arc<Vec<Value>>,
    offset: usize,
    measure_from: Instant,
    until: Instant,
) -> Tally {
    let mut tally = Tally {
        histogram: vec![0; BUCKETS],
        ..Tally::default()
    };
    let mut sender: Option<client::Sender> = None;
    let mut i = offset;
    while Instant::now() < until {
        if sender.is_none() {
            match client::connect(addr).await {
                Ok(s) => sender = Some(s),
                Err(e) => {
                    tally.errors += 1;
                    tally.first_error.get_or_insert(e);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            }
        }
        let Some(s) = sender.as_mut() else { continue };
        let body = &bodies[i % bodies.len()];
        i += 1;
        let Ok(req) = request(addr, Method::POST, &path, Some(body), token.as_deref()) else {
            tally.errors += 1;
            continue;
        };
        let started = Instant::now();
        match tokio::time::timeout(REQUEST_TIMEOUT, client::send(s, req)).await {
            Ok(Ok((status, answer))) => {
                let finished = Instant::now();
                if status == StatusCode::OK {
                    tally.accepted += 1;
                    if started >= measure_from && finished <= until {
                        tally.measured += 1;
                        let us = finished.duration_since(started).as_micros() as u64;
                        let bucket = ((us / BUCKET_US) as usize).min(BUCKETS - 1);
                        tally.histogram[bucket] += 1;
                    }
                } else {
                    tally.errors += 1;
                    tally.first_error.get_or_insert_with(|| {
                        format!(
                            "POST {path} answered {status}: {}",
                            String::from_utf8_lossy(&answer)
                        )
                    });
                }
            }
            Ok(Err(e)) => {
                tally.errors += 1;
                tally.first_error.get_or_insert(e);
                sender = None;
            }
            Err(_) => {
                tally.errors += 1;
                tally
                    .first_error
                    .get_or_insert_with(|| format!("no answer within {REQUEST_TIMEOUT:?}"));
                sender = None;
            }
        }
    }
    tally
}

/// Drives `connections` senders for the warm-up and the window; samples RSS every second.
async fn drive(
    addr: SocketAddr,
    path: String,
    token: Option<String>,
    bodies: Vec<Value>,
    args: &MessagingArgs,
) -> (Tally, Vec<f64>) {
    let bodies = Arc::new(bodies);
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup);
    let until = measure_from + Duration::from_secs_f64(args.duration);
    let mut tasks = Vec::with_capacity(args.connections);
    for c in 0..args.connections {
        let offset = c * bodies.len() / args.connections.max(1);
        tasks.push(tokio::spawn(sender_loop(
            addr,
            path.clone(),
            token.clone(),
            bodies.clone(),
            offset,
            measure_from,
            until,
        )));
    }
    let sampling = Arc::new(AtomicBool::new(true));
    let flag = sampling.clone();
    let sampler = tokio::spawn(async move {
        let mut samples = Vec::new();
        tokio::time::sleep_until(measure_from.into()).await;
        while flag.load(Ordering::Relaxed) {
            samples.push(rss_mb());
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        samples
    });
    let mut tally = Tally::default();
    for task in tasks {
        if let Ok(t) = task.await {
            tally.merge(t);
        }
    }
    sampling.store(false, Ordering::Relaxed);
    let mut rss = sampler.await.unwrap_or_default();
    rss.push(rss_mb());
    (tally, rss)
}

struct Scenario {
    conversations: usize,
    tally: Tally,
    seconds: f64,
    rss: Vec<f64>,
    echoes: u64,
    /// Echoes still undelivered when the window closed.
    backlog_at_end: u64,
    /// From the end of the window until the last echo arrived.
    drain_seconds: Option<f64>,
    /// Accepted messages per second from the first send to the last echo.
    delivered_per_second: f64,
    /// Write system calls (sockets and the store) per accepted message.
    writes_per_message: f64,
}

fn scenario(
    args: &MessagingArgs,
    conversations: usize,
    clients: &tokio::runtime::Runtime,
    servers: &tokio::runtime::Runtime,
) -> Result<Scenario, String> {
    let base = args.data_dir.clone().unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!(
        "localgram-bench-messaging-{}-{conversations}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let config = localgram::Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: (!args.ephemeral).then(|| dir.clone()),
        seed: Some(1),
        demo: false,
        ..Default::default()
    };
    let server = servers
        .block_on(localgram::start(config))
        .map_err(|e| format!("localgram: cannot start: {e}"))?;
    let addr = server.addr;
    let result = (|| -> Result<Scenario, String> {
        let receiver = clients.block_on(Receiver::start())?;
        eprintln!("loadtest: messaging: {conversations} conversation(s): setting up ...");
        let world = clients.block_on(set_up(addr, &receiver, conversations))?;
        let opened = receiver.echoes.load(Ordering::Relaxed);
        let bodies: Vec<Value> = world
            .igsids
            .iter()
            .map(|igsid| json!({"recipient": {"id": igsid}, "message": {"text": "Thanks for your message! An agent will reply shortly."}}))
            .collect();
        eprintln!(
            "loadtest: messaging: {conversations} conversation(s): {} connections, {:.1} s warm-up + {:.1} s measured ...",
            args.connections, args.warmup, args.duration
        );
        let writes_before = write_syscalls();
        let first_send = Instant::now();
        let path = format!("/v24.0/{}/messages", world.account_id);
        let (tally, rss) =
            clients.block_on(drive(addr, path, Some(world.token.clone()), bodies, args));
        let window_end = Instant::now();
        let expected = opened + tally.accepted;
        let backlog_at_end = expected.saturating_sub(receiver.echoes.load(Ordering::Relaxed));
        let deadline = window_end + Duration::from_secs_f64(args.drain_timeout);
        while receiver.echoes.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let echoes = receiver.echoes.load(Ordering::Relaxed) - opened;
        let writes = write_syscalls().saturating_sub(writes_before);
        let writes_per_message = writes as f64 / tally.accepted.max(1) as f64;
        let last = receiver.last_echo.get();
        let complete = echoes >= tally.accepted;
        let drain_seconds = complete.then(|| {
            last.map_or(0.0, |at| {
                at.saturating_duration_since(window_end).as_secs_f64()
            })
        });
        let delivered_per_second = match (complete, last) {
            (true, Some(at)) => {
                tally.accepted as f64 / at.duration_since(first_send).as_secs_f64().max(1e-9)
            }
            _ => 0.0,
        };
        Ok(Scenario {
            conversations,
            seconds: args.duration,
            tally,
            rss,
            echoes,
            backlog_at_end,
            drain_seconds,
            delivered_per_second,
            writes_per_message,
        })
    })();
    if let Err(e) = servers.block_on(server.stop()) {
        eprintln!("loadtest: localgram stopped with an error: {e}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

pub fn run(args: MessagingArgs) -> Result<bool, String> {
    if args.connections == 0 || args.connections > 1024 {
        return Err("--connections must be between 1 and 1024".into());
    }
    if !(args.duration > 0.0 && args.duration <= 3600.0) {
        return Err("--duration must be more than 0 and at most 3600 seconds".into());
    }
    if !(args.warmup >= 0.0 && args.warmup <= 60.0) {
        return Err("--warmup must be between 0 and 60 seconds".into());
    }
    if args.conversations.is_empty() || args.conversations.iter().any(|&n| n == 0 || n > 100_000) {
        return Err("--conversations takes counts between 1 and 100000".into());
    }
    if !(args.drain_timeout >= 0.0 && args.drain_timeout <= 3600.0) {
        return Err("--drain-timeout must be between 0 and 3600 seconds".into());
    }
    let servers = runtime("server")?;
    let clients = runtime("client")?;

    // The reference: the same POST against a minimal axum server.
    let baseline = servers.block_on(Baseline::start())?;
    eprintln!(
        "loadtest: messaging: reference server: {:.1} s warm-up + {:.1} s measured ...",
        args.warmup,
        args.duration.min(10.0)
    );
    let reference_args = MessagingArgs {
        duration: args.duration.min(10.0),
        ..args.clone()
    };
    let body = json!({"recipient": {"id": "5200000000000001"}, "message": {"text": "Thanks for your message! An agent will reply shortly."}});
    let (reference, _) = clients.block_on(drive(
        baseline.addr,
        "/v24.0/1784/messages".into(),
        None,
        vec![body],
        &reference_args,
    ));
    servers.block_on(baseline.stop());
    let reference_rps = reference.measured as f64 / reference_args.duration;

    let mut scenarios = Vec::new();
    for &n in &args.conversations {
        scenarios.push(scenario(&args, n, &clients, &servers)?);
    }
    clients.shutdown_timeout(Duration::from_secs(2));
    servers.shutdown_timeout(Duration::from_secs(2));

    println!(
        "messaging: {} connections, {:.1} s measured after {:.1} s warm-up; {} cores shared by server, webhook receiver and load",
        args.connections,
        args.duration,
        args.warmup,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:<22} {:>10} {:>9} {:>8} {:>8} {:>9} {:>10} {:>9} {:>10} {:>16} {:>6}",
        "scenario",
        "messages",
        "msg/s",
        "p50 ms",
        "p99 ms",
        "echoes",
        "backlog",
        "drain s",
        "deliv/s",
        "RSS MB start>end",
        "errors"
    );
    println!(
        "{:<22} {:>10} {:>9.0} {:>8.3} {:>8.3} {:>9} {:>10} {:>9} {:>10} {:>16} {:>6}",
        "reference (axum)",
        reference.measured,
        reference_rps,
        reference.quantile_ms(0.5),
        reference.quantile_ms(0.99),
        "-",
        "-",
        "-",
        "-",
        "-",
        reference.errors
    );
    let mut ok = true;
    let mut out = json!({"kind": "messaging", "connections": args.connections, "duration_s": args.duration, "warmup_s": args.warmup,
        "reference": {"rps": round3(reference_rps), "p50_ms": reference.quantile_ms(0.5), "p99_ms": reference.quantile_ms(0.99)}});
    let mut list = Vec::new();
    for s in &scenarios {
        let rate = s.tally.measured as f64 / s.seconds;
        let start = s.rss.first().copied().unwrap_or(0.0);
        let end = s.rss.last().copied().unwrap_or(0.0);
        let peak = s.rss.iter().copied().fold(0.0, f64::max);
        let all_delivered = s.echoes >= s.tally.accepted;
        let flat = end - start <= FLAT_RSS_GROWTH_MB;
        let met = rate >= TARGET_MESSAGES_PER_SECOND && all_delivered && s.tally.errors == 0;
        ok &= all_delivered && s.tally.errors == 0;
        println!(
            "{:<22} {:>10} {:>9.0} {:>8.3} {:>8.3} {:>9} {:>10} {:>9} {:>10.0} {:>16} {:>6}",
            format!("{} conversation(s)", s.conversations),
            s.tally.measured,
            rate,
            s.tally.quantile_ms(0.5),
            s.tally.quantile_ms(0.99),
            s.echoes,
            s.backlog_at_end,
            s.drain_seconds
                .map_or("-".to_string(), |d| format!("{d:.1}")),
            s.delivered_per_second,
            format!("{start:.0}>{end:.0} ({peak:.0})"),
            s.tally.errors
        );
        println!(
            "  target {} msg/s with every echo delivered: {} ({:.2}x the reference's req/s); memory flat (+{:.0} MB at most): {}",
            TARGET_MESSAGES_PER_SECOND,
            if met { "met" } else { "MISSED" },
            rate / reference_rps.max(1e-9),
            FLAT_RSS_GROWTH_MB,
            if flat { "met" } else { "MISSED" }
        );
        if let Some(e) = &s.tally.first_error {
            eprintln!("loadtest: messaging: first error: {e}");
        }
        list.push(json!({
            "conversations": s.conversations,
            "messages_measured": s.tally.measured,
            "messages_per_second": round3(rate),
            "ratio_to_reference": round3(rate / reference_rps.max(1e-9)),
            "p50_ms": s.tally.quantile_ms(0.5),
            "p99_ms": s.tally.quantile_ms(0.99),
            "accepted": s.tally.accepted,
            "echoes_delivered": s.echoes,
            "all_echoes_delivered": all_delivered,
            "backlog_at_window_end": s.backlog_at_end,
            "drain_seconds": s.drain_seconds.map(round3),
            "delivered_per_second": round3(s.delivered_per_second),
            "write_syscalls_per_message": round3(s.writes_per_message),
            "rss_mb": {"after_warmup": round3(start), "end": round3(end), "peak": round3(peak), "samples": s.rss.len()},
            "errors": s.tally.errors,
            "targets": {"messages_per_second": TARGET_MESSAGES_PER_SECOND, "met": met, "memory_flat": flat},
        }));
    }
    out["scenarios"] = json!(list);
    println!("{out}");
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_are_counted_per_messaging_item() {
        let body = json!({"object": "instagram", "entry": [
            {"id": "1", "time": 1, "messaging": [{"message": {"mid": "a", "is_echo": true}}]},
            {"id": "1", "time": 1, "messaging": [{"message": {"mid": "b"}}]},
            {"id": "1", "time": 1, "messaging": [{"message": {"mid": "c", "is_echo": true}}]}]});
        assert_eq!(count_echoes(body.to_string().as_bytes()), 2);
        assert_eq!(count_echoes(b"not json"), 0);
    }

    #[test]
    fn quantiles_come_from_the_histogram() {
        let mut t = Tally {
            histogram: vec![0; BUCKETS],
            ..Tally::default()
        };
        t.histogram[9] = 50; // 0.9-1.0 ms
        t.histogram[19] = 50; // 1.9-2.0 ms
        assert_eq!(t.quantile_ms(0.5), 1.0);
        assert_eq!(t.quantile_ms(0.99), 2.0);
    }

    /// A short run of both scenarios, on loopback only.
    #[test]
    fn a_short_run_delivers_every_echo() {
        let args = MessagingArgs {
            connections: 4,
            duration: 0.5,
            warmup: 0.1,
            conversations: vec![1, 20],
            drain_timeout: 30.0,
            data_dir: None,
            ephemeral: false,
        };
        assert_eq!(run(args), Ok(true));
    }
}
