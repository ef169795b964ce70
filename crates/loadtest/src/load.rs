//! The closed-loop load: N tasks, each owning one keep-alive connection, each sending the next
//! request as soon as the previous answer is read, for a warm-up and then a measured window.

use bytes::Bytes;
use clap::Parser;
use http_body_util::Full;
use hyper::header::{HeaderValue, HOST};
use hyper::{Method, Request, StatusCode, Uri};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

use crate::client;
use crate::servers::{Baseline, Localgram, Target};

/// The targets for the load comparison.
const TARGET_RPS_RATIO: f64 = 0.5;
const TARGET_P99_MS: f64 = 5.0;
/// A request that takes longer than this counts as failed (and its connection is replaced).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Parser, Debug, Clone)]
#[command(name = "load")]
pub struct LoadArgs {
    /// Concurrent keep-alive connections (one task each).
    #[arg(short, long, default_value_t = 64)]
    pub connections: usize,
    /// Measured seconds per server.
    #[arg(short, long, default_value_t = 10.0)]
    pub duration: f64,
    /// Warm-up seconds per server before measuring (not counted).
    #[arg(short, long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Worker threads of the runtime that runs both servers (default: number of cores).
    #[arg(long)]
    pub server_threads: Option<usize>,
    /// Worker threads of the runtime that runs the load generator (default: number of cores).
    #[arg(long)]
    pub client_threads: Option<usize>,
    /// Rounds, each measuring every server in turn; the ratio reported is the median of the
    /// rounds' ratios (alternating rounds evens out a shared machine's drifting load).
    #[arg(short, long, default_value_t = 1)]
    pub rounds: usize,
    /// Hard cap on requests sent to each server, warm-up included (a safety bound).
    #[arg(long, default_value_t = 20_000_000)]
    pub max_requests: i64,
    /// Load only one server: `baseline` or `localgram` (e.g. while profiling).
    #[arg(long, value_parser = ["baseline", "localgram"])]
    pub only: Option<String>,
}

impl Default for LoadArgs {
    fn default() -> Self {
        LoadArgs::parse_from(["load"])
    }
}

/// What one server did during the measured window.
#[derive(Debug)]
pub struct Summary {
    pub name: &'static str,
    pub requests: u64,
    pub seconds: f64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// CPU used during the measured window, in cores: (this process, all other processes).
    pub cpu: Option<(f64, f64)>,
    /// Sorted latencies in nanoseconds.
    latencies: Vec<u64>,
}

impl Summary {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// The `q` quantile in milliseconds (nearest rank), 0 when nothing was measured.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let rank =
            ((q * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[rank - 1] as f64 / 1e6
    }

    pub fn max_ms(&self) -> f64 {
        self.latencies.last().map_or(0.0, |&ns| ns as f64 / 1e6)
    }

    fn to_json(&self) -> Value {
        json!({
            "requests": self.requests,
            "seconds": round3(self.seconds),
            "rps": round3(self.rps()),
            "p50_ms": round3(self.quantile_ms(0.50)),
            "p90_ms": round3(self.quantile_ms(0.90)),
            "p99_ms": round3(self.quantile_ms(0.99)),
            "max_ms": round3(self.max_ms()),
            "errors": self.errors,
            "cpu_cores_self": self.cpu.map(|c| round3(c.0)),
            "cpu_cores_others": self.cpu.map(|c| round3(c.1)),
        })
    }
}

/// CPU time counters from /proc, to tell how busy the rest of the machine was.
#[derive(Clone, Copy)]
struct CpuSample {
    /// Busy and total jiffies of all cores (/proc/stat), and this process's (/proc/self/stat).
    busy: u64,
    total: u64,
    own: u64,
}

impl CpuSample {
    fn read() -> Option<CpuSample> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<u64> = stat
            .lines()
            .next()?
            .strip_prefix("cpu ")?
            .split_whitespace()
            .take(8)
            .map(|f| f.parse().ok())
            .collect::<Option<_>>()?;
        let [user, nice, system, idle, iowait, irq, softirq, steal] = fields[..] else {
            return None;
        };
        let own_stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name, which is in parentheses and may hold spaces.
        let rest: Vec<&str> = own_stat.rsplit_once(')')?.1.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the file, 12 and 13 after the name.
        let own = rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?;
        Some(CpuSample {
            busy: user + nice + system + irq + softirq + steal,
            total: user + nice + system + idle + iowait + irq + softirq + steal,
            own,
        })
    }

    /// (this process, everything else) in cores between two samples.
    fn cores_since(self, before: CpuSample) -> Option<(f64, f64)> {
        let total = self.total.checked_sub(before.total)?;
        if total == 0 {
            return None;
        }
        let busy = self.busy.saturating_sub(before.busy) as f64;
        let own = self.own.saturating_sub(before.own) as f64;
        let scale = cores() as f64 / total as f64;
        Some((own * scale, (busy - own).max(0.0) * scale))
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn runtime(name: &str, threads: usize) -> Result<Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name(name)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot build the {name} runtime: {e}"))
}

pub fn run(args: LoadArgs) -> Result<bool, String> {
    if args.connections == 0 || args.connections > 4096 {
        return Err("--connections must be between 1 and 4096".into());
    }
    if !(args.duration > 0.0 && args.duration <= 600.0) {
        return Err("--duration must be more than 0 and at most 600 seconds".into());
    }
    if !(args.warmup >= 0.0 && args.warmup <= 60.0) {
        return Err("--warmup must be between 0 and 60 seconds".into());
    }
    if args.rounds == 0 || args.rounds > 100 {
        return Err("--rounds must be between 1 and 100".into());
    }
    let server_threads = args.server_threads.unwrap_or_else(cores).max(1);
    let client_threads = args.client_threads.unwrap_or_else(cores).max(1);
    let servers = runtime("server", server_threads)?;
    let clients = runtime("client", client_threads)?;

    // Both servers run on the server runtime for the whole run; the load on the other.
    let baseline = servers.block_on(Baseline::start())?;
    let localgram = servers.block_on(Localgram::start())?;
    let result = (|| -> Result<Vec<Vec<Summary>>, String> {
        let mut targets = Vec::new();
        if args.only.as_deref() != Some("localgram") {
            targets.push(baseline.target()?);
        }
        if args.only.as_deref() != Some("baseline") {
            targets.push(clients.block_on(localgram.fixture())?);
        }
        for target in &targets {
            clients.block_on(check_first(target))?;
        }
        let mut rounds = Vec::new();
        for round in 1..=args.rounds {
            let mut summaries = Vec::new();
            for target in &targets {
                eprintln!(
                    "loadtest: round {round}/{}: {}: {} connections, {:.1} s warm-up + {:.1} s \
                     measured ...",
                    args.rounds, target.name, args.connections, args.warmup, args.duration
                );
                summaries.push(clients.block_on(drive(target, &args))?);
            }
            rounds.push(summaries);
        }
        Ok(rounds)
    })();
    servers.block_on(async {
        baseline.stop().await;
        localgram.stop().await;
    });
    clients.shutdown_timeout(Duration::from_secs(2));
    servers.shutdown_timeout(Duration::from_secs(2));
    let rounds = result?;

    report(&rounds, &args, server_threads, client_threads);
    let failed: u64 = rounds.iter().flatten().map(|s| s.errors).sum();
    for s in rounds.iter().flatten().filter(|s| s.errors > 0) {
        eprintln!(
            "loadtest: {}: {} failed requests; first: {}",
            s.name,
            s.errors,
            s.first_error.as_deref().unwrap_or("?")
        );
    }
    Ok(failed == 0)
}

/// The first answer must be 200 with the expected JSON, or the numbers would mean nothing.
async fn check_first(target: &Target) -> Result<(), String> {
    let (status, value) =
        client::call_json(target.addr, Method::GET, &target.path_and_query, None).await?;
    if status != StatusCode::OK {
        return Err(format!(
            "{}: GET {} answered {status}: {value}",
            target.name, target.path_and_query
        ));
    }
    if value != target.expected {
        return Err(format!(
            "{}: GET {} answered {value}, expected {}",
            target.name, target.path_and_query, target.expected
        ));
    }
    Ok(())
}

#[derive(Clone, Copy)]
struct Window {
    measure_from: Instant,
    until: Instant,
}

#[derive(Default)]
struct ConnStats {
    latencies: Vec<u64>,
    errors: u64,
    first_error: Option<String>,
    budget_exhausted: bool,
}

impl ConnStats {
    fn fail(&mut self, message: impl FnOnce() -> String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(message());
        }
    }
}

async fn drive(target: &Target, args: &LoadArgs) -> Result<Summary, String> {
    let uri: Uri = target
        .path_and_query
        .parse()
        .map_err(|e| format!("invalid URI {}: {e}", target.path_and_query))?;
    let host = HeaderValue::from_str(&target.addr.to_string())
        .map_err(|e| format!("invalid Host header: {e}"))?;
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup);
    let window = Window {
        measure_from,
        until: measure_from + Duration::from_secs_f64(args.duration),
    };
    let budget = Arc::new(AtomicI64::new(args.max_requests));
    let mut tasks = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        tasks.push(tokio::spawn(connection(
            target.addr,
            uri.clone(),
            host.clone(),
            window,
            budget.clone(),
        )));
    }
    tokio::time::sleep_until(window.measure_from.into()).await;
    let cpu_before = CpuSample::read();
    tokio::time::sleep_until(window.until.into()).await;
    let cpu = match (cpu_before, CpuSample::read()) {
        (Some(before), Some(after)) => after.cores_since(before),
        _ => None,
    };
    // Every task stops at `until` plus at most one request timeout; this bounds the wait.
    let deadline = window.until + REQUEST_TIMEOUT + Duration::from_secs(5);
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    let mut budget_exhausted = false;
    for task in tasks {
        let stats = tokio::time::timeout_at(deadline.into(), task)
            .await
            .map_err(|_| format!("{}: a connection task did not stop in time", target.name))?
            .map_err(|e| format!("{}: a connection task failed: {e}", target.name))?;
        latencies.extend_from_slice(&stats.latencies);
        errors += stats.errors;
        if first_error.is_none() {
            first_error = stats.first_error;
        }
        budget_exhausted |= stats.budget_exhausted;
    }
    if budget_exhausted {
        return Err(format!(
            "{}: the --max-requests cap of {} was reached before the time was up; \
             raise it or shorten --duration",
            target.name, args.max_requests
        ));
    }
    latencies.sort_unstable();
    Ok(Summary {
        name: target.name,
        requests: latencies.len() as u64,
        seconds: args.duration,
        errors,
        first_error,
        cpu,
        latencies,
    })
}

/// One connection's closed loop: send, read the whole answer, record, repeat until `until`.
async fn connection(
    addr: SocketAddr,
    uri: Uri,
    host: HeaderValue,
    window: Window,
    budget: Arc<AtomicI64>,
) -> ConnStats {
    let mut stats = ConnStats {
        latencies: Vec::with_capacity(64 * 1024),
        ..ConnStats::default()
    };
    let mut sender: Option<client::Sender> = None;
    while Instant::now() < window.until {
        if budget.fetch_sub(1, Ordering::Relaxed) <= 0 {
            stats.budget_exhausted = true;
            break;
        }
        if sender.is_none() {
            match client::connect(addr).await {
                Ok(s) => sender = Some(s),
                Err(e) => {
                    stats.fail(|| e);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            }
        }
        let Some(s) = sender.as_mut() else {
            continue;
        };
        let mut request = Request::new(Full::new(Bytes::new()));
        *request.uri_mut() = uri.clone();
        request.headers_mut().insert(HOST, host.clone());
        let started = Instant::now();
        match tokio::time::timeout(REQUEST_TIMEOUT, client::send(s, request)).await {
            Ok(Ok((status, body))) => {
                let finished = Instant::now();
                if status != StatusCode::OK {
                    stats.fail(|| {
                        format!(
                            "GET {uri} answered {status}: {}",
                            String::from_utf8_lossy(&body)
                        )
                    });
                } else if started >= window.measure_from && finished <= window.until {
                    stats
                        .latencies
                        .push(finished.duration_since(started).as_nanos() as u64);
                }
            }
            Ok(Err(e)) => {
                stats.fail(|| e);
                sender = None;
            }
            Err(_) => {
                stats.fail(|| format!("GET {uri}: no answer within {REQUEST_TIMEOUT:?}"));
                sender = None;
            }
        }
    }
    stats
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        f64::NAN
    }
}

fn report(rounds: &[Vec<Summary>], args: &LoadArgs, server_threads: usize, client_threads: usize) {
    println!(
        "load: {} connections, {:.1} s measured after {:.1} s warm-up, {} round(s); {} cores \
         shared by the servers ({} threads) and the load generator ({} threads)",
        args.connections,
        args.duration,
        args.warmup,
        args.rounds,
        cores(),
        server_threads,
        client_threads
    );
    println!(
        "{:<14} {:>10} {:>10} {:>8} {:>8} {:>8} {:>8} {:>7} {:>11}",
        "server",
        "requests",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "errors",
        "others cpu"
    );
    let mut round_lines = Vec::new();
    let mut rps_ratios = Vec::new();
    let mut p99_ratios = Vec::new();
    for (i, summaries) in rounds.iter().enumerate() {
        let mut line = json!({});
        for s in summaries {
            let label = if rounds.len() > 1 {
                format!("{} #{}", s.name, i + 1)
            } else {
                s.name.to_string()
            };
            println!(
                "{:<14} {:>10} {:>10.0} {:>8.3} {:>8.3} {:>8.3} {:>8.2} {:>7} {:>11}",
                label,
                s.requests,
                s.rps(),
                s.quantile_ms(0.50),
                s.quantile_ms(0.90),
                s.quantile_ms(0.99),
                s.max_ms(),
                s.errors,
                s.cpu
                    .map_or("?".to_string(), |c| format!("{:.2} cores", c.1)),
            );
            line[s.name] = s.to_json();
        }
        let find = |name: &str| summaries.iter().find(|s| s.name == name);
        if let (Some(l), Some(b)) = (find("localgram"), find("baseline")) {
            let rps = ratio(l.rps(), b.rps());
            let p50 = ratio(l.quantile_ms(0.50), b.quantile_ms(0.50));
            let p90 = ratio(l.quantile_ms(0.90), b.quantile_ms(0.90));
            let p99 = ratio(l.quantile_ms(0.99), b.quantile_ms(0.99));
            println!(
                "{:<14} {:>10} {:>9.1}% {:>7.2}x {:>7.2}x {:>7.2}x",
                "ratio l/b",
                "",
                rps * 100.0,
                p50,
                p90,
                p99
            );
            line["ratio"] = json!({
                "rps": round3(rps),
                "p50": round3(p50),
                "p90": round3(p90),
                "p99": round3(p99),
            });
            rps_ratios.push(rps);
            p99_ratios.push(p99);
        }
        round_lines.push(line);
    }

    // Per server, the median over rounds of each figure.
    let mut out = json!({
        "kind": "load",
        "connections": args.connections,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "rounds": args.rounds,
        "cores": cores(),
        "server_threads": server_threads,
        "client_threads": client_threads,
    });
    let names: Vec<&str> = rounds
        .first()
        .map(|r| r.iter().map(|s| s.name).collect())
        .unwrap_or_default();
    let mut median_p99 = None;
    for name in names {
        let of = |f: &dyn Fn(&Summary) -> f64| {
            let mut v: Vec<f64> = rounds
                .iter()
                .flatten()
                .filter(|s| s.name == name)
                .map(f)
                .collect();
            round3(median(&mut v))
        };
        let errors: u64 = rounds
            .iter()
            .flatten()
            .filter(|s| s.name == name)
            .map(|s| s.errors)
            .sum();
        let p99 = of(&|s| s.quantile_ms(0.99));
        if name == "localgram" {
            median_p99 = Some(p99);
        }
        out[name] = json!({
            "rps": of(&|s| s.rps()),
            "p50_ms": of(&|s| s.quantile_ms(0.50)),
            "p90_ms": of(&|s| s.quantile_ms(0.90)),
            "p99_ms": p99,
            "max_ms": of(&|s| s.max_ms()),
            "errors": errors,
        });
    }
    let median_word = if rounds.len() > 1 { "median " } else { "" };
    let mut targets = json!({});
    if !rps_ratios.is_empty() {
        let rps = median(&mut rps_ratios);
        out["ratio"] = json!({"rps": round3(rps), "p99": round3(median(&mut p99_ratios))});
        targets["rps_ratio_at_least"] = json!(TARGET_RPS_RATIO);
        targets["rps_ratio_met"] = json!(rps >= TARGET_RPS_RATIO);
        println!(
            "target: localgram req/s >= {:.0}% of baseline: {median_word}{:.1}% -> {}",
            TARGET_RPS_RATIO * 100.0,
            rps * 100.0,
            verdict(rps >= TARGET_RPS_RATIO)
        );
    }
    if let Some(p99) = median_p99 {
        targets["p99_ms_below"] = json!(TARGET_P99_MS);
        targets["p99_met"] = json!(p99 < TARGET_P99_MS);
        println!(
            "target: localgram p99 < {TARGET_P99_MS} ms: {median_word}{p99:.3} ms -> {}",
            verdict(p99 < TARGET_P99_MS)
        );
    }
    out["targets"] = targets;
    out["per_round"] = json!(round_lines);
    println!("{out}");
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(latencies_ms: &[u64]) -> Summary {
        let mut latencies: Vec<u64> = latencies_ms.iter().map(|ms| ms * 1_000_000).collect();
        latencies.sort_unstable();
        Summary {
            name: "t",
            requests: latencies.len() as u64,
            seconds: 2.0,
            errors: 0,
            first_error: None,
            cpu: None,
            latencies,
        }
    }

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let s = summary(&(1..=100).collect::<Vec<_>>());
        assert_eq!(s.quantile_ms(0.50), 50.0);
        assert_eq!(s.quantile_ms(0.90), 90.0);
        assert_eq!(s.quantile_ms(0.99), 99.0);
        assert_eq!(s.max_ms(), 100.0);
        assert_eq!(s.rps(), 50.0);
        assert_eq!(summary(&[]).quantile_ms(0.99), 0.0);
        assert_eq!(summary(&[7]).quantile_ms(0.5), 7.0);
    }

    /// A short run of the whole thing against both servers, on loopback only.
    #[test]
    fn a_short_run_against_both_servers_succeeds() {
        let args = LoadArgs {
            connections: 4,
            duration: 0.3,
            warmup: 0.1,
            server_threads: Some(1),
            client_threads: Some(1),
            ..LoadArgs::default()
        };
        assert_eq!(run(args), Ok(true));
    }
}
