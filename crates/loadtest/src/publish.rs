//! `loadtest publish`: content publishing, end to end.
//!
//! * Throughput: N workers, each on its own keep-alive connection, loop: create a container
//!   from a small JPEG served on 127.0.0.1 (localgram fetches it, checks it and stores it), read
//!   the container until it is FINISHED, publish it. Posts per second over the measured window.
//!   Reference, same run: the same four HTTP exchanges per post (create, status, publish, and
//!   the image GET) against a minimal axum server answering fixed JSON, so the ratio is what
//!   localgram adds over bare HTTP on this machine.
//! * Upload memory: spawns the real localgram binary, generates a large reel MP4 on disk,
//!   uploads it through rupload in one streamed request, samples the server's VmRSS during the
//!   upload and reads its VmHWM; the reference is the same server's resident memory just
//!   before the upload.
//!
//! All traffic goes to 127.0.0.1; every loop is bounded in time and in count.

use axum::http::header;
use axum::Router;
use bytes::Bytes;
use clap::Args;
use hyper::{Method, StatusCode};
use serde_json::{json, Value};
use std::io::{BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

use crate::client;
use crate::startup::{free_port, probe, resolve_bin, spawn, status_kb, ChildGuard};

/// The issue asks for a benchmark, not a target; these bounds say when the numbers are sane.
const MIN_POSTS_PER_SECOND: f64 = 50.0;
/// A streamed upload must not hold the file: peak resident memory may grow by at most this.
const MAX_UPLOAD_GROWTH_MB: f64 = 64.0;

#[derive(Args, Debug, Clone)]
pub struct PublishArgs {
    /// Concurrent workers (one keep-alive connection each).
    #[arg(short, long, default_value_t = 8)]
    pub connections: usize,
    /// Measured seconds per server.
    #[arg(short, long, default_value_t = 10.0)]
    pub duration: f64,
    /// Warm-up seconds per server before measuring (not counted).
    #[arg(short, long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Size of the generated reel uploaded through rupload, in MB (10^6 bytes); 0 skips it.
    #[arg(long, default_value_t = 300)]
    pub video_mb: u64,
    /// The localgram binary for the upload (default: target/release/localgram).
    #[arg(long)]
    pub bin: Option<PathBuf>,
}

fn runtime(name: &str) -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name(name)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot build the {name} runtime: {e}"))
}

pub fn run(args: PublishArgs) -> Result<bool, String> {
    if args.connections == 0 || args.connections > 256 {
        return Err("--connections must be between 1 and 256".into());
    }
    if !(args.duration > 0.0 && args.duration <= 600.0) {
        return Err("--duration must be more than 0 and at most 600 seconds".into());
    }
    if !(args.warmup >= 0.0 && args.warmup <= 60.0) {
        return Err("--warmup must be between 0 and 60 seconds".into());
    }
    if args.video_mb > 2_000 {
        return Err("--video-mb is at most 2000".into());
    }
    let throughput = throughput(&args)?;
    let upload = if args.video_mb > 0 {
        Some(upload(&args)?)
    } else {
        None
    };
    let ratio = throughput.localgram / throughput.reference;
    println!(
        "publish: {} workers, {:.1} s measured after {:.1} s warm-up; each post = create from a \
         {}-byte JPEG on 127.0.0.1 + status read + publish",
        args.connections, args.duration, args.warmup, throughput.image_bytes
    );
    println!(
        "  localgram: {:.0} posts/s ({} posts, {} errors); reference (same 4 exchanges on a \
         minimal axum server): {:.0} posts/s; ratio {:.3}",
        throughput.localgram, throughput.posts, throughput.errors, throughput.reference, ratio
    );
    let mut ok = throughput.errors == 0 && throughput.localgram >= MIN_POSTS_PER_SECOND;
    let mut upload_json = Value::Null;
    if let Some(u) = &upload {
        let growth_mb = (u.peak_kb as f64 - u.before_kb as f64) / 1024.0;
        println!(
            "  upload: {:.1} MB reel through rupload in {:.2} s ({:.0} MB/s), container {}; server \
             VmRSS before {:.1} MB, highest sampled {:.1} MB, VmHWM {:.1} MB (growth {:.1} MB; \
             bound {MAX_UPLOAD_GROWTH_MB} MB -> {})",
            u.bytes as f64 / 1e6,
            u.seconds,
            u.bytes as f64 / 1e6 / u.seconds,
            u.status_code,
            u.before_kb as f64 / 1024.0,
            u.sampled_kb as f64 / 1024.0,
            u.peak_kb as f64 / 1024.0,
            growth_mb,
            if growth_mb <= MAX_UPLOAD_GROWTH_MB {
                "met"
            } else {
                "MISSED"
            }
        );
        ok &= growth_mb <= MAX_UPLOAD_GROWTH_MB && u.status_code == "FINISHED";
        upload_json = json!({
            "bytes": u.bytes,
            "seconds": (u.seconds * 1000.0).round() / 1000.0,
            "status_code": u.status_code,
            "vm_rss_before_kb": u.before_kb,
            "vm_rss_max_sampled_kb": u.sampled_kb,
            "vm_hwm_kb": u.peak_kb,
            "growth_mb": (growth_mb * 10.0).round() / 10.0,
        });
    }
    println!(
        "{}",
        json!({
            "kind": "publish",
            "workers": args.connections,
            "seconds": args.duration,
            "posts": throughput.posts,
            "errors": throughput.errors,
            "posts_per_second": (throughput.localgram * 10.0).round() / 10.0,
            "reference_posts_per_second": (throughput.reference * 10.0).round() / 10.0,
            "ratio": (ratio * 1000.0).round() / 1000.0,
            "upload": upload_json,
        })
    );
    if let Some(first) = throughput.first_error {
        eprintln!("loadtest: first publishing error: {first}");
    }
    Ok(ok)
}

// ----- throughput -----------------------------------------------------------------------------

struct Throughput {
    localgram: f64,
    reference: f64,
    posts: u64,
    errors: u64,
    first_error: Option<String>,
    image_bytes: usize,
}

/// Accounts each worker posts for, in turn (each within its daily limits).
const ACCOUNTS_PER_WORKER: usize = 4;
/// The limits the bench accounts get: a busy scheduler's account, well above a run's posts.
const BENCH_LIMIT: u32 = 2_000;

/// Who posts: the paths of one account's calls, its token included.
struct Poster {
    create: String,
    publish: String,
    token: String,
}

/// The four steps of one post against a server: where each request goes and what it carries.
struct Steps {
    addr: SocketAddr,
    image_addr: SocketAddr,
    image_url: String,
    posters: Vec<Poster>,
    /// The reference fetches the image itself (localgram does it on create).
    client_fetches_image: bool,
}

fn throughput(args: &PublishArgs) -> Result<Throughput, String> {
    let servers = runtime("server")?;
    let clients = runtime("client")?;
    let jpeg = localgram::publishing::synth::jpeg(640, 640);
    let image_bytes = jpeg.len();
    let (image_addr, reference_addr) = servers.block_on(async {
        let image = serve(Router::new().fallback(move || {
            let jpeg = jpeg.clone();
            async move { ([(header::CONTENT_TYPE, "image/jpeg")], jpeg) }
        }))
        .await?;
        let reference = serve(Router::new().fallback(|| async {
            (
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"status_code":"FINISHED","id":"17889615691921648"}"#,
            )
        }))
        .await?;
        Ok::<_, String>((image, reference))
    })?;
    let settings = localgram::publishing::Settings {
        publish_limit: BENCH_LIMIT,
        container_limit: BENCH_LIMIT,
        ..Default::default()
    };
    let server = servers.block_on(localgram::start(localgram::Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        seed: Some(1),
        publishing: settings,
        ..Default::default()
    }));
    let server = server.map_err(|e| format!("localgram: cannot start: {e}"))?;
    let addr = server.addr;
    let image_url = format!("http://{image_addr}/post.jpg");
    let result = (|| {
        let accounts = clients.block_on(fixture(addr, args.connections * ACCOUNTS_PER_WORKER))?;
        let localgram = Arc::new(Steps {
            addr,
            image_addr,
            image_url: image_url.clone(),
            posters: accounts
                .into_iter()
                .map(|(account, token)| Poster {
                    create: format!("/v24.0/{account}/media?access_token={token}"),
                    publish: format!("/v24.0/{account}/media_publish?access_token={token}"),
                    token: format!("&access_token={token}"),
                })
                .collect(),
            client_fetches_image: false,
        });
        let reference = Arc::new(Steps {
            addr: reference_addr,
            image_addr,
            image_url,
            posters: vec![Poster {
                create: "/v24.0/17841400000000001/media".into(),
                publish: "/v24.0/17841400000000001/media_publish".into(),
                token: String::new(),
            }],
            client_fetches_image: true,
        });
        eprintln!("loadtest: publish: reference ...");
        let reference_run = clients.block_on(drive(reference, args))?;
        eprintln!("loadtest: publish: localgram ...");
        let localgram_run = clients.block_on(drive(localgram, args))?;
        Ok::<_, String>((localgram_run, reference_run))
    })();
    servers.block_on(async {
        let _ = server.stop().await;
    });
    clients.shutdown_timeout(Duration::from_secs(2));
    servers.shutdown_timeout(Duration::from_secs(2));
    let (localgram_run, reference_run) = result?;
    Ok(Throughput {
        localgram: localgram_run.posts as f64 / args.duration,
        reference: reference_run.posts as f64 / args.duration,
        posts: localgram_run.posts,
        errors: localgram_run.errors + reference_run.errors,
        first_error: localgram_run.first_error.or(reference_run.first_error),
        image_bytes,
    })
}

async fn serve(app: Router) -> Result<SocketAddr, String> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:0: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("no local address: {e}"))?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(addr)
}

async fn post(addr: SocketAddr, path: &str, body: Value) -> Result<Value, String> {
    let (status, value) = client::call_json(addr, Method::POST, path, Some(&body)).await?;
    if status != StatusCode::OK {
        return Err(format!("POST {path} answered {status}: {value}"));
    }
    Ok(value)
}

fn text(value: &Value, name: &str) -> Result<String, String> {
    value
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("no {name:?} in {value}"))
}

/// An app and `n` accounts with Instagram Login tokens, through the control API.
async fn fixture(addr: SocketAddr, n: usize) -> Result<Vec<(String, String)>, String> {
    let app = post(
        addr,
        "/_localgram/apps",
        json!({"name": "publish bench", "redirect_uris": [], "access_level": "advanced"}),
    )
    .await?;
    let app_id = text(&app, "id")?;
    let mut accounts = Vec::with_capacity(n);
    for i in 0..n {
        let account = post(
            addr,
            "/_localgram/accounts",
            json!({"username": format!("publisher{i}")}),
        )
        .await?;
        let account_id = text(&account, "id")?;
        let token = post(
            addr,
            "/_localgram/tokens",
            json!({"app_id": app_id, "account_id": account_id, "login": "instagram", "long_lived": true}),
        )
        .await?;
        accounts.push((account_id, text(&token, "access_token")?));
    }
    Ok(accounts)
}

#[derive(Default)]
struct Run {
    posts: u64,
    errors: u64,
    first_error: Option<String>,
}

async fn drive(steps: Arc<Steps>, args: &PublishArgs) -> Result<Run, String> {
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup);
    let until = measure_from + Duration::from_secs_f64(args.duration);
    let posts = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for worker in 0..args.connections {
        let steps = steps.clone();
        let posts = posts.clone();
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut run = Run::default();
            let mut sender = client::connect(steps.addr).await?;
            let mut image = if steps.client_fetches_image {
                Some(client::connect(steps.image_addr).await?)
            } else {
                None
            };
            let mut turn = 0;
            while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                // Each worker posts for its own accounts, in turn.
                let poster = &steps.posters[(worker * ACCOUNTS_PER_WORKER
                    + turn % ACCOUNTS_PER_WORKER)
                    % steps.posters.len()];
                turn += 1;
                match one_post(&steps, poster, &mut sender, image.as_mut()).await {
                    Ok(()) if Instant::now() >= measure_from && Instant::now() < until => {
                        posts.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(()) => {}
                    Err(e) => {
                        run.errors += 1;
                        run.first_error.get_or_insert(e);
                        if run.errors > 100 {
                            stop.store(true, Ordering::Relaxed);
                        }
                        sender = client::connect(steps.addr).await?;
                    }
                }
            }
            Ok::<Run, String>(run)
        }));
    }
    let mut total = Run::default();
    for task in tasks {
        let run = task.await.map_err(|e| format!("worker failed: {e}"))??;
        total.errors += run.errors;
        if total.first_error.is_none() {
            total.first_error = run.first_error;
        }
    }
    total.posts = posts.load(Ordering::Relaxed);
    Ok(total)
}

async fn exchange(
    sender: &mut client::Sender,
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Result<Bytes, String> {
    let request = client::request(addr, method.clone(), path, body)?;
    let (status, bytes) = client::send(sender, request).await?;
    if status != StatusCode::OK {
        return Err(format!(
            "{method} {path} answered {status}: {}",
            String::from_utf8_lossy(&bytes)
        ));
    }
    Ok(bytes)
}

fn id_of(bytes: &Bytes) -> Result<String, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    text(&value, "id")
}

async fn one_post(
    steps: &Steps,
    poster: &Poster,
    sender: &mut client::Sender,
    image: Option<&mut client::Sender>,
) -> Result<(), String> {
    if let Some(image) = image {
        exchange(image, steps.image_addr, Method::GET, "/post.jpg", None).await?;
    }
    let body = json!({"image_url": steps.image_url});
    let created = exchange(
        sender,
        steps.addr,
        Method::POST,
        &poster.create,
        Some(&body),
    )
    .await?;
    let container = id_of(&created)?;
    // Poll as clients do; images are ready at once, so one read normally suffices.
    for attempt in 0.. {
        let path = format!("/v24.0/{container}?fields=status_code{}", poster.token);
        let status = exchange(sender, steps.addr, Method::GET, &path, None).await?;
        let value: Value = serde_json::from_slice(&status).map_err(|e| e.to_string())?;
        match value["status_code"].as_str() {
            Some("FINISHED") => break,
            Some("IN_PROGRESS") if attempt < 100 => tokio::task::yield_now().await,
            other => return Err(format!("container {container} is {other:?}")),
        }
    }
    let body = json!({"creation_id": container});
    let published = exchange(
        sender,
        steps.addr,
        Method::POST,
        &poster.publish,
        Some(&body),
    )
    .await?;
    id_of(&published).map(|_| ())
}

// ----- upload memory ----------------------------------------------------------------------------

struct Upload {
    bytes: u64,
    seconds: f64,
    status_code: String,
    before_kb: u64,
    sampled_kb: u64,
    peak_kb: u64,
}

/// One blocking HTTP/1.1 exchange on a fresh connection; answers the status and the body.
fn http(addr: SocketAddr, head: &str, body: &mut dyn Read) -> Result<(u16, Vec<u8>), String> {
    let mut stream =
        TcpStream::connect(addr).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(600)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(head.as_bytes())
        .map_err(|e| format!("cannot send to {addr}: {e}"))?;
    std::io::copy(body, &mut stream).map_err(|e| format!("cannot send to {addr}: {e}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| format!("no answer from {addr}: {e}"))?;
    let text = String::from_utf8_lossy(&response);
    let status = text
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {text}"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.as_bytes().to_vec())
        .unwrap_or_default();
    Ok((status, body))
}

fn json_call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    host: &str,
    body: Value,
) -> Result<Value, String> {
    let payload = body.to_string();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    );
    let (status, bytes) = http(addr, &head, &mut payload.as_bytes())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{method} {path}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    })?;
    if status != 200 {
        return Err(format!("{method} {path} answered {status}: {value}"));
    }
    Ok(value)
}

fn upload(args: &PublishArgs) -> Result<Upload, String> {
    use localgram::publishing::synth::{self, VideoSpec};
    let bin = resolve_bin(args.bin.clone())?;
    // A reel within spec: 120 s at 30 FPS, frames sized to reach the requested size
    // (300 MB -> 20 Mbps, under the 25 Mbps limit).
    let bytes = args.video_mb * 1_000_000;
    let spec = VideoSpec {
        duration_ms: 120_000,
        frame_bytes: (bytes / 3_600).max(1) as usize,
        ..VideoSpec::default()
    };
    let dir = tempfile::tempdir().map_err(|e| format!("no temporary directory: {e}"))?;
    let path = dir.path().join("reel.mp4");
    {
        let scratch = tempfile::tempfile_in(dir.path()).map_err(|e| e.to_string())?;
        let out = std::fs::File::create(&path).map_err(|e| e.to_string())?;
        let mut out = std::io::BufWriter::new(out);
        synth::write_mp4(&spec, scratch, &mut out)
            .map_err(|e| format!("cannot write the reel: {e}"))?;
    }
    let size = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();

    let (child, addr) = start(&bin)?;
    let pid = child.0.id();
    let app = json_call(
        addr,
        "POST",
        "/_localgram/apps",
        "127.0.0.1",
        json!({"name": "upload bench", "redirect_uris": [], "access_level": "advanced"}),
    )?;
    let account = json_call(
        addr,
        "POST",
        "/_localgram/accounts",
        "127.0.0.1",
        json!({"username": "uploader", "facebook_page": true}),
    )?;
    let account_id = text(&account, "id")?;
    let token = json_call(
        addr,
        "POST",
        "/_localgram/tokens",
        "127.0.0.1",
        json!({"app_id": text(&app, "id")?, "account_id": account_id, "login": "facebook", "long_lived": true}),
    )?;
    let token = text(&token, "access_token")?;
    let session = json_call(
        addr,
        "POST",
        &format!("/v24.0/{account_id}/media?access_token={token}"),
        "graph.facebook.com",
        json!({"media_type": "REELS", "upload_type": "resumable"}),
    )?;
    let container = text(&session, "id")?;
    let before_kb = status_kb(pid, "VmRSS")?;

    // Sample the server's resident memory while the upload runs.
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut max = 0;
            while !done.load(Ordering::Relaxed) {
                if let Ok(kb) = status_kb(pid, "VmRSS") {
                    max = max.max(kb);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            max
        })
    };
    let started = Instant::now();
    let head = format!(
        "POST /ig-api-upload/v24.0/{container} HTTP/1.1\r\nHost: rupload.facebook.com\r\n\
         Authorization: OAuth {token}\r\noffset: 0\r\nfile_size: {size}\r\n\
         Content-Length: {size}\r\nConnection: close\r\n\r\n"
    );
    let file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
    let sent = http(addr, &head, &mut BufReader::with_capacity(1 << 20, file));
    let seconds = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let sampled_kb = sampler.join().unwrap_or(0);
    let (status, answer) = sent?;
    if status != 200 {
        return Err(format!(
            "the upload answered {status}: {}",
            String::from_utf8_lossy(&answer)
        ));
    }
    let peak_kb = status_kb(pid, "VmHWM")?;
    // Let processing end in virtual time, then read the container.
    json_call(
        addr,
        "POST",
        "/_localgram/clock",
        "127.0.0.1",
        json!({"advance_seconds": 3600}),
    )?;
    let head = format!(
        "GET /v24.0/{container}?fields=status_code&access_token={token} HTTP/1.1\r\n\
         Host: graph.facebook.com\r\nConnection: close\r\n\r\n"
    );
    let (_, body) = http(addr, &head, &mut std::io::empty())?;
    let read: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    drop(child);
    Ok(Upload {
        bytes: size,
        seconds,
        status_code: read["status_code"].as_str().unwrap_or("?").to_string(),
        before_kb,
        sampled_kb,
        peak_kb,
    })
}

/// Spawns `localgram serve --ephemeral` on a free port and waits until it answers.
fn start(bin: &std::path::Path) -> Result<(ChildGuard, SocketAddr), String> {
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    let mut child = spawn(bin, port)?;
    while probe(addr) != Some(200) {
        if let Ok(Some(status)) = child.0.try_wait() {
            return Err(format!("localgram exited with {status} before answering"));
        }
        if started.elapsed() > Duration::from_secs(30) {
            return Err(format!("localgram did not answer on {addr} within 30 s"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok((child, addr))
}
