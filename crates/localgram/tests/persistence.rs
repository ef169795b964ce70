//! State written before a `kill -9` is there after a restart with the same `--data`.

mod common;

use common::{ChildServer, Remote};
use reqwest::Method;
use serde_json::json;

async fn spawn(data: &std::path::Path) -> ChildServer {
    ChildServer::spawn(common::serve_storage_args(data)).await
}

#[tokio::test]
async fn state_survives_kill_dash_nine() {
    let dir = tempfile::tempdir().expect("a directory");
    let data = dir.path().join("data");

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
}
