//! Issue #12: insights at scale. One account with `--followers` followers and `--media` media
//! spread over 90 days (built through `PUT /_localgram/snapshot`), measured against the
//! account's node read in the same run:
//!
//! * account insights over 30 days, `metric_type=total_value` with the `media_product_type`
//!   breakdown (seven metrics);
//! * account insights over 30 days as daily time series (`reach`, `follower_count`);
//! * media insights (nine metrics) of one media;
//! * the node read with and without `followers_count` (the one IG User field the audience
//!   model moves), to show what the model costs requests that do not ask for insights.
//!
//! The server is a child process on 127.0.0.1, killed on every exit path.

use clap::Args;
use hyper::Method;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

use crate::issue10::{
    account_and_token, call, closed_loop, fixed, median, post_json, r3, runtime, start_localgram,
    text, verdict, Req, REQUEST_TIMEOUT,
};
use crate::servers;
use crate::startup::resolve_bin;

const ACCOUNT_TARGET_P99_MS: f64 = 20.0;
const MEDIA_TARGET_P99_MS: f64 = 2.0;
const DAY: i64 = 86_400;

#[derive(Args, Debug)]
pub struct InsightsArgs {
    /// The localgram binary (default: target/release/localgram).
    #[arg(long)]
    pub bin: Option<PathBuf>,
    /// Media on the account, spread over the last 90 days.
    #[arg(long, default_value_t = 10_000)]
    pub media: usize,
    /// Followers of the account (its audience profile).
    #[arg(long, default_value_t = 100_000)]
    pub followers: i64,
    /// Connections per measured request.
    #[arg(short, long, default_value_t = 4)]
    pub connections: usize,
    #[arg(short, long, default_value_t = 3.0)]
    pub duration: f64,
    #[arg(short, long, default_value_t = 1.0)]
    pub warmup: f64,
    #[arg(short, long, default_value_t = 3)]
    pub rounds: usize,
}

/// The exported snapshot with `n - 1` more media cloned from `template`, created every
/// `90 days / n` before `now`: four in five feed posts, reels, and stories.
fn grown(snapshot: &Value, template: &str, n: usize, now: i64) -> Result<Vec<u8>, String> {
    let mut snapshot = snapshot.clone();
    let media = snapshot["tables"]["media"]
        .as_array_mut()
        .ok_or("the snapshot has no media table")?;
    let row = media
        .iter()
        .find(|r| r["id"] == template)
        .cloned()
        .ok_or("the snapshot lacks the template media")?;
    let step = 90 * DAY / n.max(1) as i64;
    for i in 1..n {
        let id = format!("9{:016}", i);
        let at = now - i as i64 * step;
        let code = format!("I{:010}", i);
        let (media_type, product) = match i % 20 {
            0..=15 => ("IMAGE", "FEED"),
            16..=18 => ("VIDEO", "REELS"),
            _ => ("IMAGE", "STORY"),
        };
        let mut r = row.clone();
        r["id"] = json!(id);
        r["shortcode"] = json!(code);
        r["permalink"] = json!(format!("https://www.instagram.com/p/{code}/"));
        r["media_type"] = json!(media_type);
        r["media_product_type"] = json!(product);
        r["like_count"] = json!(50 + (i * 37) % 400);
        r["created_at"] = json!(at);
        r["sort_key"] = json!(format!("{:019}:{:019}:{id}", i64::MAX - at, i64::MAX));
        media.push(r);
    }
    serde_json::to_vec(&snapshot).map_err(|e| e.to_string())
}

pub fn run(args: InsightsArgs) -> Result<bool, String> {
    if args.media == 0 || args.media > 1_000_000 || args.followers < 0 {
        return Err("--media must be in 1..=1000000 and --followers at least 0".into());
    }
    if args.connections == 0 || args.rounds == 0 {
        return Err("--connections and --rounds must be at least 1".into());
    }
    if !(args.duration > 0.0 && args.duration <= 600.0 && (0.0..=60.0).contains(&args.warmup)) {
        return Err("--duration must be in (0, 600] and --warmup in [0, 60]".into());
    }
    let bin = resolve_bin(args.bin.clone())?;
    let rt = runtime(1)?;
    let server = start_localgram(&bin, "insights", None, &[])?;
    let addr = server.addr;
    let requests: Vec<(&str, String)> = rt.block_on(async {
        let target = servers::fixture_at(addr).await?;
        let (account, token) = account_and_token(&target)?;
        post_json(
            addr,
            &format!("/_localgram/accounts/{account}/audience"),
            json!({"followers": args.followers, "daily_growth": 0.002}),
        )
        .await?;
        let clock = call(addr, Method::GET, "/_localgram/clock", None, REQUEST_TIMEOUT).await?;
        let now = clock["now_unix"].as_i64().ok_or("the clock has no now_unix")?;
        let media = post_json(
            addr,
            &format!("/_localgram/accounts/{account}/media"),
            json!({"caption": "the measured media", "timestamp": "1970-01-01T00:00:00Z"}),
        )
        .await?;
        let media = text(&media, "id")?;
        // The measured media was posted yesterday (the clone timestamps start below it).
        let snapshot = call(
            addr,
            Method::GET,
            "/_localgram/snapshot",
            None,
            Duration::from_secs(60),
        )
        .await?;
        let mut snapshot = snapshot;
        if let Some(rows) = snapshot["tables"]["media"].as_array_mut() {
            for r in rows.iter_mut().filter(|r| r["id"] == media.as_str()) {
                r["created_at"] = json!(now - DAY);
                r["sort_key"] = json!(format!(
                    "{:019}:{:019}:{}",
                    i64::MAX - (now - DAY),
                    i64::MAX,
                    media
                ));
            }
        }
        let body = grown(&snapshot, &media, args.media, now)?;
        eprintln!(
            "loadtest: insights: importing {} media ({:.1} MB) ...",
            args.media,
            body.len() as f64 / 1_048_576.0
        );
        call(
            addr,
            Method::PUT,
            "/_localgram/snapshot",
            Some(bytes::Bytes::from(body)),
            Duration::from_secs(600),
        )
        .await?;
        let since = now - 30 * DAY;
        let requests = vec![
            (
                "node read",
                format!("/v24.0/{account}?fields=id,username&access_token={token}"),
            ),
            (
                "node read + followers_count",
                format!("/v24.0/{account}?fields=id,username,followers_count&access_token={token}"),
            ),
            (
                "media insights",
                format!("/v24.0/{media}/insights?metric=reach,views,likes,comments,saved,shares,total_interactions,follows,profile_visits&access_token={token}"),
            ),
            (
                "account 30 d total",
                format!("/v24.0/{account}/insights?metric=reach,views,likes,comments,saves,shares,total_interactions&period=day&metric_type=total_value&breakdown=media_product_type&since={since}&until={now}&access_token={token}"),
            ),
            (
                "account 30 d series",
                format!("/v24.0/{account}/insights?metric=reach,follower_count&period=day&since={since}&until={now}&access_token={token}"),
            ),
        ];
        for (name, path) in &requests {
            let value = call(addr, Method::GET, path, None, REQUEST_TIMEOUT).await?;
            if name.starts_with("account") || name.starts_with("media") {
                let n = value["data"].as_array().map_or(0, |d| d.len());
                if n == 0 {
                    return Err(format!("{name}: no data: {value}"));
                }
            }
        }
        Ok::<_, String>(requests)
    })?;
    println!(
        "{:<6} {:<28} {:>10} {:>9} {:>9}",
        "round", "request", "req/s", "p50 ms", "p99 ms"
    );
    let mut p99s: Vec<Vec<f64>> = vec![Vec::new(); requests.len()];
    let mut p50s: Vec<Vec<f64>> = vec![Vec::new(); requests.len()];
    for round in 1..=args.rounds {
        for (i, (name, path)) in requests.iter().enumerate() {
            let s = rt.block_on(closed_loop(
                addr,
                args.connections,
                args.warmup,
                args.duration,
                fixed(Req::get(path.clone())),
                true,
            ));
            if let Some(e) = &s.first_error {
                return Err(format!("{name}: {e}"));
            }
            println!(
                "{:<6} {:<28} {:>10.0} {:>9.3} {:>9.3}",
                round,
                name,
                s.rps(),
                s.q_ms(0.5),
                s.q_ms(0.99)
            );
            p99s[i].push(s.q_ms(0.99));
            p50s[i].push(s.q_ms(0.5));
        }
    }
    let p99: Vec<f64> = p99s.into_iter().map(median).collect();
    let p50: Vec<f64> = p50s.into_iter().map(median).collect();
    println!(
        "insights (sqlite): {} media over 90 days, {} followers, {} connections, {:.0} s after {:.0} s warm-up, {} rounds (medians):",
        args.media, args.followers, args.connections, args.duration, args.warmup, args.rounds
    );
    for (i, (name, _)) in requests.iter().enumerate() {
        println!(
            "  {name:<28} p50 {:>8.3} ms  p99 {:>8.3} ms  ({:.2}x the node read's p99)",
            p50[i],
            p99[i],
            p99[i] / p99[0]
        );
    }
    let media_ok = p99[2] < MEDIA_TARGET_P99_MS;
    let account_ok = p99[3] < ACCOUNT_TARGET_P99_MS;
    println!(
        "  media insights p99 < {MEDIA_TARGET_P99_MS} ms: {}; account 30 d total p99 < {ACCOUNT_TARGET_P99_MS} ms: {}",
        verdict(media_ok),
        verdict(account_ok)
    );
    let summary = json!({
        "kind": "insights",
        "media": args.media,
        "followers": args.followers,
        "p50_ms": requests.iter().zip(&p50).map(|((n, _), v)| (n.to_string(), json!(r3(*v)))).collect::<serde_json::Map<_, _>>(),
        "p99_ms": requests.iter().zip(&p99).map(|((n, _), v)| (n.to_string(), json!(r3(*v)))).collect::<serde_json::Map<_, _>>(),
    });
    println!("{summary}");
    drop(server);
    Ok(media_ok && account_ok)
}
