//! `localgram deliveries`: the webhook delivery log, and `--follow` to watch deliveries as
//! they happen (like `stripe listen`): the server's event stream says when the log changed,
//! and each change is read back from the log, so nothing is shown that the log does not hold.

use std::collections::HashMap;
use std::time::Duration;

use clap::Args;
use futures_util::StreamExt;
use serde_json::{json, Value};

use super::{emit, text, CliError, CliResult, Client, Target};

#[derive(Args, Debug)]
pub struct DeliveriesArgs {
    /// Keep running and print each delivery when it is recorded and when its state changes.
    #[arg(long, short)]
    pub follow: bool,
    /// Only this app's deliveries (its id).
    #[arg(long)]
    pub app: Option<String>,
    /// Only deliveries about this account (its id).
    #[arg(long)]
    pub account: Option<String>,
    /// Only this webhook field.
    #[arg(long)]
    pub field: Option<String>,
    /// Only `pending`, `delivered`, `failed` or `skipped` deliveries.
    #[arg(long)]
    pub status: Option<String>,
    /// Leave out the events that produced no delivery (shown by default, with the reason).
    #[arg(long)]
    pub no_skipped: bool,
    /// How many of the newest deliveries to list.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

impl DeliveriesArgs {
    fn query(&self, limit: usize) -> Vec<(&'static str, String)> {
        let mut query = vec![("limit", limit.to_string())];
        if !self.no_skipped {
            query.push(("include", "skipped".into()));
        }
        for (key, value) in [
            ("app_id", &self.app),
            ("account_id", &self.account),
            ("field", &self.field),
            ("status", &self.status),
        ] {
            if let Some(value) = value {
                query.push((key, value.clone()));
            }
        }
        query
    }
}

fn time_of(ms: &Value) -> String {
    ms.as_i64()
        .map(|ms| graph::timefmt::rfc3339(ms.div_euclid(1000)))
        .unwrap_or_default()
}

/// One delivery on one line: when, which, to whom, and how it went.
pub fn describe_line(d: &Value) -> String {
    let app = match d["app_id"].as_str() {
        Some(app) => format!("app {app}"),
        None => "no app".into(),
    };
    let login = d["login"]
        .as_str()
        .map(|l| format!(" ({l})"))
        .unwrap_or_default();
    let status = text(&d["status"]);
    let last = d["attempts"].as_array().and_then(|a| a.last());
    let outcome = match status {
        "skipped" => format!("skipped: {}", text(&d["reason"])),
        "delivered" => match last {
            Some(a) => format!(
                "delivered: {} in {} ms",
                a["status"],
                a["duration_ms"].as_f64().unwrap_or_default().round()
            ),
            None => "delivered".into(),
        },
        "failed" => format!(
            "gave up after {} attempts{}",
            d["attempt_count"],
            last.map(attempt_outcome).unwrap_or_default()
        ),
        _ => match last {
            Some(a) => format!(
                "retrying at {}{}",
                time_of(&d["next_attempt_at_ms"]),
                attempt_outcome(a)
            ),
            None => "pending".into(),
        },
    };
    format!(
        "{}  #{}  {}  {app}{login}  {outcome}",
        time_of(&d["created_at_ms"]),
        d["id"],
        text(&d["field"]),
    )
}

/// What the last attempt got: the callback's status, or why there was none.
fn attempt_outcome(a: &Value) -> String {
    match a["error"].as_str() {
        Some(error) => format!(" (last: {error})"),
        None => format!(" (last: HTTP {})", a["status"]),
    }
}

pub async fn run(client: &Client, target: &Target, args: DeliveriesArgs) -> CliResult<()> {
    if args.limit == 0 || args.limit > 1000 {
        return Err(CliError::Usage("--limit must be between 1 and 1000".into()));
    }
    if args.follow {
        return follow(client, target, &args).await;
    }
    let value = client
        .get_query("/webhooks/deliveries", &args.query(args.limit))
        .await?;
    emit(target, &value, |v| super::lines(v, describe_line));
    Ok(())
}

/// Waits (up to 30 s of real time) until a delivery is no longer pending, and answers it.
pub async fn wait_until_done(client: &Client, id: i64) -> CliResult<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let delivery = client.get(&format!("/webhooks/deliveries/{id}")).await?;
        let pending = delivery["status"] == json!("pending");
        // A pending delivery with an attempt already failed waits for its retry: done here.
        let tried = delivery["attempt_count"].as_i64().unwrap_or(0) > 0;
        if !pending || tried || tokio::time::Instant::now() >= deadline {
            return Ok(delivery);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What a delivery looked like when last printed.
fn signature(d: &Value) -> String {
    format!("{}/{}", text(&d["status"]), d["attempt_count"])
}

async fn follow(client: &Client, target: &Target, args: &DeliveriesArgs) -> CliResult<()> {
    // What is in the log already is known, not printed: only what happens from now on.
    let mut seen: HashMap<i64, String> = HashMap::new();
    let first = client
        .get_query("/webhooks/deliveries", &args.query(1000))
        .await?;
    for d in first["data"].as_array().into_iter().flatten() {
        if let Some(id) = d["id"].as_i64() {
            seen.insert(id, signature(d));
        }
    }
    eprintln!(
        "Following webhook deliveries of {} (Ctrl-C to stop)",
        client.base
    );
    let mut stream = open_stream(client).await;
    loop {
        // Wake on a change of the log, or every two seconds without the event stream (an
        // older localgram) or in case one was missed.
        match stream.as_mut() {
            Some(events) => {
                let next = tokio::time::timeout(Duration::from_secs(2), events.next()).await;
                if let Ok(None | Some(Err(_))) = next {
                    // The server went away: say so, as a failure.
                    return Err(CliError::Unreachable(format!(
                        "lost the connection to localgram at {}",
                        client.base
                    )));
                }
            }
            None => tokio::time::sleep(Duration::from_secs(1)).await,
        }
        let page = client
            .get_query("/webhooks/deliveries", &args.query(100))
            .await?;
        let mut fresh: Vec<&Value> = page["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| {
                d["id"]
                    .as_i64()
                    .is_some_and(|id| seen.get(&id) != Some(&signature(d)))
            })
            .collect();
        fresh.sort_by_key(|d| d["id"].as_i64());
        for d in fresh {
            if let Some(id) = d["id"].as_i64() {
                seen.insert(id, signature(d));
            }
            if target.json {
                println!("{}", serde_json::to_string(d).unwrap_or_default());
            } else {
                println!("{}", describe_line(d));
            }
        }
    }
}

type EventStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// The server's event stream of delivery log changes, if it has one.
async fn open_stream(client: &Client) -> Option<EventStream> {
    let response = client
        .request(reqwest::Method::GET, "/events")
        .query(&[("kinds", "webhook_deliveries,webhook_requests")])
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    Some(Box::pin(response.bytes_stream()))
}
