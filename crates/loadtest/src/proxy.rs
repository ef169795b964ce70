//! `loadtest proxy`: the same node read as `loadtest load` (GET /v24.0/{id}?fields=id,
//! username,followers_count), against one localgram, direct and through its proxy, in one
//! run. Through the proxy each connection is CONNECT graph.instagram.com:443, a TLS session
//! trusting localgram's CA (ALPN http/1.1), then keep-alive HTTP/1.1 requests inside it, as an
//! unmodified client sees it. Rounds alternate direct and proxied; medians are reported with
//! the ratio proxied/direct (target: at least 0.5).

use bytes::Bytes;
use clap::Parser;
use http_body_util::Full;
use hyper::client::conn::http1;
use hyper::header::{HeaderValue, HOST};
use hyper::{Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::client::{self, Sender};
use crate::servers::Localgram;

const TARGET_RATIO: f64 = 0.5;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const HOST_NAME: &str = "graph.instagram.com";

#[derive(Parser, Debug, Clone)]
pub struct ProxyArgs {
    /// Concurrent keep-alive connections (each its own CONNECT tunnel when proxied).
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Measured seconds per mode and round.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds of load before measuring (TLS handshakes happen here).
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Rounds; each measures direct, then proxied.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Direct,
    Proxied,
}

struct Tls {
    proxy: SocketAddr,
    connector: tokio_rustls::TlsConnector,
}

async fn connect(mode: Mode, direct: SocketAddr, tls: &Tls) -> Result<Sender, String> {
    if mode == Mode::Direct {
        return client::connect(direct).await;
    }
    let mut tcp = TcpStream::connect(tls.proxy)
        .await
        .map_err(|e| format!("cannot connect to the proxy: {e}"))?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    tcp.write_all(
        format!("CONNECT {HOST_NAME}:443 HTTP/1.1\r\nHost: {HOST_NAME}:443\r\n\r\n").as_bytes(),
    )
    .await
    .map_err(|e| format!("CONNECT: {e}"))?;
    // Read the proxy's answer head byte by byte: nothing of the TLS stream may be consumed.
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let byte = tcp
            .read_u8()
            .await
            .map_err(|e| format!("CONNECT answer: {e}"))?;
        head.push(byte);
        if head.len() > 4096 {
            return Err("CONNECT answer too long".into());
        }
    }
    if !head.starts_with(b"HTTP/1.1 200") {
        return Err(format!(
            "CONNECT refused: {}",
            String::from_utf8_lossy(&head)
        ));
    }
    let name = rustls::pki_types::ServerName::try_from(HOST_NAME).map_err(|e| e.to_string())?;
    let stream = tls
        .connector
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS: {e}"))?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP handshake in the tunnel: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

struct Outcome {
    latencies: Vec<u64>,
    errors: u64,
    first_error: Option<String>,
}

async fn one_connection(
    mode: Mode,
    direct: SocketAddr,
    tls: Arc<Tls>,
    uri: Uri,
    host: HeaderValue,
    measure_from: Instant,
    until: Instant,
) -> Outcome {
    let mut out = Outcome {
        latencies: Vec::with_capacity(32 * 1024),
        errors: 0,
        first_error: None,
    };
    let mut sender: Option<Sender> = None;
    while Instant::now() < until {
        if sender.is_none() {
            match connect(mode, direct, &tls).await {
                Ok(s) => sender = Some(s),
                Err(e) => {
                    out.errors += 1;
                    out.first_error.get_or_insert(e);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            }
        }
        let Some(s) = sender.as_mut() else { continue };
        let mut request = Request::new(Full::new(Bytes::new()));
        *request.uri_mut() = uri.clone();
        request.headers_mut().insert(HOST, host.clone());
        let started = Instant::now();
        match tokio::time::timeout(REQUEST_TIMEOUT, client::send(s, request)).await {
            Ok(Ok((StatusCode::OK, _))) => {
                let finished = Instant::now();
                if started >= measure_from && finished <= until {
                    out.latencies
                        .push(finished.duration_since(started).as_nanos() as u64);
                }
            }
            Ok(Ok((status, body))) => {
                out.errors += 1;
                out.first_error
                    .get_or_insert_with(|| format!("{status}: {}", String::from_utf8_lossy(&body)));
            }
            Ok(Err(e)) => {
                out.errors += 1;
                out.first_error.get_or_insert(e);
                sender = None;
            }
            Err(_) => {
                out.errors += 1;
                out.first_error.get_or_insert_with(|| "timeout".into());
                sender = None;
            }
        }
    }
    out
}

struct Measured {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
}

async fn measure(
    mode: Mode,
    direct: SocketAddr,
    tls: Arc<Tls>,
    path: &str,
    args: &ProxyArgs,
) -> Result<Measured, String> {
    let uri: Uri = path.parse().map_err(|e| format!("bad path: {e}"))?;
    let host = HeaderValue::from_static(HOST_NAME);
    let measure_from = Instant::now() + Duration::from_secs_f64(args.warmup);
    let until = measure_from + Duration::from_secs_f64(args.duration);
    let tasks: Vec<_> = (0..args.connections)
        .map(|_| {
            tokio::spawn(one_connection(
                mode,
                direct,
                tls.clone(),
                uri.clone(),
                host.clone(),
                measure_from,
                until,
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for task in tasks {
        let out = tokio::time::timeout_at((until + REQUEST_TIMEOUT * 2).into(), task)
            .await
            .map_err(|_| "a connection did not stop in time".to_string())?
            .map_err(|e| e.to_string())?;
        latencies.extend(out.latencies);
        errors += out.errors;
        if first_error.is_none() {
            first_error = out.first_error;
        }
    }
    if let Some(e) = first_error {
        eprintln!("first error: {e}");
    }
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(f64::NAN, |ns| *ns as f64 / 1e6)
    };
    Ok(Measured {
        rps: latencies.len() as f64 / args.duration,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        errors,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

pub fn run(args: ProxyArgs) -> Result<bool, String> {
    // Two runtimes as in `loadtest load`: the server's (2 threads) and the load's (2 threads).
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("server")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("client")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let ca_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let server = server_rt.block_on(Localgram::start_with_proxy(ca_dir.path()))?;
    let target = client_rt.block_on(server.fixture())?;
    let proxy = server.front().proxy_addr.ok_or("no proxy address")?;
    let ca_der = server
        .front()
        .authority
        .as_ref()
        .ok_or("no CA")?
        .cert_der()
        .clone();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_der).map_err(|e| e.to_string())?;
    #[allow(deprecated)] // ring: see crates/localgram/src/proxy/tls.rs
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let tls = Arc::new(Tls {
        proxy,
        connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
    });

    println!(
        "proxy benchmark: {} connections, {} s warm-up, {} s measured per mode, {} round(s)",
        args.connections, args.warmup, args.duration, args.rounds
    );
    println!(
        "{:<6} {:<8} {:>10} {:>9} {:>9} {:>7}",
        "round", "mode", "req/s", "p50 ms", "p99 ms", "errors"
    );
    let (mut direct_rps, mut proxied_rps, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut ok = true;
    for round in 1..=args.rounds {
        let mut pair = Vec::new();
        for (mode, name) in [(Mode::Direct, "direct"), (Mode::Proxied, "proxied")] {
            let m = client_rt.block_on(measure(
                mode,
                target.addr,
                tls.clone(),
                &target.path_and_query,
                &args,
            ))?;
            println!(
                "{round:<6} {name:<8} {:>10.0} {:>9.2} {:>9.2} {:>7}",
                m.rps, m.p50_ms, m.p99_ms, m.errors
            );
            ok &= m.errors == 0;
            pair.push(m.rps);
        }
        direct_rps.push(pair[0]);
        proxied_rps.push(pair[1]);
        ratios.push(pair[1] / pair[0]);
    }
    let ratio = median(ratios.clone());
    println!(
        "median: direct {:.0} req/s, proxied {:.0} req/s, ratio {:.3} (per round: {}) — target >= {TARGET_RATIO}: {}",
        median(direct_rps.clone()),
        median(proxied_rps.clone()),
        ratio,
        ratios.iter().map(|r| format!("{r:.3}")).collect::<Vec<_>>().join(", "),
        if ratio >= TARGET_RATIO { "met" } else { "MISSED" }
    );
    println!(
        "{{\"kind\":\"proxy\",\"direct_rps\":{:.0},\"proxied_rps\":{:.0},\"ratio\":{:.3}}}",
        median(direct_rps),
        median(proxied_rps),
        ratio
    );
    client_rt.block_on(async { tokio::time::sleep(Duration::from_millis(10)).await });
    server_rt.block_on(server.stop());
    Ok(ok)
}
