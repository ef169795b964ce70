//! `loadtest hashtags`: issue #13's target, "a `recent_media` page over 1,000,000 media under
//! 10 ms p99", measured against the real `localgram` binary in its own process.
//!
//! Each store size gets its own server: an account with a Facebook Login token searches
//! `#bench` (so its quota holds the hashtag), posts one media with `#bench` through the control
//! API, and the exported snapshot is grown to `size` media, all tagged `#bench` and all within
//! the last 24 hours, then imported (`PUT /_localgram/snapshot`). Measured, in interleaved
//! rounds: the account's node read (the reference of the same run), the first page of
//! `recent_media` and a deep page (the last full page, its cursor spelled as localgram
//! spells it), 50 media each.

use bytes::Bytes;
use clap::Args;
use hyper::Method;
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::issue10::{
    call, check_database, load_average, measure_requests, median, post_json, print_requests_header,
    r3, runtime, start_localgram, text, verdict, Server, SizedResults, REQUEST_TIMEOUT,
};
use crate::startup::resolve_bin;

/// Issue #13: p99 of a `recent_media` page at 1,000,000 media.
const TARGET_P99_MS: f64 = 10.0;
/// Recent media are those of the last 24 hours: the grown media spread over 20 hours of it.
const SPREAD_SECONDS: i64 = 20 * 3600;
const PAGE: usize = 50;

#[derive(Args, Debug)]
pub struct HashtagArgs {
    /// The localgram binary (default: target/release/localgram).
    #[arg(long)]
    pub bin: Option<PathBuf>,
    /// Use this PostgreSQL (127.0.0.1 only; wiped) instead of SQLite.
    #[arg(long)]
    pub database: Option<String>,
    /// Store sizes (media tagged #bench); the last is the one the target is about.
    #[arg(long, value_delimiter = ',', default_values_t = [1_000usize, 1_000_000])]
    pub sizes: Vec<usize>,
    #[arg(short, long, default_value_t = 8)]
    pub connections: usize,
    #[arg(short, long, default_value_t = 3.0)]
    pub duration: f64,
    #[arg(short, long, default_value_t = 1.0)]
    pub warmup: f64,
    #[arg(short, long, default_value_t = 3)]
    pub rounds: usize,
}

struct Grown {
    size: usize,
    server: Server,
    requests: Vec<(&'static str, String)>,
    build_s: f64,
}

fn compact(row: &Value) -> Result<Map<String, Value>, String> {
    Ok(row
        .as_object()
        .ok_or("snapshot row")?
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect())
}

/// The media's key as localgram writes it (`store::order::newest_first`, sequence 0).
fn sort_key(created_at: i64, id: &str) -> String {
    format!("{:019}:{:019}:{id}", i64::MAX - created_at, i64::MAX)
}

fn media_id(i: usize) -> String {
    format!("9{:016}", i + 1)
}

/// Newest at `now`, the oldest `SPREAD_SECONDS` earlier.
fn created_at(now: i64, i: usize, n: usize) -> i64 {
    now - (i as i64 * SPREAD_SECONDS) / n.max(1) as i64
}

/// The snapshot with `n` more media tagged with the template's hashtag (rows of `media`,
/// `objects` and `hashtag_media`).
fn grown_snapshot(snapshot: &Value, media: &str, n: usize, now: i64) -> Result<Vec<u8>, String> {
    let tables = snapshot["tables"].as_object().ok_or("snapshot tables")?;
    let find = |table: &str, key: &str| -> Result<Map<String, Value>, String> {
        let row = tables
            .get(table)
            .and_then(Value::as_array)
            .and_then(|rows| rows.iter().find(|r| r[key] == media))
            .ok_or_else(|| format!("the snapshot has no {table} row for {media}"))?;
        compact(row)
    };
    let media_row = find("media", "id")?;
    let object_row = find("objects", "id")?;
    let tag_row = find("hashtag_media", "media_id")?;
    let mut out: Vec<u8> = Vec::with_capacity(n * 700 + (1 << 20));
    out.extend_from_slice(b"{\"format\":");
    serde_json::to_writer(&mut out, &snapshot["format"]).map_err(|e| e.to_string())?;
    out.extend_from_slice(b",\"schema\":");
    serde_json::to_writer(&mut out, &snapshot["schema"]).map_err(|e| e.to_string())?;
    out.extend_from_slice(b",\"tables\":{");
    for (t, (name, rows)) in tables.iter().enumerate() {
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
        for row in rows.as_array().ok_or("snapshot rows")? {
            put(&mut out, row.as_object().ok_or("snapshot row")?)?;
        }
        for i in 0..n {
            let id = media_id(i);
            let at = created_at(now, i, n);
            match name.as_str() {
                "media" => {
                    let code = format!("H{:010}", i + 1);
                    let mut row = media_row.clone();
                    row.insert("id".into(), json!(id));
                    row.insert("shortcode".into(), json!(code));
                    row.insert(
                        "permalink".into(),
                        json!(format!("https://www.instagram.com/p/{code}/")),
                    );
                    row.insert("caption".into(), json!(format!("#bench number {i}")));
                    row.insert("created_at".into(), json!(at));
                    row.insert("sort_key".into(), json!(sort_key(at, &id)));
                    put(&mut out, &row)?;
                }
                "objects" => {
                    let mut row = object_row.clone();
                    row.insert("id".into(), json!(id));
                    put(&mut out, &row)?;
                }
                "hashtag_media" => {
                    let mut row = tag_row.clone();
                    row.insert("media_id".into(), json!(id));
                    row.insert("created_at".into(), json!(at));
                    row.insert("sort_key".into(), json!(sort_key(at, &id)));
                    put(&mut out, &row)?;
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
    bin: &std::path::Path,
    database: Option<&str>,
    size: usize,
    rt: &tokio::runtime::Runtime,
) -> Result<Grown, String> {
    let started = Instant::now();
    let server = start_localgram(bin, &format!("hashtags-{size}"), database, &[])?;
    let addr = server.addr;
    let requests = rt.block_on(async {
        let app = post_json(
            addr,
            "/_localgram/apps",
            json!({"name": "bench", "redirect_uris": [], "access_level": "advanced"}),
        )
        .await?;
        let app = text(&app, "id")?;
        let account = post_json(
            addr,
            "/_localgram/accounts",
            json!({"username": "bench", "facebook_page": true}),
        )
        .await?;
        let account = text(&account, "id")?;
        let token = post_json(
            addr,
            "/_localgram/tokens",
            json!({"app_id": app, "account_id": account, "login": "facebook", "long_lived": true}),
        )
        .await?;
        let token = text(&token, "access_token")?;
        let searched = call(
            addr,
            Method::GET,
            &format!("/v24.0/ig_hashtag_search?user_id={account}&q=bench&access_token={token}"),
            None,
            REQUEST_TIMEOUT,
        )
        .await?;
        let hashtag = searched["data"][0]["id"]
            .as_str()
            .ok_or("ig_hashtag_search answered no id")?
            .to_string();
        let media = post_json(
            addr,
            &format!("/_localgram/accounts/{account}/media"),
            json!({"caption": "#bench template"}),
        )
        .await?;
        let media = text(&media, "id")?;
        let clock = call(addr, Method::GET, "/_localgram/clock", None, REQUEST_TIMEOUT).await?;
        let now = clock["now"]
            .as_str()
            .and_then(graph::timefmt::parse_rfc3339)
            .ok_or_else(|| format!("GET /_localgram/clock answered {clock}"))?;
        let snapshot = call(
            addr,
            Method::GET,
            "/_localgram/snapshot",
            None,
            Duration::from_secs(60),
        )
        .await?;
        let extra = size.saturating_sub(1);
        let body = grown_snapshot(&snapshot, &media, extra, now)?;
        eprintln!(
            "loadtest: hashtags: {size}: importing a {:.1} MB snapshot ...",
            body.len() as f64 / 1_048_576.0
        );
        call(
            addr,
            Method::PUT,
            "/_localgram/snapshot",
            Some(Bytes::from(body)),
            Duration::from_secs(3600),
        )
        .await?;
        let edge = format!(
            "/v24.0/{hashtag}/recent_media?user_id={account}&fields=id,media_type,like_count,comments_count,timestamp&limit={PAGE}&access_token={token}"
        );
        // The last full page: after the item `PAGE + 1` from the end (the template media is
        // the newest, then the grown ones in order).
        let deep_index = extra.saturating_sub(PAGE + 1);
        let deep_id = media_id(deep_index);
        let cursor = graph::paging::encode_cursor(&sort_key(
            created_at(now, deep_index, extra),
            &deep_id,
        ));
        let requests = vec![
            (
                "node",
                format!("/v24.0/{account}?fields=id,username&access_token={token}"),
            ),
            ("recent first", edge.clone()),
            ("recent deep", format!("{edge}&after={cursor}")),
        ];
        for (name, path) in &requests[1..] {
            let value = call(addr, Method::GET, path, None, REQUEST_TIMEOUT).await?;
            let n = value["data"].as_array().map_or(0, |d| d.len());
            if n != PAGE.min(size) {
                return Err(format!("{name}: {n} media, expected {}", PAGE.min(size)));
            }
        }
        Ok::<_, String>(requests)
    })?;
    Ok(Grown {
        size,
        server,
        requests,
        build_s: started.elapsed().as_secs_f64(),
    })
}

pub fn run(args: HashtagArgs) -> Result<bool, String> {
    check_database(&args.database)?;
    if args.sizes.is_empty() || args.sizes.iter().any(|&n| n <= PAGE + 2 || n > 5_000_000) {
        return Err(format!("--sizes are {}..=5000000", PAGE + 3));
    }
    if args.connections == 0 || args.rounds == 0 {
        return Err("--connections and --rounds must be at least 1".into());
    }
    if !(args.duration > 0.0 && args.duration <= 600.0 && (0.0..=60.0).contains(&args.warmup)) {
        return Err("--duration must be in (0, 600] and --warmup in [0, 60]".into());
    }
    let bin = resolve_bin(args.bin.clone())?;
    let rt = runtime(1)?;
    let mut all = Vec::new();
    for &size in &args.sizes {
        all.push(grow(&bin, args.database.as_deref(), size, &rt)?);
    }
    print_requests_header();
    let mut results = SizedResults::new();
    for round in 1..=args.rounds {
        for grown in &all {
            measure_requests(
                &rt,
                (grown.server.addr, grown.size),
                &grown.requests,
                round,
                (args.connections, args.warmup, args.duration),
                &mut results,
            )?;
        }
    }
    let engine = if args.database.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    println!(
        "hashtags ({engine}): {} connections, {:.0} s measured after {:.0} s warm-up, {} rounds, \
         pages of {PAGE}; load average {}",
        args.connections,
        args.duration,
        args.warmup,
        args.rounds,
        load_average()
    );
    for grown in &all {
        println!("  size {}: built in {:.1} s", grown.size, grown.build_s);
    }
    let large = *args.sizes.last().expect("a size");
    let get = |size: usize, name: &str| {
        results
            .iter()
            .find(|(s, n, _)| *s == size && *n == name)
            .map(|(_, _, v)| v.clone())
            .unwrap_or_default()
    };
    let mut out = json!({"kind": "hashtags", "engine": engine, "large": large});
    let node_p99 = median(get(large, "node").iter().map(|x| x.2).collect());
    let mut met = true;
    for name in ["recent first", "recent deep"] {
        let rows = get(large, name);
        let p99 = median(rows.iter().map(|x| x.2).collect());
        let p50 = median(rows.iter().map(|x| x.1).collect());
        let small_p99 = median(get(args.sizes[0], name).iter().map(|x| x.2).collect());
        met &= p99 < TARGET_P99_MS;
        println!(
            "{name} at {large}: p50 {p50:.3} ms, p99 {p99:.3} ms (median of rounds; target < {TARGET_P99_MS} ms: {}); \
             {:.2}x the node read's p99, {:.2}x the same page's p99 at {}",
            verdict(p99 < TARGET_P99_MS),
            p99 / node_p99,
            p99 / small_p99,
            args.sizes[0]
        );
        out[name] = json!({"p50_ms": r3(p50), "p99_ms": r3(p99), "vs_node": r3(p99 / node_p99), "vs_small": r3(p99 / small_p99)});
    }
    out["node_p99_ms"] = json!(r3(node_p99));
    println!("{out}");
    Ok(met)
}
