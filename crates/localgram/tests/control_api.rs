//! The control API contract under `/_localgram/` (issue #2's shapes), the virtual clock and
//! what it drives, the request log, reset and snapshots.

mod common;

use common::{Answer, TestServer};
use localgram::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn apps_are_created_with_ids_secrets_and_client_tokens() {
    let server = TestServer::start().await;
    let app = server
        .post_control("/apps", json!({"name": "Scheduler", "redirect_uris": ["https://a.example/cb"], "access_level": "standard"}))
        .await;
    let id = app["id"].as_str().unwrap();
    assert_eq!(id.len(), 15);
    assert!(id.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(app["secret"].as_str().unwrap().len(), 32);
    assert_eq!(app["client_token"].as_str().unwrap().len(), 32);
    assert_eq!(
        app["app_token"],
        json!(format!("{id}|{}", app["secret"].as_str().unwrap()))
    );
    assert_ne!(app["instagram_app_id"], app["id"]);
    assert_eq!(app["access_level"], json!("standard"));
    assert_eq!(app["api_version"], json!("v24.0"));
    assert_eq!(app["redirect_uris"], json!(["https://a.example/cb"]));

    let Answer {
        status,
        body: error,
        ..
    } = server
        .control_api(Method::POST, "/apps")
        .json(json!({"name": "x", "access_level": "gold"}))
        .send()
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error,
        json!({"error": {"message": "access_level must be \"standard\" or \"advanced\"", "status": 400}})
    );
    let Answer { status, .. } = server
        .control_api(Method::POST, "/apps")
        .json(json!({"nam": "typo"}))
        .send()
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let Answer {
        status,
        body: listed,
        ..
    } = server.control_api(Method::GET, "/apps").send().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn accounts_and_people_share_one_username_space() {
    let server = TestServer::start().await;
    let account = server
        .post_control(
            "/accounts",
            json!({"username": "Shop.Owner", "facebook_page": true, "followers_count": 10}),
        )
        .await;
    assert_eq!(account["username"], json!("shop.owner"));
    assert!(account["id"].as_str().unwrap().starts_with("178414"));
    assert_eq!(account["account_type"], json!("BUSINESS"));
    assert!(account["page_id"].as_str().is_some());
    assert!(account["facebook_user_id"].as_str().is_some());
    let creator = server
        .post_control(
            "/accounts",
            json!({"username": "solo", "account_type": "CREATOR"}),
        )
        .await;
    assert!(creator.get("page_id").is_none());

    let person = server
        .post_control("/people", json!({"username": "commenter_1", "name": "Ana"}))
        .await;
    assert_eq!(person["username"], json!("commenter_1"));
    assert_eq!(person["name"], json!("Ana"));
    assert!(person["id"].as_str().is_some());

    for (path, body) in [
        ("/people", json!({"username": "shop.owner"})),
        ("/accounts", json!({"username": "commenter_1"})),
    ] {
        let Answer {
            status,
            body: error,
            ..
        } = server
            .control_api(Method::POST, path)
            .json(body)
            .send()
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{path}");
        assert!(error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is taken"));
    }
    let Answer { status, .. } = server
        .control_api(Method::POST, "/accounts")
        .json(json!({"username": "no spaces"}))
        .send()
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let Answer {
        status,
        body: fetched,
        ..
    } = server
        .control_api(
            Method::GET,
            &format!("/accounts/{}", account["id"].as_str().unwrap()),
        )
        .send()
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, account);
    let Answer { status, .. } = server
        .control_api(Method::GET, "/accounts/123")
        .send()
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn tokens_have_meta_lifetimes_and_follow_the_clock() {
    // ref 001 L3547-3621: short-lived one hour, long-lived expires_in 5184000.
    let server = TestServer::start().await;
    let world = server.world().await;
    let short = server
        .post_control("/tokens", json!({"app_id": world.app_id(), "account_id": world.business_id(), "login": "instagram"}))
        .await;
    assert_eq!(short["token_type"], json!("bearer"));
    assert_eq!(short["expires_in"], json!(3600));
    assert!(short["access_token"].as_str().unwrap().starts_with("IGAA"));
    let long = server
        .post_control("/tokens", json!({"app_id": world.app_id(), "account_id": world.business_id(), "login": "facebook", "long_lived": true}))
        .await;
    assert_eq!(long["expires_in"], json!(5_184_000));
    assert!(long["access_token"].as_str().unwrap().starts_with("EAA"));
    assert_eq!(long["user_id"], world.business["facebook_user_id"]);

    // Natural expiry follows the virtual clock: 163 s past the hour gives Meta's 463 error.
    server
        .post_control(
            "/clock",
            json!({"set": "2030-03-12T18:00:00Z", "frozen": true}),
        )
        .await;
    let fresh = server
        .post_control("/tokens", json!({"app_id": world.app_id(), "account_id": world.business_id(), "login": "instagram"}))
        .await;
    let token = fresh["access_token"].as_str().unwrap();
    assert_eq!(
        server.get("/v24.0/me?fields=username", token).await.status,
        StatusCode::OK
    );
    server
        .post_control("/clock", json!({"advance_seconds": 3600 + 163}))
        .await;
    let expired = server.get("/v24.0/me", token).await;
    assert_eq!(
        expired.error(),
        (
            190,
            Some(463),
            "OAuthException".into(),
            "Error validating access token: Session has expired on Tuesday, 12-Mar-30 12:00:00 PDT. The current time is Tuesday, 12-Mar-30 12:02:43 PDT.".into()
        )
    );
    assert!(expired
        .header("www-authenticate")
        .unwrap()
        .contains("invalid_token"));

    for (body, status) in [
        (
            json!({"app_id": world.app_id(), "account_id": world.creator["id"], "login": "facebook"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"app_id": world.app_id(), "account_id": world.business_id(), "login": "instagram", "scopes": ["made_up"]}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"app_id": world.app_id(), "account_id": world.business_id(), "login": "myspace"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"app_id": "1", "account_id": world.business_id(), "login": "instagram"}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let Answer {
            status: got,
            body: error,
            ..
        } = server
            .control_api(Method::POST, "/tokens")
            .json(body)
            .send()
            .await;
        assert_eq!(got, status, "{error}");
        assert!(error["error"]["message"].is_string());
    }
    server.stop().await;
}

#[tokio::test]
async fn the_clock_reads_sets_advances_and_freezes() {
    let server = TestServer::start().await;
    let Answer {
        status, body: now, ..
    } = server.control_api(Method::GET, "/clock").send().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(now["frozen"], json!(false));
    let set = server
        .post_control(
            "/clock",
            json!({"set": "2031-01-01T00:00:00Z", "frozen": true}),
        )
        .await;
    assert_eq!(set["now"], json!("2031-01-01T00:00:00Z"));
    assert_eq!(set["frozen"], json!(true));
    let advanced = server
        .post_control("/clock", json!({"advance_seconds": 90061}))
        .await;
    assert_eq!(advanced["now"], json!("2031-01-02T01:01:01Z"));
    let Answer { body: still, .. } = server.control_api(Method::GET, "/clock").send().await;
    assert_eq!(still["now"], json!("2031-01-02T01:01:01Z"));
    let running = server
        .post_control("/clock", json!({"frozen": false}))
        .await;
    assert_eq!(running["frozen"], json!(false));
    assert!(running["now"]
        .as_str()
        .unwrap()
        .starts_with("2031-01-02T01:01"));
    let Answer {
        status,
        body: error,
        ..
    } = server
        .control_api(Method::POST, "/clock")
        .json(json!({"set": "tomorrow"}))
        .send()
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error["error"]["message"],
        json!("set must be an RFC 3339 time, not \"tomorrow\"")
    );
    server.stop().await;
}

#[tokio::test]
async fn the_request_log_lists_meta_calls_newest_first() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let frozen = server.post_control("/clock", json!({"frozen": true})).await;
    server
        .get("/v24.0/me?fields=username", &world.ig_token)
        .await;
    let failed = server.get("/v24.0/me?fields=nope", &world.ig_token).await;
    let Answer { body: log, .. } = server
        .control_api(Method::GET, "/requests?limit=5")
        .send()
        .await;
    let entries = log["data"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "control calls are not logged: {log}");
    assert_eq!(entries[0]["path"], json!("/v24.0/me"));
    assert_eq!(entries[0]["status"], json!(400));
    assert_eq!(entries[0]["error_code"], json!(100));
    assert_eq!(entries[0]["fbtrace_id"], failed.body["error"]["fbtrace_id"]);
    assert_eq!(entries[0]["time"], frozen["now"]);
    assert_eq!(entries[1]["status"], json!(200));
    assert!(entries[1]["query"]
        .as_str()
        .unwrap()
        .contains("fields=username"));
    server.stop().await;
}

/// Graph calls log themselves and the web routes (OAuth dialogs, rupload, the media host)
/// through their layer: every request to a Meta host is logged exactly once, with the trace
/// id its answer carries, whatever answered it (a route, a wrong method, no route at all).
#[tokio::test]
async fn every_meta_request_is_logged_once_whatever_answers_it() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let dialog = server.graph(Method::GET, "/dialog/oauth").send().await;
    let wrong_method = server.graph(Method::PUT, "/oauth/authorize").send().await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    let graph = server.get("/v24.0/me?fields=id", &world.ig_token).await;
    let Answer { body: log, .. } = server
        .control_api(Method::GET, "/requests?limit=10")
        .send()
        .await;
    let entries = log["data"].as_array().unwrap();
    let seen: Vec<(&str, &str, u64)> = entries
        .iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap(),
                e["path"].as_str().unwrap(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("GET", "/v24.0/me", 200),
            ("PUT", "/oauth/authorize", 405),
            ("GET", "/dialog/oauth", u64::from(dialog.status.as_u16())),
        ]
    );
    assert_eq!(
        entries[0]["fbtrace_id"].as_str(),
        graph.header("x-fb-trace-id")
    );
    let ids: Vec<u64> = entries.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1] + 1), "{ids:?}");
    server.stop().await;
}

#[tokio::test]
async fn reset_wipes_everything() {
    let server = TestServer::start().await;
    let world = server.world().await;
    assert_eq!(
        server.post_control("/reset", json!({})).await,
        json!({"success": true})
    );
    let Answer { body: accounts, .. } = server.control_api(Method::GET, "/accounts").send().await;
    assert_eq!(accounts, json!({"data": []}));
    assert_eq!(
        server.get("/v24.0/me", &world.ig_token).await.error().0,
        190
    );
    server.stop().await;
}

#[tokio::test]
async fn snapshots_round_trip_the_whole_state() {
    let server = TestServer::start().await;
    let world = server.world().await;
    server
        .post_control(
            &format!("/accounts/{}/media", world.business_id()),
            json!({"caption": "kept"}),
        )
        .await;
    let Answer {
        status,
        body: snapshot,
        ..
    } = server.control_api(Method::GET, "/snapshot").send().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(snapshot["format"], json!("localgram-snapshot"));
    server.post_control("/reset", json!({})).await;

    // A snapshot that does not fit changes nothing.
    let mut broken = snapshot.clone();
    broken["tables"]["accounts"][0]["no_such_column"] = json!(1);
    let Answer { status, .. } = server
        .control_api(Method::PUT, "/snapshot")
        .json(broken)
        .send()
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let Answer { body: accounts, .. } = server.control_api(Method::GET, "/accounts").send().await;
    assert_eq!(accounts, json!({"data": []}));

    let Answer {
        status, body: ok, ..
    } = server
        .control_api(Method::PUT, "/snapshot")
        .json(snapshot.clone())
        .send()
        .await;
    assert_eq!((status, ok), (StatusCode::OK, json!({"success": true})));
    let media = server
        .get("/v24.0/me/media?fields=caption", &world.ig_token)
        .await;
    assert_eq!(media.body["data"][0]["caption"], json!("kept"));
    let Answer { body: again, .. } = server.control_api(Method::GET, "/snapshot").send().await;
    assert_eq!(again, snapshot);
    server.stop().await;
}

/// The import reads rows one at a time in dependency order: a snapshot whose tables are
/// listed children first imports the same, and a mistake anywhere, even after rows were
/// inserted, changes nothing and names itself.
#[tokio::test]
async fn snapshot_imports_are_streamed_in_dependency_order_and_all_or_nothing() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let snapshot = server.get_control("/snapshot").await;

    // Tables in reverse order: accounts' tokens and media come before the accounts.
    let tables = snapshot["tables"].as_object().unwrap();
    let reversed: serde_json::Map<String, serde_json::Value> = tables
        .iter()
        .rev()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut children_first = snapshot.clone();
    children_first["tables"] = serde_json::Value::Object(reversed);
    let put = |body: serde_json::Value| {
        server
            .control_api(Method::PUT, "/snapshot")
            .json(body)
            .send()
    };

    let mistakes = [
        (
            {
                let mut s = children_first.clone();
                // The last table imported (in dependency order) is the one broken.
                let last = tables.keys().next_back().unwrap().clone();
                s["tables"][last] = json!([{"no_such_column": 1}]);
                s
            },
            format!(
                "unknown column {}.no_such_column",
                tables.keys().next_back().unwrap()
            ),
        ),
        (
            {
                let mut s = snapshot.clone();
                s["tables"]["media"] = json!({"not": "rows"});
                s
            },
            "media must be an array".to_string(),
        ),
        (
            {
                let mut s = snapshot.clone();
                s["tables"]["media"] = json!([1]);
                s
            },
            "rows of media must be objects".to_string(),
        ),
        (
            {
                let mut s = snapshot.clone();
                s["tables"]["no_such_table"] = json!([]);
                s
            },
            "unknown table no_such_table".to_string(),
        ),
        (
            {
                let mut s = snapshot.clone();
                s["schema"] = json!(0);
                s
            },
            format!("\"schema\" must be {}", snapshot["schema"]),
        ),
    ];
    for (body, message) in mistakes {
        let Answer { status, body, .. } = put(body).await;
        assert_eq!(
            (status, body),
            (
                StatusCode::BAD_REQUEST,
                json!({"error": {"message": message, "status": 400}})
            )
        );
        // Nothing changed: the world's token still reads its account.
        let me = server.get("/v24.0/me?fields=id", &world.ig_token).await;
        assert_eq!(me.status, StatusCode::OK, "{message}");
    }
    let Answer { status, body, .. } = server
        .control_api(Method::PUT, "/snapshot")
        .header("content-type", "application/json")
        .body("{\"format\": ")
        .send()
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid JSON body: "),
        "{body}"
    );

    server.post_control("/reset", json!({})).await;
    let Answer { status, body, .. } = put(children_first).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"success": true})));
    assert_eq!(server.get_control("/snapshot").await, snapshot);
    server.stop().await;
}

#[tokio::test]
async fn the_same_seed_mints_the_same_ids() {
    let mut ids: Vec<Vec<Value>> = Vec::new();
    for _ in 0..2 {
        let server = TestServer::start_with(Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            seed: Some(99),
            ..Config::default()
        })
        .await;
        let app = server.new_app("A").await;
        let account = server
            .post_control(
                "/accounts",
                json!({"username": "same", "facebook_page": true}),
            )
            .await;
        ids.push(vec![
            app["id"].clone(),
            account["id"].clone(),
            account["page_id"].clone(),
        ]);
        server.stop().await;
    }
    assert_eq!(ids[0], ids[1]);
    let other = TestServer::start_with(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(100),
        ..Config::default()
    })
    .await;
    assert_ne!(other.new_app("A").await["id"], ids[0][0]);
    other.stop().await;
}
