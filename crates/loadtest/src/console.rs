//! Issue #15: every control API call the console's pages make, against a store of 100,000
//! media built by `localgram seed` (its wall time measured too). Each call is timed
//! sequentially on one keep-alive connection; the reference is `GET /_localgram/clock` (no
//! database work) measured in the same run. The target: every call under 100 ms.

use clap::Args;
use hyper::{Method, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::client;
use crate::issue10::median;
use crate::startup::{free_port, probe, resolve_bin, spawn};

const TARGET_MS: f64 = 100.0;

#[derive(Args, Debug)]
pub struct ConsoleArgs {
    /// The localgram binary (default: target/release/localgram).
    #[arg(long)]
    pub bin: Option<PathBuf>,
    /// Media in the store, on one account (with one comment each).
    #[arg(long, default_value_t = 100_000)]
    pub media: usize,
    /// Timed calls per route (after 3 untimed).
    #[arg(long, default_value_t = 30)]
    pub rounds: usize,
}

fn text(value: &Value, key: &str) -> Result<String, String> {
    value[key]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no {key} in {value}"))
}

async fn get(addr: SocketAddr, path: &str) -> Result<Value, String> {
    let (status, value) = client::call_json(addr, Method::GET, path, None).await?;
    if status != StatusCode::OK {
        return Err(format!("GET {path} answered {status}: {value}"));
    }
    Ok(value)
}

/// Median and slowest of `rounds` sequential calls of `path` on one connection, in ms.
async fn time(addr: SocketAddr, path: &str, rounds: usize) -> Result<(f64, f64), String> {
    let mut sender = client::connect(addr).await?;
    let mut samples = Vec::with_capacity(rounds);
    for i in 0..rounds + 3 {
        let request = client::request(addr, Method::GET, path, None)?;
        let started = Instant::now();
        let (status, body) = client::send(&mut sender, request).await?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if status != StatusCode::OK {
            return Err(format!(
                "GET {path} answered {status}: {}",
                String::from_utf8_lossy(&body)
            ));
        }
        if i >= 3 {
            samples.push(ms);
        }
    }
    let slowest = samples.iter().copied().fold(0.0, f64::max);
    Ok((median(samples), slowest))
}

pub fn run(args: ConsoleArgs) -> Result<bool, String> {
    let bin = resolve_bin(args.bin.clone())?;
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let _server = spawn(&bin, port)?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while probe(addr) != Some(200) {
        if Instant::now() > deadline {
            return Err("localgram did not start within 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // The store: `localgram seed`, timed as a user runs it.
    let started = Instant::now();
    let seeded = Command::new(&bin)
        .args(["--url", &format!("http://{addr}"), "--json", "seed"])
        .args(["--accounts", "1", "--people", "50", "--media"])
        .arg(args.media.to_string())
        .args(["--comments-per-media", "1", "--conversations", "20"])
        .args(["--messages-per-conversation", "3"])
        .output()
        .map_err(|e| format!("cannot run localgram seed: {e}"))?;
    let seed_seconds = started.elapsed().as_secs_f64();
    if !seeded.status.success() {
        return Err(format!(
            "localgram seed failed: {}",
            String::from_utf8_lossy(&seeded.stderr)
        ));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let accounts = get(addr, "/_localgram/accounts").await?;
        let account = text(&accounts["data"][0], "id")?;
        // An app with a token and a container, so every page has something to show.
        let (_, app) = client::call_json(
            addr,
            Method::POST,
            "/_localgram/apps",
            Some(&json!({"name": "Console bench", "access_level": "advanced"})),
        )
        .await?;
        let app_id = text(&app, "id")?;
        client::call_json(
            addr,
            Method::POST,
            "/_localgram/tokens",
            Some(&json!({"app_id": app_id, "account_id": account, "login": "instagram"})),
        )
        .await?;
        let first = get(addr, &format!("/_localgram/accounts/{account}/media?limit=60")).await?;
        let media = text(&first["data"][0], "id")?;
        // A deep page: the one after the 50,000th media (keyset paging costs the same).
        let mut after = text(&first["paging"], "after")?;
        let mut seen = 60;
        while seen < args.media / 2 {
            let page = get(
                addr,
                &format!("/_localgram/accounts/{account}/media?limit=500&after={after}"),
            )
            .await?;
            match page["paging"]["after"].as_str() {
                Some(next) => after = next.to_string(),
                None => break,
            }
            seen += 500;
        }
        let inbox = get(addr, &format!("/_localgram/accounts/{account}/conversations")).await?;
        let person = text(&inbox["data"][0]["person"], "id")?;
        let now_ms = get(addr, "/_localgram/clock").await?["now_unix_ms"]
            .as_i64()
            .ok_or("no now_unix_ms")?;
        let day_ago = now_ms - 86_400_000;
        let routes: Vec<(&str, String)> = vec![
            ("reference: clock", "/_localgram/clock".into()),
            ("accounts", "/_localgram/accounts".into()),
            ("people", "/_localgram/people".into()),
            ("account", format!("/_localgram/accounts/{account}")),
            ("grid, first page", format!("/_localgram/accounts/{account}/media?limit=60")),
            ("grid, page after 50,000", format!("/_localgram/accounts/{account}/media?limit=60&after={after}")),
            ("stories", format!("/_localgram/accounts/{account}/media?kind=stories&limit=20")),
            ("media and thread", format!("/_localgram/media/{media}")),
            ("inbox", format!("/_localgram/accounts/{account}/conversations")),
            ("conversation", format!("/_localgram/people/{person}/messages?account_id={account}")),
            ("containers", format!("/_localgram/accounts/{account}/containers")),
            ("apps", "/_localgram/apps".into()),
            ("app webhooks", format!("/_localgram/apps/{app_id}/webhooks")),
            ("webhook status", "/_localgram/webhooks".into()),
            ("deliveries", "/_localgram/webhooks/deliveries?include=skipped&limit=50".into()),
            ("requests", "/_localgram/requests?limit=200".into()),
            ("tokens", "/_localgram/tokens?limit=200".into()),
            ("account insights (30 days)", format!("/_localgram/accounts/{account}/insights")),
            ("media insights", format!("/_localgram/media/{media}/insights")),
            ("what fell due in a day", format!("/_localgram/clock/due?from_ms={day_ago}&to_ms={now_ms}")),
            ("faults", "/_localgram/faults".into()),
            ("rate limits", "/_localgram/rate_limits".into()),
        ];
        let mut results = Vec::new();
        for (name, path) in &routes {
            results.push((*name, time(addr, path, args.rounds).await?));
        }
        let reference = results[0].1 .0;
        println!(
            "localgram seed: {} media (1 comment each), 1 account, 50 people, 20 conversations of 3 messages in {seed_seconds:.1} s",
            args.media
        );
        println!("| console call | median ms | slowest ms | median / reference |");
        println!("|---|---|---|---|");
        let mut ok = true;
        for (name, (med, slowest)) in &results {
            ok &= *slowest < TARGET_MS;
            println!(
                "| {name} | {med:.2} | {slowest:.2} | {:.1}x |",
                med / reference
            );
        }
        println!(
            "target: every call under {TARGET_MS} ms ({}); seed of 100,000 media under 30 s ({})",
            if ok { "met" } else { "NOT met" },
            if seed_seconds < 30.0 || args.media != 100_000 {
                "met"
            } else {
                "NOT met"
            }
        );
        Ok(ok)
    })
}
