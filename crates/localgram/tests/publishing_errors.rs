//! Publishing, what is refused: publishing errors and the publishing limits.
//!
//! Content publishing end to end: containers of every variant, the media checks against files
//! a loopback server hands out, resumable uploads, the container's states across virtual time,
//! publishing, the limits and the media host.
//! Reference: 001 L1-384 (IG User Media), L1372-1595 (Content Publishing guide), L2121-2268
//! (resumable upload), L3287-3545 (errors), L3916-4027 (IG Container), L6564-6662
//! (content_publishing_limit), L7902-7974 (media_publish), L9448-9510 (copyright); 000
//! L153-306; 004 L2608-2860. Choices where the documents differ: docs/decisions.md
//! "Content publishing (issue #4)".

mod common;
#[macro_use]
#[path = "publishing/support.rs"]
mod support;

use support::*;

// ----- publishing errors --------------------------------------------------------------------

#[tokio::test]
async fn publishing_refuses_what_cannot_be_published() {
    // ref 001 L3395-3403 (2207008), L3495-3503 (2207027), L7902-7974; decisions.md for a
    // container published twice and for another account's container.
    let t = T::start().await;
    let done = t.image("d.jpg").await;
    t.published(&done).await;
    let twice = t.publish(&done).await;
    assert_eq!(
        error_of(&twice),
        (
            24,
            Some(2207008),
            format!(
                "The media builder with creation id = {done} does not exist or has been expired."
            )
        )
    );
    let unknown = t.publish("17999999999999999").await;
    assert_eq!(error_of(&unknown).1, Some(2207008));
    let missing = t.publish("").await;
    assert_eq!(
        missing.body["error"]["message"],
        "(#100) The parameter creation_id is required"
    );
    // Another account's container, published with that account's id in the path by a token
    // that cannot reach it: the path is refused; with its own path, the container is unknown.
    let other = t
        .server
        .post_control(
            "/accounts",
            json!({"username": "other.brand", "facebook_page": true}),
        )
        .await;
    let other_id = other["id"].as_str().unwrap().to_string();
    let other_token = t
        .server
        .token(t.world.app_id(), &other_id, "facebook", None)
        .await;
    let foreign = t
        .post(
            Host::Facebook,
            &format!("/v24.0/{other_id}/media"),
            &other_token,
            &[("image_url", &t.cdn.jpeg("o.jpg", 1080, 1080))],
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(error_of(&t.publish(&foreign).await).1, Some(2207008));
    let cross = t
        .post(
            Host::Facebook,
            &format!("/v24.0/{other_id}/media_publish"),
            &t.world.fb_token,
            &[("creation_id", &foreign)],
        )
        .await;
    assert_eq!(cross.error().1, Some(33));
    // The container is still publishable by its own account.
    let own = t
        .post(
            Host::Facebook,
            &format!("/v24.0/{other_id}/media_publish"),
            &other_token,
            &[("creation_id", &foreign)],
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    // GET on media_publish is not an endpoint.
    let get = t
        .server
        .get_fb(
            &format!("/v24.0/{}/media_publish", t.id()),
            &t.world.fb_token,
        )
        .await;
    assert_eq!(get.status, StatusCode::BAD_REQUEST);
    t.server.stop().await;
}

#[tokio::test]
async fn account_flags_and_page_tasks_gate_publishing() {
    // ref 001 L21-22 (PPA, 2FA), L55-58 (MANAGE or CREATE_CONTENT), L3365-3373 (2207051),
    // L3405-3413 (2207050); control API 2.16.
    let t = T::start().await;
    let ready = t.image("r.jpg").await;
    let flags = format!("/accounts/{}/publishing", t.id());
    t.server.post_control(&flags, json!({"spam": true})).await;
    assert_eq!(
        error_of(&t.publish(&ready).await),
        (4, Some(2207051), "We restrict certain activity to protect our community. Tell us if you think we made a mistake.".into())
    );
    t.server
        .post_control(&flags, json!({"spam": false, "restricted": true}))
        .await;
    assert_eq!(error_of(&t.publish(&ready).await).1, Some(2207050));
    assert_eq!(
        error_of(&t.create(&[("image_url", "http://x.example/a.jpg")]).await).1,
        Some(2207050)
    );
    t.server
        .post_control(&flags, json!({"restricted": false, "ppa_required": true}))
        .await;
    let ppa = t.publish(&ready).await;
    assert_eq!((ppa.status, error_of(&ppa).0), (StatusCode::FORBIDDEN, 10));
    t.server
        .post_control(
            &flags,
            json!({"ppa_required": false, "two_factor_required": true}),
        )
        .await;
    assert_eq!(error_of(&t.publish(&ready).await).0, 10);
    // Two-factor authentication is a Facebook user's: Instagram Login publishes.
    let ig = t
        .post(
            Host::Instagram,
            &format!("/v24.0/{}/media_publish", t.id()),
            &t.world.ig_token,
            &[("creation_id", &ready)],
        )
        .await;
    assert_eq!(ig.status, StatusCode::OK, "{}", ig.text);
    let read = t
        .server
        .control_api(reqwest::Method::GET, &flags)
        .send()
        .await
        .body;
    assert_eq!(
        read,
        json!({"restricted": false, "spam": false, "ppa_required": false,
               "two_factor_required": true, "shopping_product_tag_eligibility": false})
    );

    // A Facebook user who can only analyse the Page cannot publish; the IG token can.
    let analyst = t
        .server
        .post_control(
            "/accounts",
            json!({"username": "analysed", "facebook_page": true, "page_tasks": ["ANALYZE"]}),
        )
        .await;
    let analyst_id = analyst["id"].as_str().unwrap();
    let token = t
        .server
        .token(t.world.app_id(), analyst_id, "facebook", None)
        .await;
    let refused = t
        .post(
            Host::Facebook,
            &format!("/v24.0/{analyst_id}/media"),
            &token,
            &[("image_url", &t.cdn.jpeg("x.jpg", 1080, 1080))],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(error_of(&refused).0, 10);
    // Without the publishing permission: the permission error.
    let reader = t
        .server
        .token(
            t.world.app_id(),
            t.id(),
            "instagram",
            Some(vec!["instagram_business_basic"]),
        )
        .await;
    let denied = t
        .post(
            Host::Instagram,
            &format!("/v24.0/{}/media", t.id()),
            &reader,
            &[("image_url", &t.cdn.jpeg("y.jpg", 1080, 1080))],
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(denied.error().0, 10);
    t.server.stop().await;
}

// ----- limits -------------------------------------------------------------------------------

#[tokio::test]
async fn the_publishing_limit_refuses_then_recovers_as_the_window_rolls() {
    // ref 001 L1447-1450, L3375-3383 (9/2207042), L6564-6662 (content_publishing_limit,
    // sample 001-ig-user-content-publishing-limit-get-L6640).
    let t = T::with(Settings {
        publish_limit: 3,
        ..settings()
    })
    .await;
    for i in 0..3 {
        let c = t.image(&format!("l{i}.jpg")).await;
        t.published(&c).await;
        t.advance(3600.0).await;
    }
    let fourth = t.image("l3.jpg").await;
    let refused = t.publish(&fourth).await;
    assert_eq!(
        error_of(&refused),
        (9, Some(2207042), "You reached maximum number of posts that is allowed to be published by Content Publishing API.".into())
    );
    let since = START_UNIX + 3600;
    let limit = t
        .server
        .get_fb(
            &format!(
                "/v24.0/{}/content_publishing_limit?fields=quota_usage,rate_limit_settings&since={since}",
                t.id()
            ),
            &t.world.fb_token,
        )
        .await;
    assert_same_shape(
        &limit.body,
        &sample("001-ig-user-content-publishing-limit-get-L6640")["response"],
        "$",
    );
    assert_eq!(
        limit.body,
        json!({"data": [{"quota_usage": 2, "config": {"quota_total": 3, "quota_duration": 86400}}]})
    );
    let old = t
        .server
        .get_fb(
            &format!(
                "/v24.0/{}/content_publishing_limit?since={}",
                t.id(),
                START_UNIX - 86_400
            ),
            &t.world.fb_token,
        )
        .await;
    assert_eq!(old.status, StatusCode::BAD_REQUEST);
    let bad = t
        .server
        .get_fb(
            &format!(
                "/v24.0/{}/content_publishing_limit?fields=quota_left",
                t.id()
            ),
            &t.world.fb_token,
        )
        .await;
    assert_eq!(bad.error().0, 100);
    // The limit is read only (ref 001 L6595-6596, L6655-6659).
    let post = t
        .post(
            Host::Facebook,
            &format!("/v24.0/{}/content_publishing_limit", t.id()),
            &t.world.fb_token,
            &[],
        )
        .await;
    assert_eq!(post.status, StatusCode::BAD_REQUEST);
    // 24 hours after the first publish, one slot frees: the fourth goes through.
    t.advance(21.0 * 3600.0).await;
    let usage = t
        .server
        .get_ig(
            &format!("/v24.0/{}/content_publishing_limit", t.id()),
            &t.world.ig_token,
        )
        .await;
    assert_eq!(usage.body, json!({"data": [{"quota_usage": 2}]}));
    t.published(&fourth).await;
    t.server.stop().await;
}

#[tokio::test]
async fn the_default_limit_is_100_and_configurable() {
    // ref 001 L1447-1450 and 004 L2668 (100) vs 001 L1487, L6628-6634, L7912 (50).
    let t = T::start().await;
    let limit = t
        .server
        .get_fb(
            &format!("/v24.0/{}/content_publishing_limit?fields=config", t.id()),
            &t.world.fb_token,
        )
        .await;
    assert_eq!(
        limit.body,
        json!({"data": [{"config": {"quota_total": 100, "quota_duration": 86400}}]})
    );
    t.server.stop().await;
}

#[tokio::test]
async fn the_container_limit_refuses_then_recovers() {
    // ref 001 L18-20: 400 containers per rolling 24 hours (configured to 3 here).
    let t = T::with(Settings {
        container_limit: 3,
        ..settings()
    })
    .await;
    for i in 0..3 {
        t.image(&format!("c{i}.jpg")).await;
    }
    let refused = t
        .create(&[("image_url", &t.cdn.jpeg("c3.jpg", 1080, 1080))])
        .await;
    assert_eq!(error_of(&refused).0, 9);
    assert!(refused.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("(3)"));
    t.advance(24.0 * 3600.0).await;
    t.image("c4.jpg").await;
    t.server.stop().await;
}

#[tokio::test]
async fn concurrent_publishes_make_one_media_and_limits_hold() {
    // Quality: two concurrent publishes of one container create one media; the limits hold
    // under concurrent calls.
    let t = T::with(Settings {
        publish_limit: 3,
        container_limit: 12,
        ..settings()
    })
    .await;
    let container = t.image("once.jpg").await;
    let (a, b) = tokio::join!(t.publish(&container), t.publish(&container));
    let ok = [&a, &b]
        .iter()
        .filter(|x| x.status == StatusCode::OK)
        .count();
    assert_eq!(ok, 1, "{} / {}", a.text, b.text);
    let loser = if a.status == StatusCode::OK { &b } else { &a };
    assert_eq!(error_of(loser).1, Some(2207008));
    let listed = t
        .server
        .get_fb(&format!("/v24.0/{}/media", t.id()), &t.world.fb_token)
        .await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);

    // Eight publishes at once against a limit of 3 (one already used): two succeed.
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(t.image(&format!("p{i}.jpg")).await);
    }
    let results = futures_util::future::join_all(ids.iter().map(|id| t.publish(id))).await;
    let published = results
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(published, 2);
    for refused in results.iter().filter(|r| r.status != StatusCode::OK) {
        assert_eq!(error_of(refused).1, Some(2207042));
    }
    // Ten creations at once against 12 containers (9 used): three succeed.
    let url = t.cdn.jpeg("burst.jpg", 1080, 1080);
    let form = [("image_url", url.as_str())];
    let results = futures_util::future::join_all((0..10).map(|_| t.create(&form))).await;
    assert_eq!(
        results
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count(),
        3
    );
    t.server.stop().await;
}
