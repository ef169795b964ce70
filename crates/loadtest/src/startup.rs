//! Start-up time and idle memory of the real `localgram` binary.
//!
//! Each run spawns `localgram serve --ephemeral --listen 127.0.0.1:PORT`, polls
//! `GET /_localgram/clock` until it answers 200, and records the time from spawn to that
//! answer. After the last run the server idles, then its VmRSS is read from /proc. Every child
//! is killed and reaped on every exit path (a guard's Drop), and asks the kernel to kill it
//! should this process die first (PR_SET_PDEATHSIG).

use clap::Args;
use serde_json::json;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TARGET_STARTUP_MS: f64 = 100.0;
const TARGET_RSS_MB: f64 = 30.0;

#[derive(Args, Debug)]
pub struct StartupArgs {
    /// The localgram binary (default: target/release/localgram, else the one beside loadtest).
    #[arg(long)]
    pub bin: Option<PathBuf>,
    /// How many times to start it.
    #[arg(long, default_value_t = 10)]
    pub runs: usize,
    /// Seconds to let the last server idle before reading its resident memory.
    #[arg(long, default_value_t = 2.0)]
    pub idle: f64,
    /// Seconds one start may take before the run fails.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
}

/// A spawned server, killed and reaped when dropped.
pub(crate) struct ChildGuard(pub(crate) Child);

impl Drop for ChildGuard {
    /// SIGTERM first, so a server stops cleanly (an `--ephemeral` store removes its temporary
    /// directory: a run of large stores otherwise leaves gigabytes behind); SIGKILL if it has
    /// not stopped within 5 s.
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            if let Ok(pid) = i32::try_from(self.0.id()) {
                // SAFETY: a signal to our own child, which has not been reaped yet.
                unsafe { libc::kill(pid, libc::SIGTERM) };
                let deadline = Instant::now() + Duration::from_secs(5);
                while Instant::now() < deadline {
                    if let Ok(Some(_)) = self.0.try_wait() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn resolve_bin(arg: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(path) = arg {
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("no localgram binary at {}", path.display()))
        };
    }
    let default = PathBuf::from("target/release/localgram");
    if default.is_file() {
        return Ok(default);
    }
    if let Some(beside) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("localgram")))
        .filter(|p| p.is_file())
    {
        return Ok(beside);
    }
    Err(
        "no localgram binary at target/release/localgram; build it with \
         `cargo build --release -p localgram` or pass --bin"
            .into(),
    )
}

/// A port that was free a moment ago (the child binds it right after).
pub(crate) fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind(("127.0.0.1", 0)).map_err(|e| format!("cannot find a free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("cannot find a free port: {e}"))
}

pub(crate) fn spawn(bin: &Path, port: u16) -> Result<ChildGuard, String> {
    let mut command = Command::new(bin);
    command
        .args(["serve", "--ephemeral", "--listen"])
        .env("LOCALGRAM_RATE_LIMIT_SCALE", "off")
        .arg(format!("127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: the closure runs in the forked child before exec and only calls
    // async-signal-safe functions (prctl, getppid), touching no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::getppid() == 1 {
                // The parent is already gone: do not start an orphan.
                libc::_exit(1);
            }
            Ok(())
        });
    }
    command
        .spawn()
        .map(ChildGuard)
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))
}

/// One `GET /_localgram/clock` on a fresh connection: `Some(status)` if it answered.
pub(crate) fn probe(addr: SocketAddr) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_millis(1000)))
        .ok()?;
    stream.set_nodelay(true).ok()?;
    let request =
        format!("GET /_localgram/clock HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < 12 {
        match stream.read(&mut head[read..]) {
            Ok(0) | Err(_) => return None,
            Ok(n) => read += n,
        }
    }
    // "HTTP/1.1 200 ..."
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// Spawns the server and waits for its first 200; answers the guard and the elapsed time.
fn start_once(bin: &Path, timeout: Duration) -> Result<(ChildGuard, Duration), String> {
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    let mut child = spawn(bin, port)?;
    loop {
        if let Some(200) = probe(addr) {
            return Ok((child, started.elapsed()));
        }
        if let Ok(Some(status)) = child.0.try_wait() {
            return Err(format!(
                "localgram exited with {status} before answering on {addr}"
            ));
        }
        if started.elapsed() > timeout {
            return Err(format!(
                "localgram did not answer GET /_localgram/clock on {addr} within {timeout:?}"
            ));
        }
        std::thread::sleep(Duration::from_micros(500));
    }
}

/// A `/proc/<pid>/status` field in kB, such as `VmRSS`.
pub(crate) fn status_kb(pid: u32, field: &str) -> Result<u64, String> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    text.lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {field} in {path}"))
}

pub fn run(args: StartupArgs) -> Result<bool, String> {
    if args.runs == 0 || args.runs > 1000 {
        return Err("--runs must be between 1 and 1000".into());
    }
    if !(args.idle >= 0.0 && args.idle <= 600.0) {
        return Err("--idle must be between 0 and 600 seconds".into());
    }
    if !(args.timeout > 0.0 && args.timeout <= 600.0) {
        return Err("--timeout must be more than 0 and at most 600 seconds".into());
    }
    let bin = resolve_bin(args.bin)?;
    let timeout = Duration::from_secs_f64(args.timeout);
    let mut times_ms = Vec::with_capacity(args.runs);
    let mut rss = None;
    for run in 0..args.runs {
        let (child, elapsed) = start_once(&bin, timeout)?;
        times_ms.push(elapsed.as_secs_f64() * 1000.0);
        if run + 1 == args.runs {
            std::thread::sleep(Duration::from_secs_f64(args.idle));
            let pid = child.0.id();
            rss = Some((status_kb(pid, "VmRSS")?, status_kb(pid, "VmHWM")?));
        }
        drop(child);
    }
    let (rss_kb, hwm_kb) = rss.ok_or("no run measured memory")?;
    let mut sorted = times_ms.clone();
    sorted.sort_by(f64::total_cmp);
    let median = if sorted.len() % 2 == 1 {
        sorted[sorted.len() / 2]
    } else {
        (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2]) / 2.0
    };
    let max = sorted.last().copied().unwrap_or(0.0);
    let rss_mb = rss_kb as f64 / 1024.0;
    println!(
        "startup: {} x `{} serve --ephemeral --listen 127.0.0.1:PORT`, spawn to first 200 on \
         GET /_localgram/clock",
        args.runs,
        bin.display()
    );
    println!(
        "  runs ms: {}",
        times_ms
            .iter()
            .map(|t| format!("{t:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "  median {median:.1} ms, max {max:.1} ms; target < {TARGET_STARTUP_MS} ms: median -> {}, \
         max -> {}",
        if median < TARGET_STARTUP_MS {
            "met"
        } else {
            "MISSED"
        },
        if max < TARGET_STARTUP_MS {
            "met"
        } else {
            "MISSED"
        }
    );
    println!(
        "memory: VmRSS {rss_kb} kB ({rss_mb:.1} MB) after {:.1} s idle (peak VmHWM {hwm_kb} kB); \
         target < {TARGET_RSS_MB} MB -> {}",
        args.idle,
        if rss_mb < TARGET_RSS_MB {
            "met"
        } else {
            "MISSED"
        }
    );
    println!(
        "{}",
        json!({
            "kind": "startup",
            "bin": bin.display().to_string(),
            "runs": args.runs,
            "startup_ms": {
                "median": (median * 1000.0).round() / 1000.0,
                "max": (max * 1000.0).round() / 1000.0,
                "all": times_ms.iter().map(|t| (t * 1000.0).round() / 1000.0).collect::<Vec<_>>(),
            },
            "idle_s": args.idle,
            "vm_rss_kb": rss_kb,
            "vm_hwm_kb": hwm_kb,
            "targets": {
                "startup_ms_below": TARGET_STARTUP_MS,
                "startup_median_met": median < TARGET_STARTUP_MS,
                "startup_max_met": max < TARGET_STARTUP_MS,
                "rss_mb_below": TARGET_RSS_MB,
                "rss_met": rss_mb < TARGET_RSS_MB,
            },
        })
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_our_own_resident_memory() {
        let kb = status_kb(std::process::id(), "VmRSS").expect("VmRSS");
        assert!(kb > 0);
        assert!(status_kb(std::process::id(), "NoSuchField").is_err());
    }
}
