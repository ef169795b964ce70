//! Rate limits as Meta counts them, on the virtual clock (issue #14; spec seed002-004 §11,
//! ref 004 L250-282 and 002 L269-290 "Rate Limiting"; the usage headers and error codes are
//! Meta's public rate-limiting overview, docs/decisions.md "Rate limits and faults"): the
//! Business Use Case budget per (app, account), platform limits per app and user, the
//! Conversations API and the Send API per account; the usage headers; access back when the
//! window has rolled; exact under concurrency; no leak across apps or accounts; counters that
//! survive a restart.

mod common;
#[path = "webhooks/receiver.rs"]
mod receiver;
#[macro_use]
#[path = "messaging/support.rs"]
mod support;

use localgram::limits::{Limit, Settings};
use localgram::Config;
use support::*;

/// A server with Meta's limits, some overridden (`instagram=3` ...).
async fn server_with(
    overrides: &[(Limit, u64)],
    data_dir: Option<std::path::PathBuf>,
) -> TestServer {
    let mut settings = Settings::meta();
    for (limit, n) in overrides {
        settings.overrides.insert(*limit, *n);
    }
    TestServer::start_with(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(7),
        data_dir,
        rate_limits: settings,
        ..Config::default()
    })
    .await
}

async fn freeze(server: &TestServer) {
    server
        .post_control(
            "/clock",
            json!({"set": "2026-03-02T09:00:00Z", "frozen": true}),
        )
        .await;
}

/// A server with `overrides` on Meta's limits, its world, and the clock frozen.
async fn frozen_world_with(overrides: &[(Limit, u64)]) -> (TestServer, World) {
    let server = server_with(overrides, None).await;
    let w = server.world().await;
    freeze(&server).await;
    (server, w)
}

fn business_usage(answer: &Answer) -> Value {
    serde_json::from_str(
        answer
            .header("x-business-use-case-usage")
            .expect("the BUC header"),
    )
    .expect("JSON")
}

fn app_usage(answer: &Answer) -> Value {
    serde_json::from_str(answer.header("x-app-usage").expect("the app usage header")).expect("JSON")
}

#[tokio::test]
async fn the_business_use_case_budget_refuses_with_80002_until_the_window_rolls() {
    // ref 004 L252-260 (seed002-004 §11): per (app, app user) pair, rolling 24 h; 80002 and
    // the header shapes are Meta's rate-limiting overview.
    let (server, w) = frozen_world_with(&[(Limit::Instagram, 3)]).await;
    let path = format!("/v24.0/{}?fields=id,username", w.business_id());
    for (n, percent) in [(1, 33), (2, 66), (3, 100)] {
        let answer = server.get_ig(&path, &w.ig_token).await;
        assert_eq!(answer.status, StatusCode::OK, "call {n}: {}", answer.body);
        assert_eq!(
            business_usage(&answer),
            json!({w.business_id(): [{"type": "instagram", "call_count": percent,
                "total_cputime": if percent == 100 { 100 } else { 0 },
                "total_time": if percent == 100 { 100 } else { 0 },
                "estimated_time_to_regain_access": if percent == 100 { 1440 } else { 0 }}]})
        );
        assert_eq!(
            app_usage(&answer),
            json!({"call_count": 0, "total_cputime": 0, "total_time": 0})
        );
    }
    let refused = server.get_ig(&path, &w.ig_token).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.body["error"],
        json!({"message": "There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
               "type": "OAuthException", "code": 80002, "is_transient": true,
               "fbtrace_id": refused.body["error"]["fbtrace_id"]})
    );
    assert_eq!(
        business_usage(&refused)[w.business_id()][0]["estimated_time_to_regain_access"],
        json!(1440)
    );
    // Half a day later the window still holds the three calls.
    server
        .post_control("/clock", json!({"advance_seconds": 43_200}))
        .await;
    let still = server.get_ig(&path, &w.ig_token).await;
    assert_eq!(still.error().0, 80002);
    assert_eq!(
        business_usage(&still)[w.business_id()][0]["estimated_time_to_regain_access"],
        json!(720)
    );
    // 24 hours after them, access is back.
    server
        .post_control("/clock", json!({"advance_seconds": 43_200}))
        .await;
    let back = server.get_ig(&path, &w.ig_token).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    server.stop().await;
}

#[tokio::test]
async fn limits_hold_exactly_under_concurrent_calls() {
    let (server, w) = frozen_world_with(&[(Limit::Instagram, 50)]).await;
    let path = format!("/v24.0/{}?fields=id", w.business_id());
    let calls = (0..120).map(|_| server.get_ig(&path, &w.ig_token));
    let answers = futures_util::future::join_all(calls).await;
    let ok = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let refused = answers.iter().filter(|a| a.error().0 == 80002).count();
    assert_eq!((ok, refused), (50, 70));
    let limits = server.get_control("/rate_limits").await;
    let usage = &limits["usage"];
    assert_eq!(
        usage,
        &json!([{"scope": format!("instagram:{}:{}", w.app_id(), w.business_id()),
                 "limit": "instagram", "used": 50, "max": 50}])
    );
    server.stop().await;
}

#[tokio::test]
async fn one_pairs_budget_never_touches_another_app_or_account() {
    let (server, w) = frozen_world_with(&[(Limit::Instagram, 2)]).await;
    let other_app = server.new_app("Other").await;
    let other_token = server
        .token(
            other_app["id"].as_str().unwrap(),
            w.business_id(),
            "instagram",
            None,
        )
        .await;
    let creator = w.creator["id"].as_str().unwrap();
    let business = format!("/v24.0/{}?fields=id", w.business_id());
    for _ in 0..2 {
        assert_eq!(
            server.get_ig(&business, &w.ig_token).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(server.get_ig(&business, &w.ig_token).await.error().0, 80002);
    // The same account through another app, and another account through the same app.
    let through_other = server.get_ig(&business, &other_token).await;
    assert_eq!(
        through_other.status,
        StatusCode::OK,
        "{}",
        through_other.body
    );
    assert_eq!(
        business_usage(&through_other)[w.business_id()][0]["call_count"],
        json!(50)
    );
    let creator_call = server
        .get_ig(&format!("/v24.0/{creator}?fields=id"), &w.creator_token)
        .await;
    assert_eq!(creator_call.status, StatusCode::OK);
    assert_eq!(
        business_usage(&creator_call)[creator][0]["call_count"],
        json!(50)
    );
    server.stop().await;
}

#[tokio::test]
async fn impressions_and_scale_set_through_the_control_api_size_the_budget() {
    // "Calls within 24 hours = 4800 * Number of Impressions" (ref 004 L256-260).
    let (server, w) = frozen_world_with(&[]).await;
    let settings = server
        .post_control(
            "/rate_limits",
            json!({"scale": 0.0001, "impressions": {w.business_id(): 10}}),
        )
        .await;
    assert_eq!(settings["enabled"], json!(true));
    let instagram = settings["limits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "instagram")
        .unwrap()
        .clone();
    assert_eq!(
        instagram,
        json!({"name": "instagram", "per": "app and account", "window_seconds": 86400,
               "meta_default": 4_800_000, "limit": 480, "overridden": false, "error_code": 80002})
    );
    // 4800 × 10 impressions × 0.0001 = 4 calls for this account.
    let path = format!("/v24.0/{}?fields=id", w.business_id());
    for _ in 0..4 {
        assert_eq!(
            server.get_ig(&path, &w.ig_token).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(server.get_ig(&path, &w.ig_token).await.error().0, 80002);
    // Off: nothing is counted and no usage header is sent.
    server
        .post_control("/rate_limits", json!({"scale": "off"}))
        .await;
    let off = server.get_ig(&path, &w.ig_token).await;
    assert_eq!(off.status, StatusCode::OK);
    assert!(off.header("x-app-usage").is_none());
    assert!(off.header("x-business-use-case-usage").is_none());
    // On again with an override; reset forgets the counts.
    server
        .post_control(
            "/rate_limits",
            json!({"scale": 1, "limits": {"instagram": 4}}),
        )
        .await;
    assert_eq!(server.get_ig(&path, &w.ig_token).await.error().0, 80002);
    server.post_control("/rate_limits/reset", json!({})).await;
    assert_eq!(
        server.get_ig(&path, &w.ig_token).await.status,
        StatusCode::OK
    );
    let bad = server
        .control_api(Method::POST, "/rate_limits")
        .json(json!({"limits": {"nope": 1}}))
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    server.stop().await;
}

#[tokio::test]
async fn platform_limits_count_per_app_and_per_user_with_codes_4_and_17() {
    // Platform rate limits apply to app tokens and Facebook nodes (Meta's overview: app
    // 200 × users per hour, code 4; user, code 17).
    let (server, w) = frozen_world_with(&[(Limit::App, 3), (Limit::User, 2)]).await;
    // A Facebook user token reading its Pages counts for the app and the user.
    let pages = "/v24.0/me/accounts";
    let first = server.get_fb(pages, &w.fb_token).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(
        app_usage(&first),
        json!({"call_count": 33, "total_cputime": 0, "total_time": 0})
    );
    assert!(first.header("x-business-use-case-usage").is_none());
    assert_eq!(
        server.get_fb(pages, &w.fb_token).await.status,
        StatusCode::OK
    );
    let user_limited = server.get_fb(pages, &w.fb_token).await;
    assert_eq!(
        (user_limited.error().0, user_limited.error().3.as_str()),
        (17, "(#17) User request limit reached")
    );
    // An app token: the app's third call passes, its fourth does not (code 4).
    let app_token = w.app["app_token"].as_str().unwrap();
    let debug = format!("/v24.0/debug_token?input_token={}", w.fb_token);
    let third = server.get_fb(&debug, app_token).await;
    assert_eq!(third.status, StatusCode::OK, "{}", third.body);
    assert_eq!(app_usage(&third)["call_count"], json!(100));
    let refused = server.get_fb(&debug, app_token).await;
    assert_eq!(
        refused.body["error"]["message"],
        json!("(#4) Application request limit reached")
    );
    assert_eq!(refused.body["error"]["is_transient"], json!(true));
    // An hour later both are back.
    server
        .post_control("/clock", json!({"advance_seconds": 3600}))
        .await;
    assert_eq!(
        server.get_fb(&debug, app_token).await.status,
        StatusCode::OK
    );
    server.stop().await;
}

#[tokio::test]
async fn conversations_and_the_send_api_have_per_second_limits_per_account() {
    // ref 004 L266-282 (seed002-004 §11): Conversations API 2 calls/s per account; Send API
    // 100/s text and 10/s audio or video per account; code 613.
    let server = server_with(&[(Limit::SendText, 2)], None).await;
    let world = server.world().await;
    freeze(&server).await;
    let c = Chat {
        server,
        world,
        files: files().await,
    };
    let (_, igsid) = talking(&c, "ada").await;
    let path = format!("/v24.0/{}/conversations", c.account());
    for _ in 0..2 {
        let answer = c.get(&path).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    let third = c.get(&path).await;
    assert_error(
        &third,
        613,
        None,
        "(#613) Calls to this api have exceeded the rate limit.",
    );
    assert_eq!(third.body["error"]["is_transient"], json!(true));
    let usage = business_usage(&third);
    assert_eq!(usage[c.account()][0]["type"], json!("messenger"));
    assert_eq!(
        usage[c.account()][0]["estimated_time_to_regain_access"],
        json!(1)
    );
    // The next second the window has rolled.
    c.advance(1.0).await;
    assert_eq!(c.get(&path).await.status, StatusCode::OK);
    // Sends are not in the Business Use Case count; their own limit refuses the third text.
    ok(&c.text_to(&igsid, "one").await);
    ok(&c.text_to(&igsid, "two").await);
    let refused = c.text_to(&igsid, "three").await;
    assert_error(
        &refused,
        613,
        None,
        "(#613) Calls to this api have exceeded the rate limit.",
    );
    c.advance(1.0).await;
    ok(&c.text_to(&igsid, "four").await);
    c.server.stop().await;
}

#[tokio::test]
async fn audio_and_video_sends_and_private_replies_have_limits_of_their_own() {
    // ref 004 L274-282, 002 L285-290 (seed002-004 §11): the Send API allows 10 calls/s per
    // account for audio or video (apart from text's 100/s); private replies 750 per hour for
    // comments on posts and reels and 100/s for live comments; code 613 beyond each. Scaled
    // down through overrides so a test reaches them (the numbers are checked in
    // `limits::tests`).
    let server = server_with(
        &[
            (Limit::SendMedia, 2),
            (Limit::PrivateReplies, 2),
            (Limit::PrivateRepliesLive, 1),
        ],
        None,
    )
    .await;
    let world = server.world().await;
    freeze(&server).await;
    let c = Chat {
        server,
        world,
        files: files().await,
    };
    let (_, igsid) = talking(&c, "ada").await;
    let attachment = |kind: &str, file: &str| json!({"recipient": {"id": igsid}, "message": {"attachment": {"type": kind, "payload": {"url": c.file(file)}}}});
    ok(&c.send(attachment("audio", "song.m4a")).await);
    ok(&c.send(attachment("video", "clip.mp4")).await);
    let third = c.send(attachment("audio", "song.m4a")).await;
    assert_error(
        &third,
        613,
        None,
        "(#613) Calls to this api have exceeded the rate limit.",
    );
    assert_eq!(third.body["error"]["is_transient"], json!(true));
    // Text and images are not audio or video: their own 100/s still lets them through.
    ok(&c.text_to(&igsid, "still here").await);
    ok(&c.send(attachment("image", "cat.png")).await);
    c.advance(1.0).await;
    ok(&c.send(attachment("video", "clip.mp4")).await);

    // Private replies to comments on a post: 2 an hour here.
    let sam = c.person("sam").await;
    let comment_on = |media: String, text: &'static str| {
        let (server, sam) = (&c.server, sam.clone());
        async move {
            server
                .post_control(
                    &format!("/people/{sam}/comments"),
                    json!({"media_id": media, "text": text}),
                )
                .await["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let post = c
        .server
        .post_control(
            &format!("/accounts/{}/media", c.account()),
            json!({"caption": "Sale"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut comments = Vec::new();
    for text in ["one", "two", "three"] {
        comments.push(comment_on(post.clone(), text).await);
    }
    let reply = |comment: &str| json!({"recipient": {"comment_id": comment}, "message": {"text": "Sent you a DM"}});
    ok(&c.send(reply(&comments[0])).await);
    ok(&c.send(reply(&comments[1])).await);
    let over = c.send(reply(&comments[2])).await;
    assert_error(
        &over,
        613,
        None,
        "(#613) Calls to this api have exceeded the rate limit.",
    );
    // Per hour: a second later it is still refused; an hour later it passes.
    c.advance(1.0).await;
    assert_eq!(c.send(reply(&comments[2])).await.error().0, 613);

    // Live comments count apart, per second (1 here), while the post limit is spent.
    let live = c
        .server
        .post_control(&format!("/accounts/{}/live", c.account()), json!({}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let first_live = comment_on(live.clone(), "wow").await;
    let second_live = comment_on(live.clone(), "again").await;
    ok(&c.send(reply(&first_live)).await);
    assert_eq!(c.send(reply(&second_live)).await.error().0, 613);
    c.advance(1.0).await;
    ok(&c.send(reply(&second_live)).await);

    c.advance(3600.0).await;
    ok(&c.send(reply(&comments[2])).await);
    c.server.stop().await;
}

#[tokio::test]
async fn the_creator_marketplace_counts_per_account_and_per_app() {
    // ref 001 L9298-9302: 240 requests per user (the brand's Instagram account) per hour and
    // 200 × effective users per rolling hour per app; here 2 and 3 through overrides. The
    // account cap answers the Instagram account throttle (80002), the app cap code 4
    // (docs/decisions.md); these calls are not in the Business Use Case budget.
    let server = server_with(
        &[
            (Limit::CreatorMarketplace, 2),
            (Limit::CreatorMarketplaceApp, 3),
        ],
        None,
    )
    .await;
    let w = server.world().await;
    freeze(&server).await;
    let other = server
        .post_control(
            "/accounts",
            json!({"username": "brand.two", "account_type": "BUSINESS", "facebook_page": true, "page_name": "Brand Two"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let scopes = vec![
        "instagram_creator_marketplace_discovery",
        "instagram_basic",
        "pages_manage_metadata",
        "pages_show_list",
        "business_management",
    ];
    let mut tokens = Vec::new();
    for brand in [w.business_id().to_string(), other.clone()] {
        let token = server
            .token(w.app_id(), &brand, "facebook", Some(scopes.clone()))
            .await;
        tokens.push((brand, token));
    }
    let search = |n: usize| {
        let (brand, token) = tokens[n].clone();
        let server = &server;
        async move {
            server
                .get_fb(
                    &format!("/v24.0/{brand}/creator_marketplace_creators?query=travel"),
                    &token,
                )
                .await
        }
    };
    let brand = w.business_id();
    for (app_percent, percent) in [(33, 50), (66, 100)] {
        let answer = search(0).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let full = if percent == 100 { 100 } else { 0 };
        assert_eq!(
            business_usage(&answer),
            json!({brand: [{"type": "instagram", "call_count": percent, "total_cputime": full,
                "total_time": full, "estimated_time_to_regain_access": if percent == 100 { 60 } else { 0 }}]})
        );
        assert_eq!(
            app_usage(&answer),
            json!({"call_count": app_percent, "total_cputime": 0, "total_time": 0})
        );
    }
    let refused = search(0).await;
    assert_eq!(refused.error().0, 80002);
    assert_eq!(refused.body["error"]["is_transient"], json!(true));
    assert_eq!(
        business_usage(&refused)[brand][0]["estimated_time_to_regain_access"],
        json!(60)
    );
    // Another brand of the same app has its own account cap but shares the app's.
    let third = search(1).await;
    assert_eq!(third.status, StatusCode::OK, "{}", third.body);
    assert_eq!(app_usage(&third)["call_count"], json!(100));
    let app_refused = search(1).await;
    assert_eq!(
        app_refused.body["error"]["message"],
        json!("(#4) Application request limit reached")
    );
    // The node itself still reads: its Business Use Case budget was not touched.
    let node = server
        .get_fb(&format!("/v24.0/{brand}?fields=username"), &w.fb_token)
        .await;
    assert_eq!(node.status, StatusCode::OK, "{}", node.body);
    assert_eq!(business_usage(&node)[brand][0]["call_count"], json!(0));
    // A rolling hour later both caps have room again.
    server
        .post_control("/clock", json!({"advance_seconds": 3600}))
        .await;
    assert_eq!(search(0).await.status, StatusCode::OK);
    assert_eq!(search(1).await.status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn each_item_of_a_batch_carries_its_own_usage_headers() {
    // A batch counts each operation (decisions.md "Rate limits and faults"), so each item's
    // `headers` reports what that operation counted, under the names Meta's rate-limiting
    // overview uses; the item refused answers the throttle with its headers.
    let (server, w) = frozen_world_with(&[(Limit::Instagram, 2)]).await;
    let batch = json!([
        {"method": "GET", "relative_url": "me?fields=username"},
        {"method": "GET", "relative_url": "me?fields=username"},
        {"method": "GET", "relative_url": "me?fields=username"}
    ]);
    let answer = server
        .graph(Method::POST, "/v24.0/")
        .form(&[
            ("batch", batch.to_string()),
            ("access_token", w.ig_token.clone()),
        ])
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let items = answer.body.as_array().unwrap();
    let header = |item: &Value, name: &str| -> Value {
        let found = item["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["name"] == json!(name))
            .unwrap_or_else(|| panic!("no {name} in {item}"));
        serde_json::from_str(found["value"].as_str().unwrap()).unwrap()
    };
    let account = w.business_id();
    for (item, percent) in items[..2].iter().zip([50, 100]) {
        assert_eq!(item["code"], json!(200));
        let full = if percent == 100 { 100 } else { 0 };
        assert_eq!(
            header(item, "X-Business-Use-Case-Usage"),
            json!({account: [{"type": "instagram", "call_count": percent, "total_cputime": full,
                "total_time": full, "estimated_time_to_regain_access": if percent == 100 { 1440 } else { 0 }}]})
        );
        assert_eq!(
            header(item, "X-App-Usage"),
            json!({"call_count": 0, "total_cputime": 0, "total_time": 0})
        );
    }
    assert_eq!(items[2]["code"], json!(400));
    let body: Value = serde_json::from_str(items[2]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], json!(80002));
    assert_eq!(
        header(&items[2], "X-Business-Use-Case-Usage")[account][0]
            ["estimated_time_to_regain_access"],
        json!(1440)
    );
    server.stop().await;
}

#[tokio::test]
async fn counters_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with(&[(Limit::Instagram, 3)], Some(dir.path().to_path_buf())).await;
    let w = server.world().await;
    freeze(&server).await;
    let path = format!("/v24.0/{}?fields=id", w.business_id());
    for _ in 0..2 {
        assert_eq!(
            server.get_ig(&path, &w.ig_token).await.status,
            StatusCode::OK
        );
    }
    server.stop().await;
    let again = server_with(&[(Limit::Instagram, 3)], Some(dir.path().to_path_buf())).await;
    let third = again.get_ig(&path, &w.ig_token).await;
    assert_eq!(third.status, StatusCode::OK, "{}", third.body);
    assert_eq!(
        business_usage(&third)[w.business_id()][0]["call_count"],
        json!(100)
    );
    assert_eq!(again.get_ig(&path, &w.ig_token).await.error().0, 80002);
    again.stop().await;
}

#[tokio::test]
async fn limits_and_faults_hold_exactly_across_instances_sharing_a_database() {
    // PostgreSQL only: two instances count in the one database.
    let Some(url) = common::test_database(None) else {
        eprintln!("needs PostgreSQL; runs on the PostgreSQL pass");
        return;
    };
    let mut settings = Settings::meta();
    settings.overrides.insert(Limit::Instagram, 30);
    let config = || Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(7),
        database_url: Some(url.clone()),
        rate_limits: settings.clone(),
        ..Config::default()
    };
    let a = TestServer::start_with(config()).await;
    let b = TestServer::start_with(config()).await;
    let w = a.world().await;
    freeze(&a).await;
    let path = format!("/v24.0/{}?fields=id", w.business_id());
    let calls = (0..40).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        server.get_ig(&path, &w.ig_token)
    });
    let answers = futures_util::future::join_all(calls).await;
    let ok = answers
        .iter()
        .filter(|x| x.status == StatusCode::OK)
        .count();
    assert_eq!(ok, 30);
    assert!(answers
        .iter()
        .filter(|x| x.status != StatusCode::OK)
        .all(|x| x.error().0 == 80002));
    // A fault armed through one instance fires exactly `times` across both.
    a.post_control("/rate_limits/reset", json!({})).await;
    let armed = a
        .post_control(
            "/faults",
            json!({"preset": "outage", "times": 7, "path": "/{ig-user-id}"}),
        )
        .await;
    let calls = (0..24).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        server.get_ig(&path, &w.ig_token)
    });
    let answers = futures_util::future::join_all(calls).await;
    assert_eq!(answers.iter().filter(|x| x.error().0 == 2).count(), 7);
    let seen = b
        .get_control(&format!("/faults/{}", armed["id"].as_str().unwrap()))
        .await;
    assert_eq!(seen["fired"], json!(7));
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn serve_flags_set_the_limits_and_the_environment_turns_them_off() {
    // `localgram serve --rate-limit instagram=2` (a flag wins over LOCALGRAM_RATE_LIMIT_SCALE,
    // which the test harness sets to off).
    let dir = tempfile::tempdir().unwrap();
    let mut args = common::serve_storage_args(dir.path());
    args.extend(["--rate-limit".into(), "instagram=2".into()]);
    args.extend(["--rate-limit-scale".into(), "1".into()]);
    let child = common::ChildServer::spawn(&args).await;
    let remote = common::Remote::new(&child.base);
    let limits = remote.get_control("/rate_limits").await;
    assert_eq!(limits["enabled"], json!(true));
    assert_eq!(limits["scale"], json!(1.0));
    let app = remote
        .post_control("/apps", json!({"name": "Cli", "access_level": "advanced"}))
        .await;
    let account = remote
        .post_control(
            "/accounts",
            json!({"username": "cli.account", "account_type": "BUSINESS"}),
        )
        .await;
    let token = remote
        .post_control(
            "/tokens",
            json!({"app_id": app["id"], "account_id": account["id"], "login": "instagram"}),
        )
        .await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v24.0/{}?fields=id", account["id"].as_str().unwrap());
    for _ in 0..2 {
        assert_eq!(remote.get_ig(&path, &token).await.status, StatusCode::OK);
    }
    assert_eq!(remote.get_ig(&path, &token).await.error().0, 80002);
    drop(child);
    // Without the flags, the environment's `off` holds: no usage headers.
    let child = common::ChildServer::spawn(common::serve_storage_args(dir.path())).await;
    let remote = common::Remote::new(&child.base);
    let off = remote.get_ig(&path, &token).await;
    assert_eq!(off.status, StatusCode::OK);
    assert!(off.header("x-app-usage").is_none());
}

/// A call refused by one of its limits counts in none of them, however many connections call
/// at once: a Facebook user token counts in the app's platform limit and the user's (Meta's
/// overview: codes 4 and 17), and the user's refusals leave the app's count alone.
#[tokio::test]
async fn a_refused_call_counts_in_none_of_its_limits_under_concurrent_calls() {
    let (server, w) = frozen_world_with(&[(Limit::App, 100), (Limit::User, 7)]).await;
    let calls = (0..40).map(|_| server.get_fb("/v24.0/me/accounts", &w.fb_token));
    let answers = futures_util::future::join_all(calls).await;
    let ok = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let refused = answers.iter().filter(|a| a.error().0 == 17).count();
    assert_eq!((ok, refused), (7, 33));
    let limits = server.get_control("/rate_limits").await;
    let used: Vec<(String, u64, u64)> = limits["usage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["limit"].as_str().unwrap().to_string(),
                u["used"].as_u64().unwrap(),
                u["max"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        used,
        [("app".to_string(), 7, 100), ("user".to_string(), 7, 7)],
        "{limits}"
    );
    // The app's next call (an app token counts in the app's limit alone) is its eighth.
    let app_token = w.app["app_token"].as_str().unwrap();
    let debug = format!("/v24.0/debug_token?input_token={}", w.fb_token);
    let eighth = server.get_fb(&debug, app_token).await;
    assert_eq!(eighth.status, StatusCode::OK, "{}", eighth.body);
    assert_eq!(
        app_usage(&eighth),
        json!({"call_count": 8, "total_cputime": 0, "total_time": 0})
    );
    server.stop().await;
}

/// What a caller's calls resolved to (their windows and limits, docs/decisions.md "What
/// counting costs a call") follows the control API at once: a reset gives the whole budget
/// back, and changed limits count from the next call.
#[tokio::test]
async fn a_reset_and_changed_limits_apply_from_the_next_call() {
    let (server, w) = frozen_world_with(&[(Limit::Instagram, 4)]).await;
    let path = format!("/v24.0/{}?fields=id", w.business_id());
    let percent =
        |answer: &Answer| business_usage(answer)[w.business_id()][0]["call_count"].clone();
    for expected in [25, 50, 75] {
        let answer = server.get_ig(&path, &w.ig_token).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(percent(&answer), json!(expected));
    }
    // Reset: four calls again, counted from zero.
    server.post_control("/rate_limits/reset", json!({})).await;
    for expected in [25, 50, 75, 100] {
        let answer = server.get_ig(&path, &w.ig_token).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(percent(&answer), json!(expected));
    }
    assert_eq!(server.get_ig(&path, &w.ig_token).await.error().0, 80002);
    // A larger limit: the next calls pass until it is reached.
    server
        .post_control("/rate_limits", json!({"limits": {"instagram": 5}}))
        .await;
    let fifth = server.get_ig(&path, &w.ig_token).await;
    assert_eq!(fifth.status, StatusCode::OK, "{}", fifth.body);
    assert_eq!(percent(&fifth), json!(100));
    assert_eq!(server.get_ig(&path, &w.ig_token).await.error().0, 80002);
    // The override removed, a small scale sizes the budget below the five calls counted.
    server
        .post_control(
            "/rate_limits",
            json!({"scale": 0.000001, "limits": {"instagram": null}}),
        )
        .await;
    let scaled = server.get_ig(&path, &w.ig_token).await;
    assert_eq!(scaled.error().0, 80002, "{}", scaled.body);
    assert_eq!(percent(&scaled), json!(100));
    server.stop().await;
}

/// A Facebook Login call on a node an account owns counts in that account's budget with the
/// app (ref 004 L252-254: "per app and app user pair"), the owner read when the call is
/// counted.
#[tokio::test]
async fn a_facebook_login_call_on_a_media_counts_in_its_owners_budget() {
    let (server, w) = frozen_world_with(&[(Limit::Instagram, 2)]).await;
    let media = server
        .post_control(
            &format!("/accounts/{}/media", w.business_id()),
            json!({"caption": "Sale"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v24.0/{media}?fields=id");
    for (n, percent) in [(1, 50), (2, 100)] {
        let answer = server.get_fb(&path, &w.fb_token).await;
        assert_eq!(answer.status, StatusCode::OK, "call {n}: {}", answer.body);
        assert_eq!(
            business_usage(&answer)[w.business_id()][0]["call_count"],
            json!(percent)
        );
    }
    let refused = server.get_fb(&path, &w.fb_token).await;
    assert_eq!(refused.error().0, 80002, "{}", refused.body);
    // The same pair's budget, whichever node of the account the call reads.
    let account = server
        .get_fb(
            &format!("/v24.0/{}?fields=id", w.business_id()),
            &w.fb_token,
        )
        .await;
    assert_eq!(account.error().0, 80002, "{}", account.body);
    server.stop().await;
}

/// The pair's budget (ref 004 L252-260; seed002-004 §11) and the app's platform limit, as the
/// usage headers report them (Meta's rate-limiting overview, coverage 11.11): every answer's
/// usage headers show its own call's numbers, though a caller's calls reuse
/// the headers shown last while the numbers are unchanged (docs/performance.md "Rate
/// limits"): the percentages move at the call that moves them, whichever of two tokens of
/// the same app and account calls, and `X-App-Usage` follows the app's platform calls made
/// meanwhile by another caller.
#[tokio::test]
async fn each_answers_usage_headers_show_that_calls_numbers() {
    let (server, w) = frozen_world_with(&[(Limit::Instagram, 7), (Limit::App, 9)]).await;
    let second_token = server
        .token(w.app_id(), w.business_id(), "instagram", None)
        .await;
    let app_token = w.app["app_token"].as_str().unwrap();
    let path = format!("/v24.0/{}?fields=id", w.business_id());
    let debug = format!("/v24.0/debug_token?input_token={}", w.fb_token);
    let mut app_calls = 0;
    for n in 1..=7u64 {
        let token = if n % 3 == 0 {
            &second_token
        } else {
            &w.ig_token
        };
        let answer = server.get_ig(&path, token).await;
        assert_eq!(answer.status, StatusCode::OK, "call {n}: {}", answer.body);
        let percent = n * 100 / 7;
        let full = if n == 7 { 100 } else { 0 };
        assert_eq!(
            business_usage(&answer),
            json!({w.business_id(): [{"type": "instagram", "call_count": percent,
                "total_cputime": full, "total_time": full,
                "estimated_time_to_regain_access": if n == 7 { 1440 } else { 0 }}]}),
            "call {n}"
        );
        assert_eq!(
            app_usage(&answer),
            json!({"call_count": app_calls * 100 / 9, "total_cputime": 0, "total_time": 0}),
            "call {n}"
        );
        if n % 2 == 0 {
            // The app's own call moves its platform usage.
            app_calls += 1;
            let platform = server.get_fb(&debug, app_token).await;
            assert_eq!(platform.status, StatusCode::OK, "{}", platform.body);
            assert_eq!(
                app_usage(&platform)["call_count"],
                json!(app_calls * 100 / 9)
            );
        }
    }
    assert_eq!(server.get_ig(&path, &second_token).await.error().0, 80002);
    server.stop().await;
}

/// `X-App-Usage` on a call counted in the Business Use Case budget shows the app's platform
/// window as it stands at that call: its calls leave it as the hour rolls on the virtual
/// clock, minute by minute (Meta's rate-limiting overview: a rolling one-hour window).
#[tokio::test]
async fn x_app_usage_follows_the_app_window_as_it_rolls() {
    let (server, w) = frozen_world_with(&[(Limit::Instagram, 100), (Limit::App, 4)]).await;
    let app_token = w.app["app_token"].as_str().unwrap();
    let path = format!("/v24.0/{}?fields=id", w.business_id());
    let debug = format!("/v24.0/debug_token?input_token={}", w.fb_token);
    let app_percent = |answer: &Answer| app_usage(answer)["call_count"].clone();
    assert_eq!(
        app_percent(&server.get_ig(&path, &w.ig_token).await),
        json!(0)
    );
    for _ in 0..2 {
        assert_eq!(
            server.get_fb(&debug, app_token).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(
        app_percent(&server.get_ig(&path, &w.ig_token).await),
        json!(50)
    );
    // Half an hour later, a third platform call; the first two leave the window an hour after
    // their minute, the third half an hour after that.
    server
        .post_control("/clock", json!({"advance_seconds": 1800}))
        .await;
    assert_eq!(
        server.get_fb(&debug, app_token).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app_percent(&server.get_ig(&path, &w.ig_token).await),
        json!(75)
    );
    server
        .post_control("/clock", json!({"advance_seconds": 1800}))
        .await;
    assert_eq!(
        app_percent(&server.get_ig(&path, &w.ig_token).await),
        json!(25)
    );
    server
        .post_control("/clock", json!({"advance_seconds": 1800}))
        .await;
    assert_eq!(
        app_percent(&server.get_ig(&path, &w.ig_token).await),
        json!(0)
    );
    server.stop().await;
}
