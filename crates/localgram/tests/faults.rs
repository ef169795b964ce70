//! Fault injection through the control API (issue #14): matching Graph calls fail, slow down
//! or fail after applying their change; `times` exact under concurrency; reproducible
//! `probability`; no leak to another app or account; presets for Meta's outage (code 2),
//! throttling (4/17/32/613/80002 with usage headers), a token invalidated mid-session (190/460),
//! a media URL Meta cannot fetch (9004/2207052, ref 001 L3287-3545), a container stuck
//! IN_PROGRESS and paused webhook delivery; faults survive a restart.

mod common;
#[macro_use]
#[path = "publishing/support.rs"]
mod support;

use support::*;

async fn world_server(data_dir: Option<std::path::PathBuf>) -> (TestServer, World) {
    let server = TestServer::start_with(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(7),
        data_dir,
        ..Config::default()
    })
    .await;
    let world = server.world().await;
    (server, world)
}

async fn fault(server: &TestServer, body: Value) -> Value {
    server.post_control("/faults", body).await
}

#[tokio::test]
async fn a_fault_with_times_fires_exactly_that_often_under_concurrency() {
    let (server, w) = world_server(None).await;
    let armed = fault(
        &server,
        json!({"preset": "outage", "path": "/{ig-user-id}", "times": 5}),
    )
    .await;
    assert_eq!(armed["code"], json!(2));
    assert_eq!(armed["status"], json!(503));
    assert_eq!(armed["is_transient"], json!(true));
    assert_eq!(
        (armed["fired"].clone(), armed["remaining"].clone()),
        (json!(0), json!(5))
    );
    let path = format!("/v24.0/{}?fields=id", w.business_id());
    let calls = (0..40).map(|_| server.get_ig(&path, &w.ig_token));
    let answers = futures_util::future::join_all(calls).await;
    let failed: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status != StatusCode::OK)
        .collect();
    assert_eq!(failed.len(), 5);
    for answer in &failed {
        assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            answer.body["error"],
            json!({"message": "An unexpected error has occurred. Please retry your request later.",
                   "type": "OAuthException", "code": 2, "is_transient": true,
                   "fbtrace_id": answer.body["error"]["fbtrace_id"]})
        );
    }
    let id = armed["id"].as_str().unwrap();
    let seen = server.get_control(&format!("/faults/{id}")).await;
    assert_eq!(
        (
            seen["matched"].clone(),
            seen["fired"].clone(),
            seen["remaining"].clone()
        ),
        (json!(40), json!(5), json!(0))
    );
    // Other paths never matched it.
    let media = server
        .get_ig(&format!("/v24.0/{}/media", w.business_id()), &w.ig_token)
        .await;
    assert_eq!(media.status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn a_fault_naming_an_app_and_an_account_never_fires_for_others() {
    let (server, w) = world_server(None).await;
    let other_app = server.new_app("Other").await;
    let other_token = server
        .token(
            other_app["id"].as_str().unwrap(),
            w.business_id(),
            "instagram",
            None,
        )
        .await;
    // Named by its Instagram app id, as an Instagram Login app knows itself.
    fault(
        &server,
        json!({"app_id": w.app["instagram_app_id"], "account_id": w.business_id(),
               "code": 1, "message": "An unknown error has occurred.", "status": 500}),
    )
    .await;
    let business = format!("/v24.0/{}?fields=id", w.business_id());
    let creator = format!("/v24.0/{}?fields=id", w.creator["id"].as_str().unwrap());
    assert_eq!(
        server.get_ig(&business, &other_token).await.status,
        StatusCode::OK
    );
    assert_eq!(
        server.get_ig(&creator, &w.creator_token).await.status,
        StatusCode::OK
    );
    let hit = server.get_ig(&business, &w.ig_token).await;
    assert_eq!(hit.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(hit.error().0, 1);
    // The media of the account concern it too (its owner), through the other login as well.
    let media = server
        .post_control(
            &format!("/accounts/{}/media", w.business_id()),
            json!({"caption": "x"}),
        )
        .await;
    let media_path = format!("/v24.0/{}?fields=id", media["id"].as_str().unwrap());
    assert_eq!(server.get_fb(&media_path, &w.fb_token).await.error().0, 1);
    // Unknown apps and accounts are refused when the fault is made.
    let unknown = server
        .control_api(Method::POST, "/faults")
        .json(json!({"app_id": "999", "code": 1}))
        .send()
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn apply_commits_the_change_and_still_answers_the_error() {
    // The write that happened but answered an error: retrying creates a duplicate.
    let (server, w) = world_server(None).await;
    let media = server
        .post_control(
            &format!("/accounts/{}/media", w.business_id()),
            json!({"caption": "x"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    fault(
        &server,
        json!({"method": "POST", "path": "/{ig-media-id}/comments", "preset": "outage",
               "apply": true, "times": 1}),
    )
    .await;
    let comments = format!("/v24.0/{media}/comments");
    let failed = server
        .graph(Method::POST, &comments)
        .on(Host::Instagram)
        .bearer(&w.ig_token)
        .form(&[("message", "First!")])
        .send()
        .await;
    assert_eq!(failed.error().0, 2);
    let retried = server
        .graph(Method::POST, &comments)
        .on(Host::Instagram)
        .bearer(&w.ig_token)
        .form(&[("message", "First!")])
        .send()
        .await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.body);
    let listed = server.get_ig(&comments, &w.ig_token).await;
    assert_eq!(
        listed.body["data"].as_array().unwrap().len(),
        2,
        "{}",
        listed.body
    );
    server.stop().await;
}

#[tokio::test]
async fn probability_is_reproducible_for_a_seed() {
    let (server, w) = world_server(None).await;
    let path = format!("/v24.0/{}?fields=id", w.business_id());
    let mut runs = Vec::new();
    for _ in 0..2 {
        let armed = fault(
            &server,
            json!({"code": 2, "status": 503, "probability": 0.5, "seed": 42, "path": "/{ig-user-id}"}),
        )
        .await;
        let mut outcomes = Vec::new();
        for _ in 0..24 {
            outcomes.push(server.get_ig(&path, &w.ig_token).await.status == StatusCode::OK);
        }
        let seen = server
            .get_control(&format!("/faults/{}", armed["id"].as_str().unwrap()))
            .await;
        let failures = outcomes.iter().filter(|ok| !**ok).count() as i64;
        assert_eq!(seen["fired"], json!(failures));
        assert!(failures > 0 && failures < 24, "{outcomes:?}");
        runs.push(outcomes);
        let cleared = server.control_api(Method::DELETE, "/faults").send().await;
        assert_eq!(cleared.body, json!({"deleted": 1}));
    }
    assert_eq!(runs[0], runs[1]);
    server.stop().await;
}

#[tokio::test]
async fn presets_answer_as_meta_does() {
    let (server, w) = world_server(None).await;
    let me = format!("/v24.0/{}?fields=id", w.business_id());
    // Throttled: the Instagram Business Use Case error and its usage header.
    fault(
        &server,
        json!({"preset": "throttled", "times": 1, "regain_minutes": 12}),
    )
    .await;
    let throttled = server.get_ig(&me, &w.ig_token).await;
    assert_eq!(throttled.error().0, 80002);
    assert_eq!(throttled.body["error"]["is_transient"], json!(true));
    let header: Value =
        serde_json::from_str(throttled.header("x-business-use-case-usage").unwrap()).unwrap();
    assert_eq!(
        header,
        json!({w.business_id(): [{"type": "instagram", "call_count": 100, "total_cputime": 100,
               "total_time": 100, "estimated_time_to_regain_access": 12}]})
    );
    // The app's limit (code 4) shows in X-App-Usage.
    fault(
        &server,
        json!({"preset": "throttled", "limit": "app", "times": 1}),
    )
    .await;
    let app = server.get_ig(&me, &w.ig_token).await;
    assert_eq!(
        app.error(),
        (
            4,
            None,
            "OAuthException".into(),
            "(#4) Application request limit reached".into()
        )
    );
    assert_eq!(
        app.header("x-app-usage"),
        Some(r#"{"call_count":100,"total_cputime":100,"total_time":100}"#)
    );
    for (limit, code) in [("user", 17), ("page", 32), ("api", 613)] {
        fault(
            &server,
            json!({"preset": "throttled", "limit": limit, "times": 1}),
        )
        .await;
        assert_eq!(server.get_ig(&me, &w.ig_token).await.error().0, code);
    }
    // The token invalidated mid-session.
    fault(
        &server,
        json!({"preset": "token_invalidated", "app_id": w.app_id(), "times": 1}),
    )
    .await;
    let invalid = server.get_ig(&me, &w.ig_token).await;
    assert_eq!(invalid.error().0, 190);
    assert_eq!(invalid.error().1, Some(460));
    assert!(invalid
        .header("www-authenticate")
        .unwrap()
        .contains("invalid_token"));
    assert_eq!(server.get_ig(&me, &w.ig_token).await.status, StatusCode::OK);
    // Unknown presets and impossible faults are refused.
    for body in [
        json!({"preset": "meteor"}),
        json!({"code": 2, "probability": 2}),
        json!({"path": "media", "code": 2}),
        json!({}),
        json!({"latency_ms": 600000}),
    ] {
        let refused = server
            .control_api(Method::POST, "/faults")
            .json(&body)
            .send()
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{body}");
    }
    server.stop().await;
}

#[tokio::test]
async fn latency_alone_delays_and_the_call_succeeds() {
    let (server, w) = world_server(None).await;
    let armed = fault(
        &server,
        json!({"latency_ms": 50, "path": "/me", "times": 2}),
    )
    .await;
    let answer = server.get_ig("/v24.0/me?fields=id", &w.ig_token).await;
    assert_eq!(answer.status, StatusCode::OK);
    let seen = server
        .get_control(&format!("/faults/{}", armed["id"].as_str().unwrap()))
        .await;
    assert_eq!(seen["fired"], json!(1));
    server.stop().await;
}

#[tokio::test]
async fn media_urls_meta_cannot_fetch_and_stuck_containers() {
    // 9004 / 2207052 (ref 001 L3287-3545); a container stuck IN_PROGRESS expires after 24 h
    // (ref 001 L7547-7549).
    let t = T::start().await;
    let url = t.cdn.jpeg("a.jpg", 1080, 1080);
    fault(
        &t.server,
        json!({"preset": "media_unfetchable", "account_id": t.id(), "times": 1}),
    )
    .await;
    let refused = t.create(&[("image_url", &url)]).await;
    assert_eq!(refused.error().0, 9004);
    assert_eq!(refused.error().1, Some(2207052));
    assert_eq!(
        refused.body["error"]["message"],
        json!(format!(
            "The media could not be fetched from this uri: {url}"
        ))
    );
    // Stuck: the container stays IN_PROGRESS however long processing should take.
    let armed = fault(
        &t.server,
        json!({"preset": "container_stuck", "account_id": t.id()}),
    )
    .await;
    let id = t.created(&[("image_url", &url)]).await;
    t.advance(3600.0).await;
    assert_eq!(t.status_code(&id).await, "IN_PROGRESS");
    t.advance(86_400.0).await;
    assert_eq!(t.status_code(&id).await, "EXPIRED");
    let seen = t
        .server
        .get_control(&format!("/faults/{}", armed["id"].as_str().unwrap()))
        .await;
    assert_eq!(seen["fired"], json!(1));
    // Disarmed, new containers finish again.
    t.server
        .control_api(
            Method::DELETE,
            &format!("/faults/{}", armed["id"].as_str().unwrap()),
        )
        .send()
        .await;
    let fresh = t.created(&[("image_url", &url)]).await;
    t.advance(60.0).await;
    assert_eq!(t.status_code(&fresh).await, "FINISHED");
    t.server.stop().await;
}

#[tokio::test]
async fn webhooks_paused_holds_delivery_until_the_fault_is_removed() {
    let (server, w) = world_server(None).await;
    let armed = fault(
        &server,
        json!({"preset": "webhooks_paused", "app_id": w.app_id()}),
    )
    .await;
    assert_eq!(armed["fired"], json!(1));
    let status = server.get_control("/webhooks").await;
    assert_eq!(status["paused_apps"], json!([w.app_id()]));
    let cleared = server.control_api(Method::DELETE, "/faults").send().await;
    assert_eq!(cleared.body, json!({"deleted": 1}));
    let status = server.get_control("/webhooks").await;
    assert_eq!(status["paused_apps"], json!([]));
    server.stop().await;
}

#[tokio::test]
async fn faults_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (server, w) = world_server(Some(dir.path().to_path_buf())).await;
    fault(
        &server,
        json!({"preset": "outage", "path": "/me", "times": 2}),
    )
    .await;
    assert_eq!(server.get_ig("/v24.0/me", &w.ig_token).await.error().0, 2);
    server.stop().await;
    let again = TestServer::start_with(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: Some(dir.path().to_path_buf()),
        ..Config::default()
    })
    .await;
    let listed = again.get_control("/faults").await;
    assert_eq!(listed["data"][0]["fired"], json!(1));
    assert_eq!(again.get_ig("/v24.0/me", &w.ig_token).await.error().0, 2);
    assert_eq!(
        again.get_ig("/v24.0/me", &w.ig_token).await.status,
        StatusCode::OK
    );
    again.stop().await;
}

// The CLI runs as a blocking child process: a second worker keeps the server answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_arms_lists_and_clears_faults() {
    let (server, w) = world_server(None).await;
    let cli = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_localgram"))
            .arg("faults")
            .args(["--url", &server.base])
            .args(args)
            .output()
            .expect("localgram runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<Value>(&output.stdout).expect("JSON")
    };
    let armed = cli(&[
        "add",
        "--preset",
        "throttled",
        "--limit",
        "app",
        "--times",
        "1",
    ]);
    assert_eq!(armed["code"], json!(4));
    assert_eq!(server.get_ig("/v24.0/me", &w.ig_token).await.error().0, 4);
    let listed = cli(&["list"]);
    assert_eq!(listed["data"][0]["fired"], json!(1));
    let id = armed["id"].as_str().unwrap();
    assert_eq!(cli(&["show", id])["remaining"], json!(0));
    assert_eq!(cli(&["clear"]), json!({"deleted": 1}));
    server.stop().await;
}
