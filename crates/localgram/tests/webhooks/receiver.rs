//! A webhook receiver on 127.0.0.1, written on raw TCP so a test controls every byte: it answers
//! verification requests, checks both signatures over the exact body bytes, and on demand
//! answers 500, hangs, resets the connection, or is not there at all.

#![allow(dead_code)]

use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinHandle;

/// How the receiver answers event notifications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    Ok,
    Status(u16),
    /// Reads the request and never answers (until the connection is dropped after a while).
    Hang,
    /// Reads the request and resets the connection.
    Reset,
    /// Answers 500 to bodies containing this text, 200 to the others.
    FailIfContains(&'static str),
}

/// How the receiver answers verification requests.
#[derive(Debug, Clone, PartialEq)]
pub enum Verify {
    /// Echo `hub.challenge` when `hub.verify_token` matches, else 403.
    Echo(String),
    /// Answer 200 with this body.
    Say(String),
    Status(u16),
}

/// One notification as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub json: Value,
    /// Both signatures matched the body with `secret`.
    pub signed_by: Option<String>,
    pub arrived: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

#[derive(Debug)]
pub struct Inner {
    pub mode: Mode,
    pub verify: Verify,
    /// Secrets the signatures may be made with (app secret, Instagram app secret).
    pub secrets: Vec<String>,
    /// Notifications answered 200, in arrival order.
    pub received: Vec<Received>,
    /// Every POST that arrived, whatever the answer, with its body.
    pub posts: Vec<Vec<u8>>,
    /// Query strings of the verification requests.
    pub verifications: Vec<String>,
    /// POSTs whose signatures did not match any secret.
    pub bad_signatures: usize,
}

pub struct Receiver {
    pub addr: SocketAddr,
    pub inner: Arc<Mutex<Inner>>,
    task: JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn hmac256(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

pub fn hmac1(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha1={}", hex::encode(mac.finalize().into_bytes()))
}

impl Receiver {
    pub async fn start(verify_token: &str) -> Receiver {
        Self::start_on(0, Self::fresh(verify_token)).await
    }

    pub fn fresh(verify_token: &str) -> Arc<Mutex<Inner>> {
        Arc::new(Mutex::new(Inner {
            mode: Mode::Ok,
            verify: Verify::Echo(verify_token.to_string()),
            secrets: Vec::new(),
            received: Vec::new(),
            posts: Vec::new(),
            verifications: Vec::new(),
            bad_signatures: 0,
        }))
    }

    /// Listens on `port` (0: any) with `inner` as its memory, so a receiver can go down and
    /// come back on the same address with what it had received.
    pub async fn start_on(port: u16, inner: Arc<Mutex<Inner>>) -> Receiver {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket
            .bind(SocketAddr::from(([127, 0, 0, 1], port)))
            .unwrap();
        let listener = socket.listen(64).unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = inner.clone();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let inner = shared.clone();
                connections.spawn(handle(stream, inner));
                while connections.try_join_next().is_some() {}
            }
        });
        Receiver { addr, inner, task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.inner.lock().mode = mode;
    }

    pub fn set_verify(&self, verify: Verify) {
        self.inner.lock().verify = verify;
    }

    pub fn trust(&self, secret: &str) {
        self.inner.lock().secrets.push(secret.to_string());
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().received.clone()
    }

    pub fn posts(&self) -> usize {
        self.inner.lock().posts.len()
    }

    pub fn verifications(&self) -> Vec<String> {
        self.inner.lock().verifications.clone()
    }

    /// Every `entry[]` item (changes, messaging or standby element) received, in order, as
    /// (entry id, field or kind, value).
    pub fn updates(&self) -> Vec<(String, String, Value)> {
        let mut out = Vec::new();
        for r in self.received() {
            for entry in r.json["entry"].as_array().cloned().unwrap_or_default() {
                let id = entry["id"].as_str().unwrap_or_default().to_string();
                for change in entry["changes"].as_array().cloned().unwrap_or_default() {
                    out.push((
                        id.clone(),
                        change["field"].as_str().unwrap_or_default().to_string(),
                        change["value"].clone(),
                    ));
                }
                for kind in ["messaging", "standby"] {
                    for item in entry[kind].as_array().cloned().unwrap_or_default() {
                        out.push((id.clone(), kind.to_string(), item));
                    }
                }
            }
        }
        out
    }
}

/// Reads what is there (at least one byte), or `None` at end of stream or on error.
async fn read_some(stream: &TcpStream, chunk: &mut [u8]) -> Option<usize> {
    loop {
        stream.readable().await.ok()?;
        match stream.try_read(chunk) {
            Ok(0) => return None,
            Ok(n) => return Some(n),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return None,
        }
    }
}

async fn write_all(stream: &TcpStream, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        if stream.writable().await.is_err() {
            return;
        }
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return,
        }
    }
}

async fn read_request(
    stream: &TcpStream,
) -> Option<(String, String, Vec<(String, String)>, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let header_end = loop {
        if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = read_some(stream, &mut chunk).await?;
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?;
    let mut parts = request_line.split(' ');
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[header_end + 4..].to_vec();
    while body.len() < length {
        let n = read_some(stream, &mut chunk).await?;
        body.extend_from_slice(&chunk[..n]);
    }
    Some((method, target, headers, body))
}

async fn respond(stream: &mut TcpStream, status: u16, body: &str) {
    let reason = match status {
        200 => "OK",
        403 => "Forbidden",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let text = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    write_all(stream, text.as_bytes()).await;
}

fn query_param(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn handle(mut stream: TcpStream, inner: Arc<Mutex<Inner>>) {
    let Some((method, target, headers, body)) = read_request(&stream).await else {
        return;
    };
    let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
    if method == "GET" {
        let verify = {
            let mut inner = inner.lock();
            inner.verifications.push(query.to_string());
            inner.verify.clone()
        };
        match verify {
            Verify::Echo(token) => {
                let mode = query_param(query, "hub.mode");
                let given = query_param(query, "hub.verify_token");
                let challenge = query_param(query, "hub.challenge").unwrap_or_default();
                if mode.as_deref() == Some("subscribe") && given.as_deref() == Some(token.as_str())
                {
                    respond(&mut stream, 200, &challenge).await;
                } else {
                    respond(&mut stream, 403, "wrong verify token").await;
                }
            }
            Verify::Say(text) => respond(&mut stream, 200, &text).await,
            Verify::Status(code) => respond(&mut stream, code, "no").await,
        }
        return;
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let (mode, signed_by) = {
        let mut inner = inner.lock();
        inner.posts.push(body.clone());
        let signed_by = inner
            .secrets
            .iter()
            .find(|secret| {
                header("X-Hub-Signature-256").as_deref() == Some(hmac256(secret, &body).as_str())
                    && header("X-Hub-Signature").as_deref() == Some(hmac1(secret, &body).as_str())
            })
            .cloned();
        if signed_by.is_none() {
            inner.bad_signatures += 1;
        }
        (inner.mode, signed_by)
    };
    let mode = match mode {
        Mode::FailIfContains(text) if body.windows(text.len()).any(|w| w == text.as_bytes()) => {
            Mode::Status(500)
        }
        Mode::FailIfContains(_) => Mode::Ok,
        other => other,
    };
    match mode {
        Mode::FailIfContains(_) => {}
        Mode::Ok => {
            let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
            inner.lock().received.push(Received {
                path: path.to_string(),
                headers: headers.clone(),
                body,
                json,
                signed_by,
                arrived: Instant::now(),
            });
            respond(&mut stream, 200, "EVENT_RECEIVED").await;
        }
        Mode::Status(code) => respond(&mut stream, code, "try later").await,
        Mode::Hang => {
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
        Mode::Reset => {
            // Zero linger: closing sends RST at once (no blocking).
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
            drop(stream);
        }
    }
}
