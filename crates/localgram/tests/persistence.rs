//! State written before a `kill -9` is there after a restart with the same `--data`.

mod common;

use common::Remote;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Process {
    child: Child,
    base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn spawn(data: &std::path::Path) -> Process {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_localgram"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(common::serve_storage_args(data))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("localgram starts");
    let process = Process {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    // Until the child listens the connection fails: a raw request, whose error means "not yet".
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(response) = client
            .get(format!("{}/_localgram/clock", process.base))
            .send()
            .await
        {
            if response.status() == StatusCode::OK {
                return process;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("localgram did not answer within 20 s");
}

#[tokio::test]
async fn state_survives_kill_dash_nine() {
    let data = std::env::temp_dir().join(format!(
        "localgram-persist-{}-{}",
        std::process::id(),
        free_port()
    ));
    let _ = std::fs::remove_dir_all(&data);

    let first = spawn(&data).await;
    let api = Remote::new(&first.base);
    let app = api.post_control("/apps", json!({"name": "Durable"})).await;
    let account = api
        .post_control(
            "/accounts",
            json!({"username": "durable", "followers_count": 77}),
        )
        .await;
    let token = api.post_control("/tokens",
        json!({"app_id": app["id"], "account_id": account["id"], "login": "instagram", "long_lived": true}),
    )
    .await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let media = api
        .post_control(
            &format!("/accounts/{}/media", account["id"].as_str().unwrap()),
            json!({"caption": "before the crash"}),
        )
        .await;
    let clock = api
        .post_control("/clock", json!({"frozen": true, "advance_seconds": 3600}))
        .await;
    // SIGKILL: no shutdown hook runs.
    drop(first);

    let second = spawn(&data).await;
    let api = Remote::new(&second.base);
    let me = api
        .get(
            "/v24.0/me?fields=user_id,followers_count,media{caption}",
            &token,
        )
        .await
        .body;
    assert_eq!(me["user_id"], account["id"]);
    assert_eq!(me["followers_count"], json!(77));
    assert_eq!(
        me["media"]["data"][0],
        json!({"caption": "before the crash", "id": media["id"]})
    );
    let after = api.control_api(Method::GET, "/clock").send().await.body;
    assert_eq!(after["now"], clock["now"]);
    assert_eq!(after["frozen"], json!(true));
    // New ids keep counting after the old ones: no collision with what was minted before.
    let next = api
        .post_control("/people", json!({"username": "after"}))
        .await;
    assert_ne!(next["id"], account["id"]);
    drop(second);
    let _ = std::fs::remove_dir_all(&data);
}
