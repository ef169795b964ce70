//! The control API's views for the console (issue #15): an account's grid, a media's thread as
//! the moderator sees it, the inbox with its 24-hour windows, containers with their status on
//! the virtual clock, tokens, an app's webhook configuration, the request log's filters, the
//! change feed as server-sent events, and the console's page and assets.

mod common;

use common::{Host, TestServer};
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

async fn person(server: &TestServer, username: &str) -> String {
    server
        .post_control("/people", json!({"username": username}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn the_grid_pages_an_accounts_media_newest_first() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    for i in 0..5 {
        server
            .post_control(
                &format!("/accounts/{id}/media"),
                json!({"caption": format!("post {i}"), "timestamp": format!("2025-01-0{}T10:00:00Z", i + 1)}),
            )
            .await;
    }
    server
        .post_control(
            &format!("/accounts/{id}/media"),
            json!({"media_product_type": "STORY", "caption": "a story"}),
        )
        .await;
    let first = server
        .get_control(&format!("/accounts/{id}/media?limit=2"))
        .await;
    let captions = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["caption"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(captions(&first), ["post 4", "post 3"]);
    assert_eq!(first["media_count"], json!(5));
    assert_eq!(first["data"][0]["timestamp"], json!("2025-01-05T10:00:00Z"));
    assert_eq!(first["data"][0]["media_type"], json!("IMAGE"));
    assert_eq!(first["data"][0]["is_live"], json!(false));
    let after = first["paging"]["after"].as_str().unwrap();
    let second = server
        .get_control(&format!("/accounts/{id}/media?limit=2&after={after}"))
        .await;
    assert_eq!(captions(&second), ["post 2", "post 1"]);
    // The count comes with the first page only.
    assert_eq!(second.get("media_count"), None);
    let after = second["paging"]["after"].as_str().unwrap();
    let last = server
        .get_control(&format!("/accounts/{id}/media?limit=2&after={after}"))
        .await;
    assert_eq!(captions(&last), ["post 0"]);
    assert_eq!(last["paging"]["after"], Value::Null);
    let stories = server
        .get_control(&format!("/accounts/{id}/media?kind=stories"))
        .await;
    assert_eq!(captions(&stories), ["a story"]);
    // A day later the story is gone from the list (stories live 24 hours).
    server
        .post_control("/clock", json!({"advance_seconds": 86_401}))
        .await;
    let stories = server
        .get_control(&format!("/accounts/{id}/media?kind=stories"))
        .await;
    assert_eq!(stories["data"], json!([]));
    let bad = server
        .control_api(Method::GET, &format!("/accounts/{id}/media?kind=reels"))
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.body["error"]["message"],
        json!("kind must be feed or stories, not \"reels\"")
    );
    let none = server
        .control_api(Method::GET, "/accounts/123/media")
        .send()
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert_eq!(none.body["error"]["message"], json!("no account 123"));
    server.stop().await;
}

#[tokio::test]
async fn the_thread_shows_hidden_and_restricted_comments_marked() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    let media = server
        .post_control(
            &format!("/accounts/{id}/media"),
            json!({"caption": "<script>alert(1)</script>"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ana = person(&server, "ana").await;
    let bo = person(&server, "bo").await;
    let first = server
        .post_control(
            &format!("/people/{ana}/comments"),
            json!({"media_id": media, "text": "first"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = server
        .post_control(
            &format!("/accounts/{id}/comments"),
            json!({"media_id": media, "text": "thanks!", "parent_id": first}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let second = server
        .post_control(
            &format!("/people/{bo}/comments"),
            json!({"media_id": media, "text": "spam"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The account hides ana's comment (ref 004 comment moderation) and restricts bo.
    let hidden = server
        .graph(Method::POST, &format!("/v24.0/{first}?hide=true"))
        .on(Host::Instagram)
        .bearer(&world.ig_token)
        .send()
        .await;
    assert_eq!(hidden.body, json!({"success": true}));
    server
        .post_control(
            &format!("/accounts/{id}/restricted"),
            json!({"person_id": bo}),
        )
        .await;
    let thread = server.get_control(&format!("/media/{media}")).await;
    assert_eq!(thread["caption"], json!("<script>alert(1)</script>"));
    assert_eq!(
        thread["owner"],
        json!({"kind": "account", "id": id, "username": "metricsaurus"})
    );
    assert_eq!(thread["comments_count"], json!(3));
    let comments = thread["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["id"], json!(first));
    assert_eq!(comments[0]["hidden"], json!(true));
    assert_eq!(comments[0]["restricted"], json!(false));
    assert_eq!(
        comments[0]["from"],
        json!({"kind": "person", "id": ana, "username": "ana"})
    );
    assert_eq!(comments[0]["replies"][0]["id"], json!(reply));
    assert_eq!(comments[0]["replies"][0]["parent_id"], json!(first));
    assert_eq!(
        comments[0]["replies"][0]["from"],
        json!({"kind": "account", "id": id, "username": "metricsaurus"})
    );
    // The Graph API leaves a restricted person's comment out; the moderator's view marks it.
    assert_eq!(comments[1]["id"], json!(second));
    assert_eq!(comments[1]["restricted"], json!(true));
    assert_eq!(comments[1]["hidden"], json!(false));
    let missing = server.control_api(Method::GET, "/media/42").send().await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["error"]["message"], json!("no media 42"));
    server.stop().await;
}

/// Hidden and deleted comments carry who moderated them and when: the app through its token
/// (ref 001 L3795-3831: hiding and deleting comments), or the author through the control API.
/// Graph API answers do not change: a deleted comment is gone and a hidden one shows only
/// `hidden`.
#[tokio::test]
async fn the_thread_marks_who_moderated_each_comment_and_when() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    server
        .post_control(
            "/clock",
            json!({"set": "2026-03-01T10:00:00Z", "frozen": true}),
        )
        .await;
    let media = server
        .created(&format!("/accounts/{id}/media"), json!({"caption": "x"}))
        .await;
    let ana = person(&server, "ana").await;
    let bo = person(&server, "bo").await;
    let first = server
        .created(
            &format!("/people/{ana}/comments"),
            json!({"media_id": media, "text": "first"}),
        )
        .await;
    let spam = server
        .created(
            &format!("/people/{bo}/comments"),
            json!({"media_id": media, "text": "<b>spam</b>"}),
        )
        .await;
    let spam_reply = server
        .created(
            &format!("/people/{ana}/comments"),
            json!({"media_id": media, "text": "who?", "parent_id": spam}),
        )
        .await;
    let own_reply = server
        .created(
            &format!("/people/{bo}/comments"),
            json!({"media_id": media, "text": "me too", "parent_id": first}),
        )
        .await;
    let advance = |seconds: i64| {
        let server = &server;
        async move {
            server
                .post_control("/clock", json!({"advance_seconds": seconds}))
                .await;
        }
    };
    advance(60).await;
    let hidden = server
        .graph(Method::POST, &format!("/v24.0/{first}?hide=true"))
        .on(Host::Instagram)
        .bearer(&world.ig_token)
        .send()
        .await;
    assert_eq!(hidden.body, json!({"success": true}));
    advance(60).await;
    let deleted = server
        .graph(Method::DELETE, &format!("/v24.0/{spam}"))
        .on(Host::Instagram)
        .bearer(&world.ig_token)
        .send()
        .await;
    assert_eq!(deleted.body, json!({"success": true}));
    let own = server
        .control_api(Method::DELETE, &format!("/comments/{own_reply}"))
        .send()
        .await;
    assert_eq!(own.status, StatusCode::OK);

    let app = json!({"id": world.app_id(), "name": "Test App"});
    let by_app = |action: &str, at: &str| {
        json!({
            "action": action,
            "via": "graph_api",
            "by": {"kind": "instagram_user", "id": id, "username": "metricsaurus"},
            "app": app,
            "at": at,
        })
    };
    let thread = server.get_control(&format!("/media/{media}")).await;
    let comments = thread["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["id"], json!(first));
    assert_eq!(comments[0]["hidden"], json!(true));
    assert_eq!(comments[0]["deleted"], json!(false));
    assert_eq!(
        comments[0]["moderation"],
        by_app("hidden", "2026-03-01T10:01:00Z")
    );
    assert_eq!(
        comments[0]["replies"],
        json!([{
            "id": own_reply,
            "parent_id": first,
            "text": "me too",
            "from": {"kind": "person", "id": bo, "username": "bo"},
            "hidden": false,
            "deleted": true,
            "restricted": false,
            "like_count": null,
            "timestamp": "2026-03-01T10:00:00Z",
            "moderation": {
                "action": "deleted",
                "via": "control_api",
                "by": {"kind": "person", "id": bo, "username": "bo"},
                "app": null,
                "at": "2026-03-01T10:02:00Z",
            },
            "replies": [],
        }])
    );
    // The deleted comment comes back where it was, its reply (deleted with it) under it.
    assert_eq!(comments[1]["id"], json!(spam));
    assert_eq!(comments[1]["text"], json!("<b>spam</b>"));
    assert_eq!(comments[1]["deleted"], json!(true));
    assert_eq!(
        comments[1]["moderation"],
        by_app("deleted", "2026-03-01T10:02:00Z")
    );
    assert_eq!(comments[1]["replies"][0]["id"], json!(spam_reply));
    assert_eq!(
        comments[1]["replies"][0]["moderation"],
        by_app("deleted", "2026-03-01T10:02:00Z")
    );
    // Unhiding is recorded too.
    advance(3600).await;
    server
        .graph(Method::POST, &format!("/v24.0/{first}?hide=false"))
        .on(Host::Instagram)
        .bearer(&world.ig_token)
        .send()
        .await;
    let thread = server.get_control(&format!("/media/{media}")).await;
    assert_eq!(thread["comments"][0]["hidden"], json!(false));
    assert_eq!(
        thread["comments"][0]["moderation"],
        by_app("unhidden", "2026-03-01T11:02:00Z")
    );

    // Meta's shapes stay as they were: no trace of the deleted comment, nothing added.
    let listed = server
        .get_ig(
            &format!("/v24.0/{media}/comments?fields=id,text,hidden"),
            &world.ig_token,
        )
        .await;
    assert_eq!(
        listed.body["data"],
        json!([{"id": first, "text": "first", "hidden": false}])
    );
    let gone = server
        .get_ig(&format!("/v24.0/{spam}?fields=id"), &world.ig_token)
        .await;
    assert_eq!(gone.status, StatusCode::BAD_REQUEST);
    server.stop().await;
}

#[tokio::test]
async fn the_inbox_shows_each_conversation_and_its_window() {
    // The standard messaging window is 24 hours from the person's last message (ref 000
    // messaging window; messaging/rules.rs STANDARD_WINDOW_MS).
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    server
        .post_control(
            "/clock",
            json!({"set": "2025-02-01T09:00:00Z", "frozen": true}),
        )
        .await;
    let ana = person(&server, "ana").await;
    let bo = person(&server, "bo").await;
    server
        .post_control(
            &format!("/people/{ana}/messages"),
            json!({"account_id": id, "text": "hi <b>there</b>"}),
        )
        .await;
    server
        .post_control("/clock", json!({"advance_seconds": 3600}))
        .await;
    server
        .post_control(
            &format!("/people/{bo}/messages"),
            json!({"account_id": id, "text": "hello"}),
        )
        .await;
    let inbox = server
        .get_control(&format!("/accounts/{id}/conversations"))
        .await;
    let data = inbox["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["person"]["username"], json!("bo"));
    assert_eq!(data[1]["person"]["username"], json!("ana"));
    assert_eq!(data[1]["window_open"], json!(true));
    assert_eq!(data[1]["window_closes_at"], json!("2025-02-02T09:00:00Z"));
    assert_eq!(data[1]["message_count"], json!(1));
    assert_eq!(data[1]["last_message"]["text"], json!("hi <b>there</b>"));
    assert_eq!(data[1]["last_message"]["from"], json!("person"));
    // Past ana's 24 hours, not bo's.
    server
        .post_control("/clock", json!({"advance_seconds": 23.5 * 3600.0}))
        .await;
    let inbox = server
        .get_control(&format!("/accounts/{id}/conversations"))
        .await;
    assert_eq!(inbox["data"][0]["window_open"], json!(true));
    assert_eq!(inbox["data"][1]["window_open"], json!(false));
    // Paged.
    let page = server
        .get_control(&format!("/accounts/{id}/conversations?limit=1"))
        .await;
    let after = page["paging"]["after"].as_str().unwrap();
    let next = server
        .get_control(&format!(
            "/accounts/{id}/conversations?limit=1&after={after}"
        ))
        .await;
    assert_eq!(next["data"][0]["person"]["username"], json!("ana"));
    server.stop().await;
}

#[tokio::test]
async fn containers_are_listed_with_their_status_on_the_virtual_clock() {
    // A container not published within 24 hours expires (ref 001 container status EXPIRED).
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    server.post_control("/clock", json!({"frozen": true})).await;
    let file = server
        .post_control(
            "/files",
            json!({"kind": "jpeg", "width": 1080, "height": 1080}),
        )
        .await;
    let created = server
        .graph(Method::POST, &format!("/v24.0/{id}/media"))
        .on(Host::Instagram)
        .bearer(&world.ig_token)
        .form(&[("image_url", file["url"].as_str().unwrap())])
        .send()
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    let container = created.body["id"].as_str().unwrap().to_string();
    server
        .post_control("/clock", json!({"advance_seconds": 60}))
        .await;
    let list = server
        .get_control(&format!("/accounts/{id}/containers"))
        .await;
    assert_eq!(list["data"][0]["id"], json!(container));
    assert_eq!(list["data"][0]["status_code"], json!("FINISHED"));
    assert_eq!(
        list["data"][0],
        server
            .get_control(&format!("/containers/{container}"))
            .await
    );
    server
        .post_control("/clock", json!({"advance_seconds": 86_400}))
        .await;
    let list = server
        .get_control(&format!("/accounts/{id}/containers"))
        .await;
    assert_eq!(list["data"][0]["status_code"], json!("EXPIRED"));
    server.stop().await;
}

#[tokio::test]
async fn tokens_are_listed_and_an_apps_webhooks_shown() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    // The Facebook Login token brought its Page token with it.
    let all = server.get_control("/tokens").await;
    let mut kinds: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        ["facebook_user", "instagram_user", "instagram_user", "page"]
    );
    let mine = server
        .get_control(&format!("/tokens?subject_id={id}"))
        .await;
    let tokens: Vec<&str> = mine["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["access_token"].as_str().unwrap())
        .collect();
    assert_eq!(tokens, [world.ig_token.as_str()]);
    assert_eq!(mine["data"][0]["status"], json!("valid"));
    assert_eq!(mine["data"][0]["kind"], json!("instagram_user"));
    let hooks = server
        .get_control(&format!("/apps/{}/webhooks", world.app_id()))
        .await;
    assert_eq!(
        hooks,
        json!({"app_id": world.app_id(), "subscriptions": [], "accounts": [], "paused": false})
    );
    server
        .post_control("/webhooks/pause", json!({"app_id": world.app_id()}))
        .await;
    let hooks = server
        .get_control(&format!("/apps/{}/webhooks", world.app_id()))
        .await;
    assert_eq!(hooks["paused"], json!(true));
    let none = server
        .control_api(Method::GET, "/apps/9/webhooks")
        .send()
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn the_request_log_filters_by_path_status_method_and_host() {
    let server = TestServer::start().await;
    let world = server.world().await;
    server.get_ig("/v24.0/me?fields=id", &world.ig_token).await;
    server.get_ig("/v24.0/me?fields=id", "IGAAbad").await;
    server.get_fb("/v24.0/me/accounts", &world.fb_token).await;
    let paths = |query: &str| {
        let server = &server;
        let query = query.to_string();
        async move {
            server.get_control(&format!("/requests{query}")).await["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| format!("{} {}", r["status"], r["path"].as_str().unwrap()))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        paths("?path=/me").await,
        ["200 /v24.0/me/accounts", "400 /v24.0/me", "200 /v24.0/me"]
    );
    assert_eq!(paths("?status=4xx").await, ["400 /v24.0/me"]);
    assert_eq!(
        paths("?status=200&host=graph.instagram.com").await,
        ["200 /v24.0/me"]
    );
    assert_eq!(
        paths("?path=accounts&method=get").await,
        ["200 /v24.0/me/accounts"]
    );
    assert_eq!(paths("?method=POST").await, Vec::<String>::new());
    let bad = server
        .control_api(Method::GET, "/requests?status=teapot")
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.body["error"]["message"],
        json!("status must be a code (404) or a class (4xx), not \"teapot\"")
    );
    server.stop().await;
}

/// Each request's whole exchange: what the app sent (method, URL, headers, body) and what it
/// got (status, headers, body), bodies cut at 16 KiB and binary bodies left out; the list
/// filters by token and by app (either of its ids).
#[tokio::test]
async fn the_request_log_keeps_each_exchange_and_filters_by_token_and_app() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    let media = server
        .created(&format!("/accounts/{id}/media"), json!({"caption": "x"}))
        .await;
    let comment = server
        .graph(Method::POST, &format!("/v24.0/{media}/comments"))
        .on(Host::Instagram)
        .bearer(&world.ig_token)
        .form(&[("message", "<script>hi</script>")])
        .send()
        .await;
    let comment_id = comment.body["id"].as_str().unwrap().to_string();
    server.get_fb("/v24.0/me/accounts", &world.fb_token).await;
    let other = server.new_app("Other App").await;
    let other_token = server
        .token(other["id"].as_str().unwrap(), id, "instagram", None)
        .await;
    server.get_ig("/v24.0/me?fields=id", &other_token).await;
    server.get_ig("/v24.0/me?fields=id", "IGAAbad").await;

    let listed = server
        .get_control(&format!("/requests?token={}", world.ig_token))
        .await;
    let entries = listed["data"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0]["path"],
        json!(format!("/v24.0/{media}/comments"))
    );
    assert_eq!(entries[0]["token"], json!(world.ig_token));
    assert_eq!(entries[0]["app_id"], json!(world.app_id()));
    let paths = |query: String| {
        let server = &server;
        async move {
            server.get_control(&format!("/requests{query}")).await["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["path"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        paths(format!("?app={}", world.app_id())).await,
        [
            "/v24.0/me/accounts".to_string(),
            format!("/v24.0/{media}/comments")
        ]
    );
    // An Instagram Login app is also known by its Instagram app id.
    let instagram_app_id = world.app["instagram_app_id"].as_str().unwrap();
    assert_eq!(
        paths(format!("?app={instagram_app_id}&host=graph.facebook.com")).await,
        ["/v24.0/me/accounts"]
    );
    assert_eq!(
        paths(format!("?app={}", other["id"].as_str().unwrap())).await,
        ["/v24.0/me"]
    );
    // A token that does not resolve is logged as sent, with no app.
    let bad = server.get_control("/requests?token=IGAAbad").await;
    assert_eq!(bad["data"][0]["app_id"], json!(null));
    assert_eq!(bad["data"][0]["status"], json!(400));

    let n = entries[0]["id"].as_u64().unwrap();
    let exchange = server.get_control(&format!("/requests/{n}")).await;
    let request = &exchange["request"];
    assert_eq!(request["method"], json!("POST"));
    assert_eq!(
        request["url"],
        json!(format!("http://graph.instagram.com/v24.0/{media}/comments"))
    );
    assert_eq!(
        request["headers"]["authorization"],
        json!(format!("Bearer {}", world.ig_token))
    );
    assert_eq!(
        request["headers"]["content-type"],
        json!("application/x-www-form-urlencoded")
    );
    let sent = "message=%3Cscript%3Ehi%3C%2Fscript%3E";
    assert_eq!(request["body"], json!(sent));
    assert_eq!(request["body_size"], json!(sent.len()));
    assert_eq!(request["body_truncated"], json!(false));
    assert_eq!(request["body_omitted"], json!(null));
    let response = &exchange["response"];
    assert_eq!(response["status"], json!(200));
    assert_eq!(
        response["headers"]["content-type"],
        json!("application/json; charset=UTF-8")
    );
    let answered = format!("{{\"id\":\"{comment_id}\"}}");
    assert_eq!(response["body"], json!(answered));
    assert_eq!(response["body_size"], json!(answered.len()));
    assert_eq!(exchange["token"], json!(world.ig_token));
    assert_eq!(exchange["status"], json!(200));

    // Bodies are cut at 16 KiB; binary bodies are left out.
    let long = "a".repeat(20_000);
    server
        .graph(Method::POST, &format!("/v24.0/{media}/comments"))
        .on(Host::Instagram)
        .bearer(&world.ig_token)
        .form(&[("message", long.as_str())])
        .send()
        .await;
    let n = server.get_control("/requests?limit=1").await["data"][0]["id"]
        .as_u64()
        .unwrap();
    let exchange = server.get_control(&format!("/requests/{n}")).await;
    assert_eq!(exchange["request"]["body_size"], json!(20_008));
    assert_eq!(exchange["request"]["body_truncated"], json!(true));
    assert_eq!(
        exchange["request"]["body"].as_str().unwrap().len(),
        16 * 1024
    );
    server
        .graph(Method::POST, &format!("/v24.0/{media}/comments"))
        .on(Host::Instagram)
        .bearer(&world.ig_token)
        .header("Content-Type", "application/octet-stream")
        .body(vec![0u8, 159, 146, 150])
        .send()
        .await;
    let n = server.get_control("/requests?limit=1").await["data"][0]["id"]
        .as_u64()
        .unwrap();
    let exchange = server.get_control(&format!("/requests/{n}")).await;
    assert_eq!(exchange["request"]["body"], json!(null));
    assert_eq!(exchange["request"]["body_size"], json!(4));
    assert_eq!(exchange["request"]["body_omitted"], json!("binary content"));

    let missing = server
        .control_api(Method::GET, "/requests/999999")
        .send()
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.body["error"]["message"],
        json!("no request 999999 in the log")
    );
    server.stop().await;
}

/// The next server-sent event of `kind` (skipping others), as (name, data).
async fn next_event(
    stream: &mut (impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    buffer: &mut String,
    kind: &str,
) -> Value {
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut name = "message";
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    name = v;
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data.push_str(v);
                }
            }
            if name == kind {
                return serde_json::from_str(&data).unwrap();
            }
        }
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("an event within 10 s")
            .expect("the stream stays open")
            .unwrap();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn the_change_feed_streams_as_server_sent_events() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let response = server
        .control_api(Method::GET, "/events")
        .request()
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let ready = next_event(&mut stream, &mut buffer, "ready").await;
    assert!(ready["now_ms"].as_i64().unwrap() > 0);
    let media = server
        .post_control(
            &format!("/accounts/{}/media", world.business_id()),
            json!({}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let change = next_event(&mut stream, &mut buffer, "change").await;
    assert!(
        change["kinds"]
            .as_array()
            .unwrap()
            .contains(&json!("media")),
        "{change}"
    );
    let ana = person(&server, "ana").await;
    let _ = next_event(&mut stream, &mut buffer, "change").await;
    server
        .post_control(
            &format!("/people/{ana}/comments"),
            json!({"media_id": media, "text": "hey"}),
        )
        .await;
    // The comment, its media's count and the webhook event recorded with it, in one set.
    let change = next_event(&mut stream, &mut buffer, "change").await;
    let kinds = change["kinds"].as_array().unwrap();
    for kind in ["comments", "media", "webhook_events"] {
        assert!(kinds.contains(&json!(kind)), "{change}");
    }
    // Filtered by kind: only changes of media come through.
    let response = server
        .control_api(Method::GET, "/events?kinds=media")
        .request()
        .send()
        .await
        .unwrap();
    let mut clock_stream = response.bytes_stream();
    let mut clock_buffer = String::new();
    next_event(&mut clock_stream, &mut clock_buffer, "ready").await;
    person(&server, "bo").await;
    server
        .post_control(
            &format!("/accounts/{}/media", world.business_id()),
            json!({}),
        )
        .await;
    let change = next_event(&mut clock_stream, &mut clock_buffer, "change").await;
    assert!(
        change["kinds"]
            .as_array()
            .unwrap()
            .contains(&json!("media")),
        "{change}"
    );
    assert!(!change["kinds"]
        .as_array()
        .unwrap()
        .contains(&json!("people")));
    // Open streams do not hold up a graceful stop.
    tokio::time::timeout(Duration::from_secs(10), server.stop())
        .await
        .expect("the server stops with event streams open");
}

#[tokio::test]
async fn the_console_is_served_from_the_binary() {
    let server = TestServer::start().await;
    let page = server.control_api(Method::GET, "/console").send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    assert!(page.text.contains("/_localgram/console/app.js"));
    // Nothing comes from elsewhere: no absolute URL in the page or its assets.
    for (path, content_type) in [
        ("/console/app.js", "text/javascript; charset=utf-8"),
        ("/console/app.css", "text/css; charset=utf-8"),
    ] {
        let asset = server.control_api(Method::GET, path).send().await;
        assert_eq!(asset.status, StatusCode::OK);
        assert_eq!(asset.header("content-type"), Some(content_type));
        // The SVG namespace names elements for createElementNS; it is never fetched.
        let text = asset.text.replace("'http://www.w3.org/2000/svg'", "");
        assert!(!text.contains("http://") && !text.contains("https://"));
    }
    assert!(!page.text.contains("http://") && !page.text.contains("https://"));
    // The script never parses state as HTML.
    let script = server
        .control_api(Method::GET, "/console/app.js")
        .send()
        .await
        .text;
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!script.contains(sink), "the console uses {sink}");
    }
    server.stop().await;
}
