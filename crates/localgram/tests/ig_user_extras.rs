//! The smaller IG User edges of issue #13: Threads accounts (ref 001 L6512-6563,
//! L7332-7406; seed001b §7, §10) and upcoming events (ref 001 L10161-10327; seed001b §32).

mod common;

use common::{Host, TestServer, World};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const SCOPES: &[&str] = &[
    "instagram_basic",
    "pages_read_engagement",
    "threads_business_basic",
    "instagram_manage_events",
];

async fn setup() -> (TestServer, World, String) {
    let server = TestServer::start().await;
    let world = server.world().await;
    let token = server
        .token(
            world.app_id(),
            world.business_id(),
            "facebook",
            Some(SCOPES.to_vec()),
        )
        .await;
    (server, world, token)
}

async fn post(
    server: &TestServer,
    path: &str,
    token: &str,
    form: &[(&str, &str)],
) -> common::Answer {
    let mut form = form.to_vec();
    form.push(("access_token", token));
    server
        .graph(Method::POST, path)
        .on(Host::Facebook)
        .form(&form)
        .send()
        .await
}

#[tokio::test]
async fn threads_accounts_connected_and_instagram_backed() {
    // Ref 001 L6545-6560 and L7360-7400: {"data":[{"threads_user_id":...}]}; one of each per
    // IG account; POST creates the backed one (and answers it again after).
    let (server, world, token) = setup().await;
    let id = world.business_id();
    let none = server
        .get_fb(
            &format!("/v24.0/{id}/connected_threads_user?fields=threads_user_id"),
            &token,
        )
        .await;
    assert_eq!(none.status, StatusCode::OK, "{}", none.text);
    assert_eq!(none.body, json!({"data": []}));
    let linked = server
        .post_control(
            &format!("/accounts/{id}/threads"),
            json!({"connected": true}),
        )
        .await;
    let threads_id = linked["threads_user_id"].as_str().unwrap().to_string();
    let connected = server
        .get_fb(
            &format!("/v24.0/{id}/connected_threads_user?fields=threads_user_id"),
            &token,
        )
        .await;
    assert_eq!(
        connected.body,
        json!({"data": [{"threads_user_id": threads_id}]})
    );
    let path = format!("/v24.0/{id}/instagram_backed_threads_user");
    assert_eq!(server.get_fb(&path, &token).await.body, json!({"data": []}));
    let created = post(&server, &path, &token, &[]).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    let backed = created.body["data"][0]["threads_user_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(backed, threads_id);
    let again = post(&server, &path, &token, &[]).await;
    assert_eq!(again.body, json!({"data": [{"threads_user_id": backed}]}));
    assert_eq!(server.get_fb(&path, &token).await.body, again.body);
    // threads_business_basic is required.
    let without = server.get_fb(&path, &world.fb_token).await;
    assert_eq!(without.status, StatusCode::FORBIDDEN, "{}", without.text);
    server.stop().await;
}

fn later(server_now: i64, seconds: i64) -> String {
    graph::timefmt::graph_time(server_now + seconds)
}

async fn now(server: &TestServer) -> i64 {
    let clock = server.get_control("/clock").await;
    graph::timefmt::parse_rfc3339(clock["now"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn upcoming_events_are_created_listed_read_and_updated() {
    // Ref 001 L10180-10327: create (title and start_time required; default subtypes), list
    // (events to come: id, title, start_time), read, update.
    let (server, world, token) = setup().await;
    let id = world.business_id();
    let t0 = now(&server).await;
    let path = format!("/v24.0/{id}/upcoming_events");
    let start = later(t0, 3 * 86_400);
    let created = post(
        &server,
        &path,
        &token,
        &[("title", "Season Premier"), ("start_time", &start)],
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    let event = created.body["id"].as_str().unwrap().to_string();
    let soon = post(
        &server,
        &path,
        &token,
        &[
            ("title", "Launch"),
            ("start_time", &later(t0, 86_400)),
            ("notification_target_time", "EVENT_END"),
            (
                "notification_subtypes",
                "[\"BEFORE_EVENT_1HOUR\",\"BEFORE_EVENT_2DAY\",\"BEFORE_EVENT_1DAY\"]",
            ),
        ],
    )
    .await;
    assert_eq!(soon.status, StatusCode::OK, "{}", soon.text);
    let soon_id = soon.body["id"].as_str().unwrap().to_string();
    let listed = server.get_fb(&path, &token).await;
    assert_eq!(
        listed.body,
        json!({"data": [
            {"id": soon_id, "title": "Launch", "start_time": later(t0, 86_400)},
            {"id": event, "title": "Season Premier", "start_time": start}
        ]})
    );
    let read = server
        .get_fb(
            &format!(
                "/v24.0/{event}?fields=id,title,notification_target_time,notification_subtypes"
            ),
            &token,
        )
        .await;
    assert_eq!(
        read.body,
        json!({"id": event, "title": "Season Premier", "notification_target_time": "EVENT_START",
               "notification_subtypes": ["BEFORE_EVENT_1DAY", "BEFORE_EVENT_15MIN", "EVENT_START"]})
    );
    let updated = post(
        &server,
        &format!("/v24.0/{event}"),
        &token,
        &[("title", "Updated Season Premier")],
    )
    .await;
    assert_eq!(updated.body, json!({"id": event}));
    let default = server.get_fb(&format!("/v24.0/{event}"), &token).await;
    assert_eq!(
        default.body,
        json!({"id": event, "title": "Updated Season Premier", "start_time": start})
    );
    // Once started, an event is no longer upcoming.
    server
        .post_control("/clock", json!({"advance_seconds": 2 * 86_400}))
        .await;
    let after = server.get_fb(&path, &token).await;
    assert_eq!(after.body["data"].as_array().unwrap().len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn upcoming_event_rules_are_enforced() {
    // Ref 001 L10190-10240: exactly three subtypes with the target time's rules; no end_time
    // with EVENT_END; title and start_time required.
    let (server, world, token) = setup().await;
    let path = format!("/v24.0/{}/upcoming_events", world.business_id());
    let start = later(now(&server).await, 86_400);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("start_time", &start)], "(#100) The parameter title is required"),
        (vec![("title", "x")], "(#100) The parameter start_time is required"),
        (vec![("title", "x"), ("start_time", &start), ("notification_target_time", "EVENT_END"), ("end_time", &start)],
         "(#100) end_time must not be set when notification_target_time is EVENT_END"),
        (vec![("title", "x"), ("start_time", &start), ("notification_subtypes", "[\"EVENT_START\",\"BEFORE_EVENT_1DAY\"]")],
         "(#100) notification_subtypes must name exactly 3 different values"),
        (vec![("title", "x"), ("start_time", &start), ("notification_subtypes", "[\"EVENT_START\",\"BEFORE_EVENT_2DAY\",\"BEFORE_EVENT_15MIN\"]")],
         "(#100) notification_subtypes must include EVENT_START, BEFORE_EVENT_1DAY and one of AFTER_EVENT_1DAY to AFTER_EVENT_7DAY or BEFORE_EVENT_15MIN"),
        (vec![("title", "x"), ("start_time", &start), ("notification_target_time", "EVENT_END"), ("notification_subtypes", "[\"EVENT_START\",\"BEFORE_EVENT_1DAY\",\"BEFORE_EVENT_15MIN\"]")],
         "(#100) With notification_target_time EVENT_END, notification_subtypes must be BEFORE_EVENT_2DAY, BEFORE_EVENT_1DAY and BEFORE_EVENT_1HOUR"),
        (vec![("title", "x"), ("start_time", "2001-01-01T00:00:00+0000")], "(#100) start_time must be in the future"),
    ];
    for (form, message) in cases {
        let answer = post(&server, &path, &token, &form).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{form:?}: {}",
            answer.text
        );
        assert_eq!(answer.error().3, message, "{form:?}");
    }
    let ok: Value = post(
        &server,
        &path,
        &token,
        &[
            ("title", "ok"),
            ("start_time", &start),
            (
                "notification_subtypes",
                "[\"AFTER_EVENT_3DAY\",\"EVENT_START\",\"BEFORE_EVENT_1DAY\"]",
            ),
        ],
    )
    .await
    .body;
    assert!(ok["id"].is_string(), "{ok}");
    server.stop().await;
}

#[tokio::test]
async fn creator_marketplace_finds_public_creators_by_the_documented_rules() {
    // Ref 001 L9305-9397: filters and their rules, the username lookup, code 100 for invalid
    // parameters and code 10 without the permission or for an ineligible brand.
    let server = TestServer::start().await;
    let world = server.world().await;
    let scopes = vec![
        "instagram_creator_marketplace_discovery",
        "instagram_basic",
        "pages_manage_metadata",
        "pages_show_list",
        "business_management",
    ];
    let token = server
        .token(
            world.app_id(),
            world.business_id(),
            "facebook",
            Some(scopes),
        )
        .await;
    for (username, followers, bio) in [
        ("travel.anna", 30_000, "Travel stories"),
        ("cook.ben", 5_000, "Recipes"),
    ] {
        server
            .post_control(
                "/accounts",
                json!({"username": username, "account_type": "CREATOR", "followers_count": followers, "biography": bio}),
            )
            .await;
    }
    let path = format!(
        "/v24.0/{}/creator_marketplace_creators",
        world.business_id()
    );
    let get = |query: String| {
        let (server, token, path) = (&server, token.clone(), path.clone());
        async move { server.get_fb(&format!("{path}?{query}"), &token).await }
    };
    let travel = get("query=travel&fields=id,username,biography".into()).await;
    assert_eq!(travel.status, StatusCode::OK, "{}", travel.text);
    let rows = travel.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["username"], json!("travel.anna"));
    let big = get("creator_min_followers=10000&creator_max_followers=50000".into()).await;
    let names: Vec<&str> = big.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["travel.anna"]);
    let one = get("username=cook.ben&fields=username,recent_media{media_type,likes}".into()).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert_eq!(one.body["data"][0]["recent_media"], json!({"data": []}));
    for (query, message) in [
        ("username=cook.ben&creator_countries=['US']", "(#100) Other filters cannot be applied when username is given"),
        ("query=x&similar_to_creators=['a']", "(#100) similar_to_creators cannot be combined with query"),
        ("creator_min_followers=50000&creator_max_followers=10000", "(#100) creator_min_followers must not be above creator_max_followers"),
        ("creator_interests=['BEAUTY','FASHION','SPORTS','TV_AND_MOVIES','FOOD_AND_DRINK','MUSIC_AND_AUDIO']", "(#100) creator_interests takes at most 5 categories"),
        ("fields=recent_media", "(#100) recent_media, branded_content_media and brand partnership fields need the username parameter"),
    ] {
        let answer = get(query.into()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}: {}", answer.text);
        assert_eq!(answer.error().3, message, "{query}");
    }
    let bad_value = get("creator_min_followers=123".into()).await;
    assert_eq!(bad_value.error().0, 100);
    // Without the permission: code 10 family.
    let without = server.get_fb(&path, &world.fb_token).await;
    assert_eq!(without.status, StatusCode::FORBIDDEN, "{}", without.text);
    server.stop().await;
}
