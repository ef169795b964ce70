//! The control API contract under `/_localgram/` (issue #2's shapes), the virtual clock and
//! what it drives, the request log, reset and snapshots.

mod common;

use common::{Answer, TestServer};
use localgram::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

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

/// The control routes the router declares in `src/sim/mod.rs`, as (METHOD, path template).
fn declared_routes() -> BTreeSet<(String, String)> {
    let source = include_str!("../src/sim/mod.rs");
    let mut routes = BTreeSet::new();
    for call in source.split(".route(").skip(1) {
        // The call runs to the next `.route(` or to the fallback: its path, then its methods.
        let call = call.split(".fallback(").next().unwrap_or(call);
        let Some(path) = call.split('"').nth(1) else {
            continue;
        };
        for method in ["get", "post", "put", "patch", "delete"] {
            for (i, _) in call.match_indices(&format!("{method}(")) {
                let before = call[..i].chars().last();
                if matches!(before, Some(c) if c.is_alphanumeric() || c == '_' || c == ':') {
                    continue; // part of a longer name, such as `reset(` or `::get(`
                }
                routes.insert((method.to_uppercase(), path.to_string()));
            }
        }
    }
    routes
}

fn documented_routes(doc: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if method != "parameters" {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

#[tokio::test]
async fn the_openapi_document_describes_every_control_route() {
    let server = TestServer::start().await;
    let response = server
        .control_api(Method::GET, "/openapi.json")
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.headers["content-type"], "application/json");
    let doc = response.body;
    assert_eq!(doc["openapi"], json!("3.1.0"));
    assert_eq!(doc["info"]["title"], json!("localgram control API"));
    assert_eq!(doc["servers"], json!([{"url": "/_localgram"}]));
    // The router and the document name the same routes with the same methods, both ways.
    let declared = declared_routes();
    let documented = documented_routes(&doc);
    assert!(declared.len() >= 97, "{} routes declared", declared.len());
    let undocumented: Vec<_> = declared.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the document: {undocumented:?}"
    );
    let unrouted: Vec<_> = documented.difference(&declared).collect();
    assert!(
        unrouted.is_empty(),
        "documented routes the router lacks: {unrouted:?}"
    );
    // Every operation says what it does, has its own id, names its path parameters and
    // answers 200.
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let what = format!("{method} {path}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{what}"
            );
            assert!(
                ids.insert(op["operationId"].as_str().unwrap().to_string()),
                "{what}"
            );
            assert!(op["responses"]["200"].is_object(), "{what}");
            assert!(
                op["tags"].as_array().is_some_and(|t| t.len() == 1),
                "{what}"
            );
            for name in path.split('{').skip(1).filter_map(|p| p.split('}').next()) {
                let declared = op["parameters"].as_array().is_some_and(|params| {
                    params
                        .iter()
                        .any(|p| p["name"] == json!(name) && p["in"] == json!("path"))
                });
                assert!(
                    declared,
                    "{what} does not describe its path parameter {name}"
                );
            }
        }
    }
    // `localgram openapi` prints the same document.
    let printed: Value = serde_json::from_str(localgram::sim::openapi::document()).unwrap();
    assert_eq!(printed, doc);
    let Answer {
        status,
        body: error,
        ..
    } = server.control_api(Method::GET, "/nope").send().await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error["error"]["status"], json!(404));
    server.stop().await;
}

/// Where `value` departs from `schema` (types, enums, required fields, and fields the
/// schema does not document), each as `at: what`.
fn departures(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let schema = match schema["$ref"].as_str() {
        Some(reference) => resolve(doc, reference).unwrap(),
        None => schema,
    };
    if let Some(choices) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let fits = choices.iter().any(|choice| {
            let mut inner = Vec::new();
            departures(doc, choice, value, at, &mut inner);
            inner.is_empty()
        });
        if !fits {
            out.push(format!("{at}: {value} fits none of {choices:?}"));
        }
        return;
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let actual = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let typed = types.is_empty()
        || types.contains(&actual)
        || (actual == "integer" && types.contains(&"number"));
    if !typed {
        out.push(format!("{at}: {actual} where the document says {types:?}"));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            out.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    match value {
        Value::Object(fields) => {
            let properties = schema["properties"].as_object();
            for name in schema["required"].as_array().into_iter().flatten() {
                if !fields.contains_key(name.as_str().unwrap()) {
                    out.push(format!("{at}: required {name} missing"));
                }
            }
            for (name, field) in fields {
                let at = format!("{at}.{name}");
                match properties.and_then(|p| p.get(name)) {
                    Some(documented) => departures(doc, documented, field, &at, out),
                    None if schema["additionalProperties"].is_object() => {
                        departures(doc, &schema["additionalProperties"], field, &at, out)
                    }
                    None if properties.is_some() => out.push(format!("{at}: not documented")),
                    None => {}
                }
            }
        }
        Value::Array(items) if schema["items"].is_object() => {
            for (i, item) in items.iter().enumerate() {
                departures(doc, &schema["items"], item, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn control_answers_have_the_documented_shapes() {
    // The answers' shapes are written beside the handlers (src/sim/openapi/answers.rs), not
    // derived from them: real answers keep them true, field by field.
    let server = TestServer::start().await;
    let doc = server.get_control("/openapi.json").await;
    let world = server.world().await;
    let app = world.app["id"].as_str().unwrap().to_string();
    let account = world.business["id"].as_str().unwrap().to_string();
    let person = server
        .post_control("/people", json!({"username": "ana", "name": "Ana"}))
        .await;
    let ana = person["id"].as_str().unwrap().to_string();
    let media = server
        .post_control(
            &format!("/accounts/{account}/media"),
            json!({"media_type": "IMAGE", "media_product_type": "FEED", "caption": "Hi #dino @ana"}),
        )
        .await;
    let media_id = media["id"].as_str().unwrap().to_string();
    let calls: Vec<(Method, &str, String, Option<Value>)> = vec![
        (Method::GET, "/apps", "/apps".into(), None),
        (Method::GET, "/accounts", "/accounts".into(), None),
        (
            Method::GET,
            "/accounts/{id}",
            format!("/accounts/{account}"),
            None,
        ),
        (Method::GET, "/people", "/people".into(), None),
        (Method::GET, "/clock", "/clock".into(), None),
        (
            Method::POST,
            "/clock",
            "/clock".into(),
            Some(json!({"advance_seconds": 60})),
        ),
        (
            Method::POST,
            "/people/{id}/comments",
            format!("/people/{ana}/comments"),
            Some(json!({"media_id": media_id, "text": "Nice @metricsaurus"})),
        ),
        (
            Method::POST,
            "/people/{id}/likes",
            format!("/people/{ana}/likes"),
            Some(json!({"media_id": media_id})),
        ),
        (
            Method::GET,
            "/media/{id}",
            format!("/media/{media_id}"),
            None,
        ),
        (
            Method::GET,
            "/accounts/{id}/media",
            format!("/accounts/{account}/media"),
            None,
        ),
        (
            Method::POST,
            "/people/{id}/messages",
            format!("/people/{ana}/messages"),
            Some(json!({"account_id": account, "text": "hello"})),
        ),
        (
            Method::GET,
            "/people/{id}/messages",
            format!("/people/{ana}/messages?account_id={account}"),
            None,
        ),
        (
            Method::GET,
            "/accounts/{id}/conversations",
            format!("/accounts/{account}/conversations"),
            None,
        ),
        (
            Method::GET,
            "/accounts/{id}/containers",
            format!("/accounts/{account}/containers"),
            None,
        ),
        (Method::GET, "/tokens", "/tokens".into(), None),
        (
            Method::GET,
            "/tokens/inspect",
            format!("/tokens/inspect?access_token={}", world.ig_token),
            None,
        ),
        (Method::GET, "/requests", "/requests".into(), None),
        (Method::GET, "/webhooks", "/webhooks".into(), None),
        (
            Method::GET,
            "/webhooks/deliveries",
            "/webhooks/deliveries?include=skipped,body".into(),
            None,
        ),
        (
            Method::GET,
            "/webhooks/stats",
            "/webhooks/stats".into(),
            None,
        ),
        (
            Method::GET,
            "/webhooks/retention",
            "/webhooks/retention".into(),
            None,
        ),
        (Method::GET, "/faults", "/faults".into(), None),
        (Method::GET, "/rate_limits", "/rate_limits".into(), None),
        (
            Method::GET,
            "/accounts/{id}/publishing",
            format!("/accounts/{account}/publishing"),
            None,
        ),
        (
            Method::GET,
            "/accounts/{id}/audience",
            format!("/accounts/{account}/audience"),
            None,
        ),
        (
            Method::GET,
            "/apps/{id}/roles",
            format!("/apps/{app}/roles"),
            None,
        ),
        (
            Method::GET,
            "/apps/{id}/webhooks",
            format!("/apps/{app}/webhooks"),
            None,
        ),
    ];
    let mut problems = Vec::new();
    let documented = |method: &Method, template: &str| {
        doc["paths"][template][method.as_str().to_lowercase()]["responses"]["200"]["content"]
            ["application/json"]["schema"]
            .clone()
    };
    for (method, template, path) in [
        (Method::POST, "/apps", &world.app),
        (Method::POST, "/accounts", &world.business),
        (Method::POST, "/people", &person),
        (Method::POST, "/accounts/{id}/media", &media),
    ] {
        departures(
            &doc,
            &documented(&method, template),
            path,
            &format!("{method} {template}"),
            &mut problems,
        );
    }
    for (method, template, path, body) in calls {
        let mut call = server.control_api(method.clone(), &path);
        if let Some(body) = body {
            call = call.json(body);
        }
        let answer = call.send().await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{method} {path}: {}",
            answer.text
        );
        let schema = documented(&method, template);
        assert!(
            schema.is_object(),
            "{method} {template} has no documented answer"
        );
        departures(
            &doc,
            &schema,
            &answer.body,
            &format!("{method} {template}"),
            &mut problems,
        );
    }
    assert!(
        problems.is_empty(),
        "answers departing from the document:\n{}",
        problems.join("\n")
    );
    server.stop().await;
}

#[tokio::test]
async fn the_console_serves_a_reference_page_for_the_document() {
    let server = TestServer::start().await;
    let page = server.control_api(Method::GET, "/console/api").send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(page.text.contains("/_localgram/console/api-reference.js"));
    let script = server
        .control_api(Method::GET, "/console/api-reference.js")
        .send()
        .await;
    assert_eq!(script.status, StatusCode::OK);
    assert_eq!(
        script.headers["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(script.text.contains("/_localgram/openapi.json"));
    // Nothing from elsewhere, and the document's text is never parsed as HTML.
    for text in [&page.text, &script.text] {
        assert!(!text.contains("http://") && !text.contains("https://"));
    }
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!script.text.contains(sink), "the reference uses {sink}");
    }
    // The console links to it.
    let console = server.control_api(Method::GET, "/console").send().await;
    assert!(console.text.contains("href=\"/_localgram/console/api\""));
    server.stop().await;
}

/// Follows a local `$ref` (`#/components/...`) to what it names.
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    doc.pointer(pointer)
}

fn collect_refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                out.push(reference);
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_served_openapi_document_is_valid_and_every_reference_resolves() {
    let server = TestServer::start().await;
    let doc = server.get_control("/openapi.json").await;
    server.stop().await;
    // The OpenAPI 3.1 object's required members and their types.
    assert!(doc["info"]["version"].is_string());
    assert!(doc["paths"].as_object().is_some_and(|p| !p.is_empty()));
    for (path, item) in doc["paths"].as_object().unwrap() {
        assert!(path.starts_with('/'), "{path}");
        for (method, op) in item.as_object().unwrap() {
            assert!(
                ["get", "post", "put", "patch", "delete"].contains(&method.as_str()),
                "{method} {path}"
            );
            for (status, response) in op["responses"].as_object().unwrap() {
                assert!(status.parse::<u16>().is_ok(), "{method} {path} {status}");
                let response = match response["$ref"].as_str() {
                    Some(reference) => resolve(&doc, reference).unwrap(),
                    None => response,
                };
                assert!(
                    response["description"].is_string(),
                    "{method} {path} {status}"
                );
            }
            if let Some(params) = op["parameters"].as_array() {
                for p in params {
                    assert!(["path", "query"].contains(&p["in"].as_str().unwrap()));
                    assert!(p["schema"].is_object(), "{method} {path} {p}");
                    if p["in"] == json!("path") {
                        assert_eq!(p["required"], json!(true), "{method} {path} {p}");
                    }
                }
            }
        }
    }
    // Every `$ref` names a component that exists; every schema component is used.
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 200, "{} references", refs.len());
    for reference in &refs {
        assert!(reference.starts_with("#/components/"), "{reference}");
        assert!(
            resolve(&doc, reference).is_some(),
            "{reference} does not resolve"
        );
    }
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        let reference = format!("#/components/schemas/{name}");
        assert!(
            refs.contains(&reference.as_str()),
            "{name} is never referenced"
        );
    }
    // The error every route answers is the shape the control API sends.
    let error = resolve(&doc, "#/components/responses/Error").unwrap();
    let schema = &error["content"]["application/json"]["schema"];
    assert_eq!(schema["required"], json!(["error"]));
    let detail = resolve(
        &doc,
        schema["properties"]["error"]["$ref"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(detail["required"], json!(["message", "status"]));
}
