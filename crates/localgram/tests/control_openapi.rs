//! The control API's OpenAPI document (issue #15): generated from the code, it names every
//! control route with its method both ways, every `$ref` in it resolves, the answers the
//! control API gives have the documented shapes field by field, and the console serves a
//! reference page for it.

mod common;

use common::{Answer, Host, Remote, TestServer};
use localgram::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

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
    // One Graph request for the request log's detail.
    server.get_ig("/v24.0/me", &world.ig_token).await;
    let logged = server.get_control("/requests?limit=1").await["data"][0]["id"].clone();
    let calls: Vec<(Method, &str, String, Option<Value>)> = vec![
        (
            Method::GET,
            "/requests/{id}",
            format!("/requests/{logged}"),
            None,
        ),
        (
            Method::GET,
            "/clock/due",
            "/clock/due?from_ms=0&to_ms=253402300799000".into(),
            None,
        ),
        (
            Method::GET,
            "/accounts/{id}/insights",
            format!("/accounts/{account}/insights"),
            None,
        ),
        (
            Method::GET,
            "/media/{id}/insights",
            format!("/media/{media_id}/insights"),
            None,
        ),
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
            Method::POST,
            "/tokens",
            "/tokens".into(),
            Some(
                json!({"app_id": app, "account_id": account, "login": "facebook", "scopes": ["instagram_basic"]}),
            ),
        ),
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
        (Method::GET, "/webhooks/tls", "/webhooks/tls".into(), None),
        (
            Method::POST,
            "/webhooks/tls",
            "/webhooks/tls".into(),
            Some(json!({"client_certificate": false})),
        ),
        (
            Method::GET,
            "/accounts/{id}/handover",
            format!("/accounts/{account}/handover"),
            None,
        ),
        (
            Method::POST,
            "/accounts/{id}/handover",
            format!("/accounts/{account}/handover"),
            Some(json!({"primary_receiver_app_id": app})),
        ),
        (Method::GET, "/apps/{id}", format!("/apps/{app}"), None),
        (
            Method::POST,
            "/apps/{id}",
            format!("/apps/{app}"),
            Some(json!({"data_deletion_url": "http://127.0.0.1:9/delete"})),
        ),
        (
            Method::POST,
            "/apps/{id}/review",
            format!("/apps/{app}/review"),
            Some(json!({"permissions": ["instagram_business_basic", "instagram_basic"]})),
        ),
        (
            Method::POST,
            "/apps/{id}/data_deletion",
            format!("/apps/{app}/data_deletion"),
            Some(json!({"account_id": account})),
        ),
        // Last: it ends the account's tokens.
        (
            Method::POST,
            "/apps/{id}/deauthorize",
            format!("/apps/{app}/deauthorize"),
            Some(json!({"account_id": account})),
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

/// Calls a control route and compares its answer with the document's 200 answer for
/// `template`; a refused call is a problem too. The answer, for the calls that follow.
async fn checked(
    server: &TestServer,
    doc: &Value,
    problems: &mut Vec<String>,
    (method, template, path): (Method, &str, &str),
    body: Option<Value>,
) -> Value {
    let mut call = server.control_api(method.clone(), path);
    if let Some(body) = body {
        call = call.json(body);
    }
    let answer = call.send().await;
    let what = format!("{method} {template}");
    if answer.status != StatusCode::OK {
        problems.push(format!("{what}: {} {}", answer.status, answer.text));
        return answer.body;
    }
    let schema = &doc["paths"][template][method.as_str().to_lowercase()]["responses"]["200"]
        ["content"]["application/json"]["schema"];
    if schema.is_object() {
        departures(doc, schema, &answer.body, &what, problems);
    } else {
        problems.push(format!("{what}: no documented answer"));
    }
    answer.body
}

#[tokio::test]
async fn the_other_side_answers_have_the_documented_shapes() {
    // The same check over the routes that act: comments, messaging, publishing, logins,
    // insights, webhooks, faults, limits, discovery, shopping, seeding and snapshots.
    use Method as M;
    let server = TestServer::start().await;
    let doc = server.get_control("/openapi.json").await;
    let world = server.world().await;
    let app = world.app["id"].as_str().unwrap().to_string();
    let acc = world.business["id"].as_str().unwrap().to_string();
    let creator = world.creator["id"].as_str().unwrap().to_string();
    let ana = server
        .post_control("/people", json!({"username": "ana"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let p = &mut Vec::new();
    let s = &server;
    let d = &doc;
    let id = |v: &Value, key: &str| v[key].as_str().map(str::to_string).unwrap_or_default();
    // Comments and the people's side.
    let media = checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/media",
            &format!("/accounts/{acc}/media"),
        ),
        Some(json!({"media_type": "IMAGE", "media_product_type": "FEED"})),
    )
    .await;
    let media = id(&media, "id");
    let reel = checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/media",
            &format!("/accounts/{acc}/media"),
        ),
        Some(json!({"media_type": "VIDEO", "media_product_type": "REELS"})),
    )
    .await;
    let reel = id(&reel, "id");
    checked(s, d, p, (M::POST, "/people/{id}/media", &format!("/people/{ana}/media")),
        Some(json!({"media_type": "IMAGE", "media_product_type": "FEED", "caption": "hi @metricsaurus"}))).await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/comments",
            &format!("/accounts/{acc}/comments"),
        ),
        Some(json!({"media_id": media, "text": "Welcome"})),
    )
    .await;
    let comment = checked(
        s,
        d,
        p,
        (
            M::POST,
            "/people/{id}/comments",
            &format!("/people/{ana}/comments"),
        ),
        Some(json!({"media_id": media, "text": "Nice"})),
    )
    .await;
    let comment = id(&comment, "id");
    checked(
        s,
        d,
        p,
        (M::PATCH, "/comments/{id}", &format!("/comments/{comment}")),
        Some(json!({"text": "Nicer"})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/people/{id}/likes",
            &format!("/people/{ana}/likes"),
        ),
        Some(json!({"media_id": media})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::DELETE,
            "/people/{id}/likes/{object_id}",
            &format!("/people/{ana}/likes/{media}"),
        ),
        None,
    )
    .await;
    checked(
        s,
        d,
        p,
        (M::DELETE, "/comments/{id}", &format!("/comments/{comment}")),
        None,
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/live",
            &format!("/accounts/{acc}/live"),
        ),
        Some(json!({})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::DELETE,
            "/accounts/{id}/live",
            &format!("/accounts/{acc}/live"),
        ),
        None,
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/media/{id}/collaborators",
            &format!("/media/{media}/collaborators"),
        ),
        Some(json!({"username": "dino.creator"})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::GET,
            "/media/{id}/collaborators",
            &format!("/media/{media}/collaborators"),
        ),
        None,
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/media/{id}/collaborators/{username}/accept",
            &format!("/media/{media}/collaborators/dino.creator/accept"),
        ),
        None,
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::DELETE,
            "/media/{id}/collaborators/{username}",
            &format!("/media/{media}/collaborators/dino.creator"),
        ),
        None,
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/media/{id}/collaborators",
            &format!("/media/{media}/collaborators"),
        ),
        Some(json!({"username": "ana"})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/media/{id}/collaborators/{username}/decline",
            &format!("/media/{media}/collaborators/ana/decline"),
        ),
        None,
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/restricted",
            &format!("/accounts/{acc}/restricted"),
        ),
        Some(json!({"person_id": ana, "restricted": true})),
    )
    .await;
    // Messaging's customer side.
    let message = checked(
        s,
        d,
        p,
        (
            M::POST,
            "/people/{id}/messages",
            &format!("/people/{ana}/messages"),
        ),
        Some(json!({"account_id": acc, "text": "hello"})),
    )
    .await;
    let mid = id(&message, "mid");
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/people/{id}/reactions",
            &format!("/people/{ana}/reactions"),
        ),
        Some(json!({"account_id": acc, "mid": mid})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/people/{id}/postbacks",
            &format!("/people/{ana}/postbacks"),
        ),
        Some(json!({"account_id": acc, "payload": "START", "title": "Get started"})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (M::POST, "/people/{id}/seen", &format!("/people/{ana}/seen")),
        Some(json!({"account_id": acc, "mid": mid})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/people/{id}/referrals",
            &format!("/people/{ana}/referrals"),
        ),
        Some(json!({"account_id": acc, "ref": "spring"})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/people/{id}/optins",
            &format!("/people/{ana}/optins"),
        ),
        Some(json!({"account_id": acc})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/people/{id}/relationships",
            &format!("/people/{ana}/relationships"),
        ),
        Some(json!({"account_id": acc, "follows_account": true})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/people/{id}/verified",
            &format!("/people/{ana}/verified"),
        ),
        Some(json!({"is_verified_user": true})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (M::PATCH, "/messages/{mid}", &format!("/messages/{mid}")),
        Some(json!({"text": "hello!"})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (M::DELETE, "/messages/{mid}", &format!("/messages/{mid}")),
        None,
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/self_messages",
            &format!("/accounts/{acc}/self_messages"),
        ),
        Some(json!({"text": "note to self"})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/messaging",
            &format!("/accounts/{acc}/messaging"),
        ),
        Some(json!({"multi_image_send": true})),
    )
    .await;
    // Publishing.
    let file = checked(
        s,
        d,
        p,
        (M::POST, "/files", "/files"),
        Some(json!({"kind": "jpeg"})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (M::POST, "/locations", "/locations"),
        Some(json!({"name": "Cafe", "latitude": 52.5, "longitude": 13.4})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/publishing",
            &format!("/accounts/{acc}/publishing"),
        ),
        Some(json!({"shopping_product_tag_eligibility": true})),
    )
    .await;
    let created = server
        .graph(Method::POST, &format!("/v24.0/{acc}/media"))
        .on(Host::Instagram)
        .bearer(&world.ig_token)
        .form(&[("image_url", file["url"].as_str().unwrap_or_default())])
        .send()
        .await;
    let container = id(&created.body, "id");
    checked(
        s,
        d,
        p,
        (
            M::GET,
            "/containers/{id}",
            &format!("/containers/{container}"),
        ),
        None,
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/containers/{id}",
            &format!("/containers/{container}"),
        ),
        Some(json!({"processing_seconds": 5})),
    )
    .await;
    // Logins and tokens.
    checked(
        s,
        d,
        p,
        (M::POST, "/login/next", "/login/next"),
        Some(json!({"account_id": acc})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (M::POST, "/apps/{id}/roles", &format!("/apps/{app}/roles")),
        Some(json!({"account_id": creator, "role": "tester"})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (M::POST, "/tokens/invalidate", "/tokens/invalidate"),
        Some(json!({"access_token": world.creator_token, "reason": "revoked"})),
    )
    .await;
    // Insights.
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/audience",
            &format!("/accounts/{acc}/audience"),
        ),
        Some(json!({"followers": 1000})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/activity",
            &format!("/accounts/{acc}/activity"),
        ),
        Some(json!({"kind": "views", "count": 3, "media_id": media})),
    )
    .await;
    // Webhooks.
    checked(
        s,
        d,
        p,
        (M::POST, "/webhooks/pause", "/webhooks/pause"),
        Some(json!({})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (M::POST, "/webhooks/resume", "/webhooks/resume"),
        Some(json!({})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (M::POST, "/webhooks/retention", "/webhooks/retention"),
        Some(json!({"max_deliveries": 1000})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (M::POST, "/webhooks/test", "/webhooks/test"),
        Some(json!({"field": "comments", "account_id": acc})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (M::POST, "/webhooks/replay", "/webhooks/replay"),
        Some(json!({})),
    )
    .await;
    let log = server
        .get_control("/webhooks/deliveries?include=skipped")
        .await;
    if let Some(delivery) = log["data"][0]["id"].as_i64() {
        checked(
            s,
            d,
            p,
            (
                M::GET,
                "/webhooks/deliveries/{id}",
                &format!("/webhooks/deliveries/{delivery}"),
            ),
            None,
        )
        .await;
    }
    // Faults and rate limits.
    let fault = checked(
        s,
        d,
        p,
        (M::POST, "/faults", "/faults"),
        Some(json!({"preset": "outage", "times": 1})),
    )
    .await;
    let fault = match &fault["id"] {
        Value::String(id) => id.clone(),
        other => other.to_string(),
    };
    checked(
        s,
        d,
        p,
        (M::GET, "/faults/{id}", &format!("/faults/{fault}")),
        None,
    )
    .await;
    checked(
        s,
        d,
        p,
        (M::DELETE, "/faults/{id}", &format!("/faults/{fault}")),
        None,
    )
    .await;
    checked(s, d, p, (M::DELETE, "/faults", "/faults"), None).await;
    checked(
        s,
        d,
        p,
        (M::POST, "/rate_limits", "/rate_limits"),
        Some(json!({"scale": 2})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (M::POST, "/rate_limits/reset", "/rate_limits/reset"),
        None,
    )
    .await;
    // Discovery and shopping.
    checked(
        s,
        d,
        p,
        (M::POST, "/hashtags", "/hashtags"),
        Some(json!({"name": "dino"})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/media/bulk",
            &format!("/accounts/{acc}/media/bulk"),
        ),
        Some(json!({"count": 2, "caption": "#dino {n}"})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/discovery",
            &format!("/accounts/{acc}/discovery"),
        ),
        Some(json!({"age_gated": false})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/people/{id}/discovery",
            &format!("/people/{ana}/discovery"),
        ),
        Some(json!({"is_private": false})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/media/{id}/views",
            &format!("/media/{reel}/views"),
        ),
        Some(json!({"view_count": 10})),
    )
    .await;
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/threads",
            &format!("/accounts/{acc}/threads"),
        ),
        Some(json!({"connected": true})),
    )
    .await;
    let catalog = checked(
        s,
        d,
        p,
        (
            M::POST,
            "/accounts/{id}/catalogs",
            &format!("/accounts/{acc}/catalogs"),
        ),
        Some(json!({"name": "Dino shop"})),
    )
    .await;
    let catalog = id(&catalog, "id");
    let product = checked(
        s,
        d,
        p,
        (
            M::POST,
            "/catalogs/{id}/products",
            &format!("/catalogs/{catalog}/products"),
        ),
        Some(json!({"name": "Dino mug"})),
    )
    .await;
    let product = id(&product, "id");
    checked(
        s,
        d,
        p,
        (
            M::POST,
            "/products/{id}/review",
            &format!("/products/{product}/review"),
        ),
        Some(json!({"review_status": "approved"})),
    )
    .await;
    // Seeding and the whole state.
    checked(
        s,
        d,
        p,
        (M::POST, "/seed", "/seed"),
        Some(json!({"prefix": "s", "accounts": 1, "people": 1, "media": 2})),
    )
    .await;
    let snapshot = checked(s, d, p, (M::GET, "/snapshot", "/snapshot"), None).await;
    checked(s, d, p, (M::POST, "/reset", "/reset"), None).await;
    checked(s, d, p, (M::PUT, "/snapshot", "/snapshot"), Some(snapshot)).await;
    assert!(
        p.is_empty(),
        "answers departing from the document:\n{}",
        p.join("\n")
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

#[tokio::test]
async fn beyond_loopback_the_reference_page_loads_and_the_document_needs_the_token() {
    // Listening on every interface; the test still talks to 127.0.0.1 only. The page and its
    // script hold no state and load without the token; the document they fetch needs it
    // (the page sends the console's token, kept from ?localgram_token=).
    let server = TestServer::start_with(Config {
        listen: "0.0.0.0:0".parse().unwrap(),
        control_token: Some("s3cret".into()),
        ..Config::default()
    })
    .await;
    let remote = Remote::new(&format!("http://127.0.0.1:{}", server.server.addr.port()));
    for path in ["/console/api", "/console/api-reference.js"] {
        let asset = remote.control_api(Method::GET, path).send().await;
        assert_eq!(asset.status, StatusCode::OK, "{path}");
    }
    let refused = remote
        .control_api(Method::GET, "/openapi.json")
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.body["error"]["status"], json!(401));
    let script = remote
        .control_api(Method::GET, "/console/api-reference.js")
        .send()
        .await
        .text;
    assert!(script.contains("X-Localgram-Token") && script.contains("localgram_token"));
    let allowed = remote
        .control_api(Method::GET, "/openapi.json")
        .header("X-Localgram-Token", "s3cret")
        .send()
        .await;
    assert_eq!(allowed.status, StatusCode::OK);
    assert_eq!(
        allowed.body["info"]["title"],
        json!("localgram control API")
    );
    server.stop().await;
}
