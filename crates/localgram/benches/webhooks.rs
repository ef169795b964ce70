//! Webhook delivery benchmark (docs/performance.md, "Webhooks"): how many events per second
//! localgram delivers to a loopback receiver that answers at once, and how long an event takes
//! from the change that records it to its arrival at the receiver.
//!
//! `cargo bench -p localgram --bench webhooks` runs the full measurement; run without
//! `--bench` (as `cargo test --benches` does) it makes a quick pass. In one process: localgram
//! with an in-memory store, an axum receiver on 127.0.0.1, and a recorder calling
//! `events::record` in its own transactions, as the comments and messaging areas do. The
//! reference, measured in the same run, is the same receiver driven by one client posting one
//! signed single-event request at a time: what a forwarder without batching gets here.
//! Everything is bounded in count and time and talks to 127.0.0.1 only.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use localgram::events::{Author, Comment, CommentMedia, Event, Payload};
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ACCOUNTS: usize = 10;
const VERIFY_TOKEN: &str = "bench";

/// Arrival times by event number, filled by the receiver.
#[derive(Default)]
struct Arrivals {
    at: Mutex<HashMap<u64, Instant>>,
    /// Notification requests received.
    requests: std::sync::atomic::AtomicU64,
}

async fn verify(Query(query): Query<HashMap<String, String>>) -> String {
    query.get("hub.challenge").cloned().unwrap_or_default()
}

/// Answers at once; notes when each event arrived (its number is the comment text `b<n>`).
async fn receive(State(arrivals): State<Arc<Arrivals>>, body: Bytes) -> &'static str {
    let now = Instant::now();
    arrivals
        .requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if let Ok(value) = serde_json::from_slice::<Value>(&body) {
        let mut at = arrivals.at.lock();
        for entry in value["entry"].as_array().into_iter().flatten() {
            for change in entry["changes"].as_array().into_iter().flatten() {
                if let Some(n) = change["value"]["text"]
                    .as_str()
                    .and_then(|t| t.strip_prefix('b'))
                    .and_then(|t| t.parse().ok())
                {
                    at.entry(n).or_insert(now);
                }
            }
        }
    }
    "EVENT_RECEIVED"
}

fn comment(n: u64) -> Payload {
    Payload::Comment(Comment {
        id: format!("{}", 17_900_000_000_000_000_u64 + n),
        text: Some(format!("b{n}")),
        from: Author {
            id: "5260147201987654".into(),
            username: "commenter".into(),
            self_ig_scoped_id: None,
        },
        media: CommentMedia {
            id: "17895695668004550".into(),
            media_product_type: "FEED".into(),
            ad_id: None,
            ad_title: None,
            original_media_id: None,
            owner_id: None,
        },
        parent_id: None,
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

async fn post(client: &reqwest::Client, url: String, body: Value) -> Result<Value, String> {
    let response = client
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    response.json().await.map_err(|e| e.to_string())
}

/// Waits until `count` events from `first` have arrived, at most `limit`.
async fn wait_all(arrivals: &Arrivals, first: u64, count: u64, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        let done = {
            let at = arrivals.at.lock();
            (first..first + count).all(|n| at.contains_key(&n))
        };
        if done {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn run(quick: bool) -> Result<bool, String> {
    let (burst, paced_rate, paced_seconds) = if quick {
        (2_000_u64, 500_u64, 1_u64)
    } else {
        (50_000, 1_000, 5)
    };
    let arrivals = Arc::new(Arrivals::default());
    let receiver = Router::new()
        .route("/hook", get(verify).post(receive))
        .with_state(arrivals.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let hook = format!(
        "http://{}/hook",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let server = localgram::start(localgram::Config {
        listen: "127.0.0.1:0".parse().map_err(|_| "address")?,
        seed: Some(1),
        ..localgram::Config::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let base = server.base_url();
    let client = reqwest::Client::new();
    let app = post(
        &client,
        format!("{base}/_localgram/apps"),
        json!({"name": "Bench", "access_level": "advanced"}),
    )
    .await?;
    let app_id = app["id"].as_str().ok_or("app id")?.to_string();
    let configured = client
        .post(format!("{base}/v24.0/{app_id}/subscriptions"))
        .header("Host", "graph.facebook.com")
        .form(&[
            ("object", "instagram"),
            ("callback_url", hook.as_str()),
            ("verify_token", VERIFY_TOKEN),
            ("fields", "comments"),
            (
                "access_token",
                app["app_token"].as_str().ok_or("app token")?,
            ),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !configured.status().is_success() {
        return Err(format!(
            "subscription: {}",
            configured.text().await.unwrap_or_default()
        ));
    }
    let mut accounts = Vec::new();
    for i in 0..ACCOUNTS {
        let account = post(
            &client,
            format!("{base}/_localgram/accounts"),
            json!({"username": format!("bench{i}")}),
        )
        .await?;
        let id = account["id"].as_str().ok_or("account id")?.to_string();
        let token = post(
            &client,
            format!("{base}/_localgram/tokens"),
            json!({"app_id": app_id, "account_id": id, "login": "instagram", "long_lived": true}),
        )
        .await?;
        let subscribed = client
            .post(format!("{base}/v24.0/{id}/subscribed_apps"))
            .header("Host", "graph.instagram.com")
            .form(&[
                ("subscribed_fields", "comments"),
                (
                    "access_token",
                    token["access_token"].as_str().ok_or("token")?,
                ),
            ])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !subscribed.status().is_success() {
            return Err("subscribed_apps failed".into());
        }
        accounts.push(id);
    }
    let state = server.state.clone();
    let accounts = Arc::new(accounts);

    // 1. Throughput: record `burst` events as fast as one recorder can, each in its own
    // transaction, and time until the receiver has them all.
    let started = Instant::now();
    let recorder = {
        let (state, accounts) = (state.clone(), accounts.clone());
        tokio::task::spawn_blocking(move || -> Result<Duration, String> {
            for n in 0..burst {
                let account = &accounts[(n as usize) % ACCOUNTS];
                localgram::webhooks::record_alone_blocking(
                    &state,
                    Event::new(account.clone(), comment(n)),
                )
                .map_err(|e| e.to_string())?;
            }
            Ok(started.elapsed())
        })
    };
    let recorded_in = recorder.await.map_err(|e| e.to_string())??;
    if !wait_all(&arrivals, 0, burst, Duration::from_secs(120)).await {
        return Err("the burst was not delivered within 120 s".into());
    }
    let delivered_in = started.elapsed();
    let requests = arrivals.requests.load(std::sync::atomic::Ordering::Relaxed);

    // 2. Drain: the same number of events recorded while delivery is paused, then resumed:
    // the delivery side alone.
    let drain_first = burst;
    post(
        &client,
        format!("{base}/_localgram/webhooks/pause"),
        json!({}),
    )
    .await?;
    {
        let (state, accounts) = (state.clone(), accounts.clone());
        tokio::task::spawn_blocking(move || -> Result<(), String> {
            for n in drain_first..drain_first + burst {
                let account = &accounts[(n as usize) % ACCOUNTS];
                localgram::webhooks::record_alone_blocking(
                    &state,
                    Event::new(account.clone(), comment(n)),
                )
                .map_err(|e| e.to_string())?;
            }
            Ok(())
        })
        .await
        .map_err(|e| e.to_string())??;
    }
    let drain_started = Instant::now();
    post(
        &client,
        format!("{base}/_localgram/webhooks/resume"),
        json!({}),
    )
    .await?;
    if !wait_all(&arrivals, drain_first, burst, Duration::from_secs(120)).await {
        return Err("the drained events were not delivered within 120 s".into());
    }
    let drained_in = drain_started.elapsed();

    // 3. Latency: events recorded at a steady rate; from the start of the recording
    // transaction to the arrival at the receiver.
    let first = 2 * burst;
    let count = paced_rate * paced_seconds;
    let starts: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    let pacer = {
        let (state, accounts, starts) = (state.clone(), accounts.clone(), starts.clone());
        tokio::task::spawn_blocking(move || -> Result<(), String> {
            let begin = Instant::now();
            for i in 0..count {
                let due = begin + Duration::from_secs_f64(i as f64 / paced_rate as f64);
                while Instant::now() < due {
                    std::thread::sleep(Duration::from_micros(50));
                }
                let n = first + i;
                starts.lock().insert(n, Instant::now());
                let account = &accounts[(i as usize) % ACCOUNTS];
                localgram::webhooks::record_alone_blocking(
                    &state,
                    Event::new(account.clone(), comment(n)),
                )
                .map_err(|e| e.to_string())?;
            }
            Ok(())
        })
    };
    pacer.await.map_err(|e| e.to_string())??;
    if !wait_all(&arrivals, first, count, Duration::from_secs(60)).await {
        return Err("the paced events were not delivered within 60 s".into());
    }
    let mut latencies: Vec<f64> = {
        let (at, starts) = (arrivals.at.lock(), starts.lock());
        (first..first + count)
            .filter_map(|n| {
                Some(at.get(&n)?.duration_since(*starts.get(&n)?).as_secs_f64() * 1000.0)
            })
            .collect()
    };
    latencies.sort_by(|a, b| a.total_cmp(b));

    // 4. Reference: one client, one signed single-event request at a time, same receiver.
    let body = graph::json::to_meta_vec(
        &json!({"object": "instagram", "entry": [{"id": accounts[0], "time": 1, "changes": [{"field": "comments", "value": {"id": "1", "from": {"id": "5260147201987654", "username": "commenter"}, "text": "r", "media": {"id": "17895695668004550", "media_product_type": "FEED"}}}]}]}),
    );
    let reference_for = Duration::from_secs(if quick { 1 } else { 5 });
    let reference_start = Instant::now();
    let mut reference_count = 0_u64;
    while reference_start.elapsed() < reference_for {
        let response = client
            .post(&hook)
            .header("Content-Type", "application/json")
            .header(
                "X-Hub-Signature-256",
                localgram::webhooks::sign::sha256("secret", &body),
            )
            .header(
                "X-Hub-Signature",
                localgram::webhooks::sign::sha1("secret", &body),
            )
            .body(body.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if response.status().is_success() {
            reference_count += 1;
        }
    }
    let reference_rate = reference_count as f64 / reference_start.elapsed().as_secs_f64();

    let rate = burst as f64 / delivered_in.as_secs_f64();
    let median = percentile(&latencies, 50.0);
    let p99 = percentile(&latencies, 99.0);
    println!(
        "webhooks benchmark ({} mode), {} cores",
        if quick { "quick" } else { "full" },
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| burst: events recorded (one transaction each) | {burst} in {:.2} s ({:.0} events/s) |",
        recorded_in.as_secs_f64(),
        burst as f64 / recorded_in.as_secs_f64()
    );
    println!("| burst: events delivered to the receiver | {burst} in {:.2} s: **{rate:.0} events/s** in {requests} requests |", delivered_in.as_secs_f64());
    println!("| drain: {burst} events recorded while paused, delivered after resume | {:.2} s: **{:.0} events/s** |", drained_in.as_secs_f64(), burst as f64 / drained_in.as_secs_f64());
    println!("| paced {paced_rate} events/s for {paced_seconds} s: change-to-delivery latency | median **{median:.2} ms**, p90 {:.2} ms, p99 **{p99:.2} ms**, max {:.2} ms |", percentile(&latencies, 90.0), latencies.last().copied().unwrap_or(f64::NAN));
    println!("| reference: one signed single-event POST at a time to the same receiver | {reference_rate:.0} requests/s ({reference_count} in {:.1} s) |", reference_start.elapsed().as_secs_f64());
    let met = rate >= 5_000.0 && median < 10.0;
    println!(
        "target (5,000 events/s, median under 10 ms): {}",
        if met { "met" } else { "MISSED" }
    );
    server.stop().await.map_err(|e| e.to_string())?;
    Ok(met || quick)
}

fn main() -> std::process::ExitCode {
    let quick = !std::env::args().any(|a| a == "--bench");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("webhooks bench: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(quick)) {
        Ok(_) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("webhooks bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
