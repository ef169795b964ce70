//! Insights (issue #12): `GET /{ig-media-id}/insights` (ref 001 L5034-5594, spec seed001a §18,
//! seed001b §1), `GET /{ig-user-id}/insights` (ref 001 L6663-7331, seed001b §9), the version
//! rules of the changelog (spec seed002-004 §8, §12) and the audience control routes.

mod common;

#[path = "insights/support.rs"]
mod support;

use common::{Answer, TestServer, World};
use reqwest::StatusCode;
use serde_json::json;
use support::*;

async fn media_insights(server: &TestServer, w: &World, media: &str, query: &str) -> Answer {
    server
        .get_ig(&format!("/v24.0/{media}/insights?{query}"), &w.ig_token)
        .await
}

#[tokio::test]
async fn media_insights_agree_with_the_media_and_its_comments() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    let media = post_media(
        &server,
        w.business_id(),
        json!({"caption": "Fresh roast", "timestamp": ago(2 * 86_400), "like_count": 17}),
    )
    .await;
    let person = server
        .post_control("/people", json!({"username": "ana.sousa"}))
        .await;
    for text in ["Nice!", "Where is this?"] {
        server
            .post_control(
                &format!("/people/{}/comments", person["id"].as_str().unwrap()),
                json!({"media_id": media, "text": text}),
            )
            .await;
    }
    let answer = media_insights(
        &server,
        &w,
        &media,
        "metric=reach,views,likes,comments,saved,shares,total_interactions,follows,profile_visits",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let body = &answer.body;
    // The item's shape (ref 001 L1160-1180; sample 001 L5480-5520).
    let reach = &body["data"][0];
    assert_eq!(reach["name"], "reach");
    assert_eq!(reach["period"], "lifetime");
    assert_eq!(reach["title"], "Reach");
    assert_eq!(reach["id"], format!("{media}/insights/reach/lifetime"));
    assert_eq!(reach["values"].as_array().unwrap().len(), 1);
    assert!(reach["values"][0].get("end_time").is_none());
    let keys: Vec<&str> = reach
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["name", "period", "values", "title", "description", "id"]
    );
    // Agreement with the node and the comment edge.
    let node = server
        .get_ig(
            &format!("/v24.0/{media}?fields=like_count,comments_count"),
            &w.ig_token,
        )
        .await
        .body;
    assert_eq!(
        value_of(body, "likes"),
        node["like_count"].as_i64().unwrap()
    );
    assert_eq!(value_of(body, "likes"), 17);
    assert_eq!(
        value_of(body, "comments"),
        node["comments_count"].as_i64().unwrap()
    );
    assert_eq!(value_of(body, "comments"), 2);
    assert!(value_of(body, "reach") <= value_of(body, "views"));
    assert!(value_of(body, "reach") > 0);
    assert_eq!(
        value_of(body, "total_interactions"),
        value_of(body, "likes")
            + value_of(body, "comments")
            + value_of(body, "saved")
            + value_of(body, "shares")
    );
    server.stop().await;
}

/// Every metric of the media table (ref 001 L5100-5200) against every product type: the
/// accepted ones answer a lifetime value, the others Meta's error.
#[tokio::test]
async fn every_media_metric_against_every_product_type() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    set_audience(&server, &w, json!({"followers": 50_000})).await;
    let feed = post_media(&server, w.business_id(), json!({"timestamp": ago(86_400)})).await;
    let album = post_media(
        &server,
        w.business_id(),
        json!({"media_type": "CAROUSEL_ALBUM", "children": 2, "timestamp": ago(86_400)}),
    )
    .await;
    let reel = post_media(
        &server,
        w.business_id(),
        json!({"media_type": "VIDEO", "media_product_type": "REELS", "timestamp": ago(86_400)}),
    )
    .await;
    let story = post_media(
        &server,
        w.business_id(),
        json!({"media_product_type": "STORY", "timestamp": ago(6 * 3_600)}),
    )
    .await;
    // (metric, FEED, REELS, STORY) as the table marks them.
    let table: &[(&str, bool, bool, bool)] = &[
        ("comments", true, true, false),
        ("follows", true, false, true),
        ("ig_reels_avg_watch_time", false, true, false),
        ("ig_reels_video_view_total_time", false, true, false),
        ("likes", true, true, false),
        ("navigation", false, false, true),
        ("profile_activity", true, false, true),
        ("profile_visits", true, false, true),
        ("reach", true, true, true),
        ("replies", false, false, true),
        ("saved", true, true, false),
        ("shares", true, true, true),
        ("total_interactions", true, true, true),
        ("views", true, true, true),
        // Named only in the Postman collection (000 L2996).
        ("content_views", true, true, true),
        ("reels_skip_rate", false, true, false),
        ("facebook_views", false, true, false),
        ("crossposted_views", false, true, false),
    ];
    for (metric, on_feed, on_reels, on_story) in table {
        for (media, ok) in [
            (&feed, on_feed),
            (&album, on_feed),
            (&reel, on_reels),
            (&story, on_story),
        ] {
            let answer = media_insights(&server, &w, media, &format!("metric={metric}")).await;
            if *ok {
                assert_eq!(
                    answer.status,
                    StatusCode::OK,
                    "{metric} on {media}: {}",
                    answer.text
                );
                assert_eq!(answer.body["data"][0]["name"], *metric);
                assert_eq!(answer.body["data"][0]["period"], "lifetime");
                assert!(answer.body["data"][0]["values"][0]["value"].is_i64());
            } else {
                assert_eq!(
                    answer.status,
                    StatusCode::BAD_REQUEST,
                    "{metric} on {media}"
                );
                assert_eq!(
                    answer.error(),
                    (
                        100,
                        None,
                        "OAuthException".into(),
                        format!("(#100) The Media Insights API does not support the {metric} metric for this media product type.")
                    )
                );
            }
        }
    }
    // Threads metrics: these media are not Threads posts, so no data (000 L2996).
    let answer = media_insights(&server, &w, &feed, "metric=thread_replies").await;
    assert_eq!(answer.body, json!({"data": []}));
    // Album children have no insights (ref 001 L5056).
    let children = server
        .get_ig(&format!("/v24.0/{album}/children"), &w.ig_token)
        .await
        .body;
    let child = children["data"][0]["id"].as_str().unwrap();
    let answer = media_insights(&server, &w, child, "metric=reach").await;
    assert_eq!(answer.error().0, 10);
    server.stop().await;
}

/// Breakdowns (ref 001 L5180-5200): totals equal the sum of their results; a breakdown on a
/// metric without it is "An unknown error has occurred.".
#[tokio::test]
async fn media_breakdowns_sum_to_their_totals() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    set_audience(&server, &w, json!({"followers": 80_000})).await;
    let feed = post_media(
        &server,
        w.business_id(),
        json!({"timestamp": ago(3 * 86_400)}),
    )
    .await;
    let story = post_media(
        &server,
        w.business_id(),
        json!({"media_product_type": "STORY", "timestamp": ago(10 * 3_600)}),
    )
    .await;
    for (media, metric, breakdown, values) in [
        (
            &feed,
            "profile_activity",
            "action_type",
            &[
                "bio_link_clicked",
                "call",
                "direction",
                "email",
                "other",
                "text",
            ][..],
        ),
        (
            &story,
            "navigation",
            "story_navigation_action_type",
            &["tap_forward", "tap_back", "tap_exit", "swipe_forward"][..],
        ),
    ] {
        let answer = media_insights(
            &server,
            &w,
            media,
            &format!("metric={metric}&breakdown={breakdown}"),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let item = &answer.body["data"][0];
        let keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "name",
                "period",
                "values",
                "title",
                "description",
                "total_value",
                "id"
            ]
        );
        let total = item["total_value"]["value"].as_i64().unwrap();
        assert_eq!(item["values"][0]["value"].as_i64().unwrap(), total);
        let b = &item["total_value"]["breakdowns"][0];
        assert_eq!(b["dimension_keys"], json!([breakdown]));
        let results = b["results"].as_array().unwrap();
        let sum: i64 = results.iter().map(|r| r["value"].as_i64().unwrap()).sum();
        assert_eq!(sum, total);
        assert!(total > 0);
        for r in results {
            assert!(values.contains(&r["dimension_values"][0].as_str().unwrap()));
        }
    }
    let answer = media_insights(&server, &w, &feed, "metric=reach&breakdown=action_type").await;
    assert_eq!(
        answer.error(),
        (
            1,
            None,
            "OAuthException".into(),
            "An unknown error has occurred.".into()
        )
    );
    let answer = media_insights(
        &server,
        &w,
        &feed,
        "metric=profile_activity,reach&breakdown=action_type",
    )
    .await;
    assert_eq!(answer.error().0, 1);
    server.stop().await;
}

/// Story rules (ref 001 L5058-5062): under five viewers is error 10; after 24 hours the data
/// set is empty.
#[tokio::test]
async fn story_rules() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    // The creator has 42 followers: a story reaches only a handful.
    let small = post_media(
        &server,
        w.creator["id"].as_str().unwrap(),
        json!({"media_product_type": "STORY", "timestamp": ago(3_600)}),
    )
    .await;
    let answer = server
        .get_ig(
            &format!("/v24.0/{small}/insights?metric=reach"),
            &w.creator_token,
        )
        .await;
    assert_eq!(
        answer.error(),
        (
            10,
            None,
            "OAuthException".into(),
            "(#10) Not enough viewers for the media to show insights".into()
        )
    );
    let old = post_media(
        &server,
        w.business_id(),
        json!({"media_product_type": "STORY", "timestamp": ago(25 * 3_600)}),
    )
    .await;
    let answer = media_insights(&server, &w, &old, "metric=reach").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, json!({"data": []}));
    server.stop().await;
}

/// The changelog (spec seed002-004 §12): removed media metrics by version and date.
#[tokio::test]
async fn removed_media_metrics_follow_versions_and_dates() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    let before = post_media(
        &server,
        w.business_id(),
        json!({"timestamp": "2024-06-01T00:00:00Z"}),
    )
    .await;
    let after = post_media(&server, w.business_id(), json!({"timestamp": ago(86_400)})).await;
    let reel = post_media(
        &server,
        w.business_id(),
        json!({"media_type": "VIDEO", "media_product_type": "REELS", "timestamp": ago(86_400)}),
    )
    .await;
    let get = |version: &str, media: &str, metric: &str| {
        let path = format!("/{version}/{media}/insights?metric={metric}");
        let token = w.ig_token.clone();
        let server = &server;
        async move { server.get_ig(&path, &token).await }
    };
    // impressions: v22+ error; v21 keeps media created on or before July 1, 2024 (001 L5036-5040).
    let a = get("v22.0", &before, "impressions").await;
    assert_eq!(a.error().3, "(#100) Starting from version 22 and above, the impressions metric is no longer supported for the queried media. Please refer to the documentation at https://developers.facebook.com/docs/instagram-api/reference/ig-media/insights for a list of supported metrics.");
    let a = get("v21.0", &before, "impressions").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"][0]["title"], "Impressions");
    assert_eq!(get("v21.0", &after, "impressions").await.error().0, 100);
    // plays, clips_replays_count, ig_reels_aggregated_all_plays_count: every version after
    // Apr 21, 2025; video_views after Jan 8, 2025; engagement after Dec 11, 2023.
    for (metric, version) in [
        ("plays", 22),
        ("clips_replays_count", 22),
        ("ig_reels_aggregated_all_plays_count", 22),
        ("video_views", 21),
        ("engagement", 18),
    ] {
        let a = get("v19.0", &reel, metric).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{metric}");
        assert!(
            a.error().3.starts_with(&format!(
                "(#100) Starting from version {version} and above, the {metric} metric"
            )),
            "{}",
            a.text
        );
    }
    // An unknown metric lists the valid ones.
    let a = get("v24.0", &after, "bogus").await;
    assert!(a
        .error()
        .3
        .starts_with("(#100) metric[0] must be one of the following values: comments, follows,"));
    server.stop().await;
}

async fn user_insights(server: &TestServer, w: &World, query: &str) -> Answer {
    server
        .get_ig(
            &format!("/v24.0/{}/insights?{query}", w.business_id()),
            &w.ig_token,
        )
        .await
}

/// The time-series shape (sample ref 001 L1200-1230): two daily values by default, ending at
/// Pacific midnight, id `<user>/insights/<metric>/<period>`.
#[tokio::test]
async fn user_time_series_and_totals() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    for days in 1..6 {
        post_media(
            &server,
            w.business_id(),
            json!({"timestamp": ago(days * 86_400)}),
        )
        .await;
    }
    let answer = user_insights(&server, &w, "metric=reach&period=day").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let item = &answer.body["data"][0];
    assert_eq!(
        item["id"],
        format!("{}/insights/reach/day", w.business_id())
    );
    assert_eq!(item["title"], "Accounts reached");
    let values = item["values"].as_array().unwrap();
    assert_eq!(values.len(), 2);
    assert_eq!(values[0]["end_time"], "2026-01-14T08:00:00+0000");
    assert_eq!(values[1]["end_time"], "2026-01-15T08:00:00+0000");
    assert!(answer.body["paging"]["next"]
        .as_str()
        .unwrap()
        .contains("since="));
    // Totals: metric_type required for total-only metrics (Meta's public reference).
    let answer = user_insights(&server, &w, "metric=likes,accounts_engaged&period=day").await;
    assert_eq!(
        answer.error().3,
        "(#100) The following metrics (likes, accounts_engaged) should be specified with parameter metric_type=total_value"
    );
    let since = NOW_UNIX - 7 * 86_400;
    let answer = user_insights(
        &server,
        &w,
        &format!("metric=views,reach,total_interactions&period=day&metric_type=total_value&breakdown=media_product_type&since={since}&until={NOW_UNIX}"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    for item in answer.body["data"].as_array().unwrap() {
        let total = item["total_value"]["value"].as_i64().unwrap();
        let results = item["total_value"]["breakdowns"][0]["results"]
            .as_array()
            .unwrap();
        let sum: i64 = results.iter().map(|r| r["value"].as_i64().unwrap()).sum();
        assert_eq!(sum, total, "{item}");
        assert!(item.get("values").is_none());
    }
    let views = answer.body["data"][0]["total_value"]["value"]
        .as_i64()
        .unwrap();
    let reach = answer.body["data"][1]["total_value"]["value"]
        .as_i64()
        .unwrap();
    assert!(views > 0 && reach <= views);
    // Breakdown on a metric without it; ranges over 30 days; a removed metric.
    let answer = user_insights(
        &server,
        &w,
        "metric=replies&period=day&metric_type=total_value&breakdown=media_product_type",
    )
    .await;
    assert_eq!(answer.error().3, "An unknown error has occurred.");
    let answer = user_insights(
        &server,
        &w,
        &format!(
            "metric=reach&period=day&since={}&until={NOW_UNIX}",
            NOW_UNIX - 31 * 86_400
        ),
    )
    .await;
    assert_eq!(
        answer.error().3,
        "(#100) There cannot be more than 30 days (2592000 s) between since and until"
    );
    let answer = user_insights(&server, &w, "metric=profile_views&period=day").await;
    assert!(answer.error().3.starts_with("(#100) Starting from version 21 and above, the profile_views metric is no longer supported for the queried user."));
    let answer = server
        .get_ig(
            &format!(
                "/v20.0/{}/insights?metric=impressions&period=day",
                w.business_id()
            ),
            &w.ig_token,
        )
        .await;
    assert!(answer
        .error()
        .3
        .starts_with("(#100) Starting from version 22 and above, the impressions metric"));
    let answer = user_insights(&server, &w, "metric=follower_count&period=week").await;
    assert_eq!(answer.error().0, 100);
    server.stop().await;
}

/// Demographics (ref 001 L6740-6760, sample L7230-7260): top 45, no `value`, the timeframe
/// prefixed; removed timeframes; the 100-follower threshold gives an empty set.
#[tokio::test]
async fn demographics_and_thresholds() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    let answer = user_insights(
        &server,
        &w,
        "metric=follower_demographics&period=lifetime&metric_type=total_value&breakdown=city",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let total = &answer.body["data"][0]["total_value"];
    assert!(total.get("value").is_none());
    let results = total["breakdowns"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 45);
    let sum: i64 = results.iter().map(|r| r["value"].as_i64().unwrap()).sum();
    assert!(sum <= 5000);
    let answer = user_insights(
        &server,
        &w,
        "metric=follower_demographics&period=lifetime&metric_type=total_value&breakdown=country&timeframe=this_month",
    )
    .await;
    let b = &answer.body["data"][0]["total_value"]["breakdowns"][0];
    assert_eq!(b["dimension_keys"], json!(["timeframe", "country"]));
    assert_eq!(b["results"][0]["dimension_values"][0], "THIS_MONTH");
    let answer = user_insights(
        &server,
        &w,
        "metric=engaged_audience_demographics&period=lifetime&metric_type=total_value&breakdown=country&timeframe=last_90_days",
    )
    .await;
    assert_eq!(
        answer.error().3,
        "(#100) Param timeframe must be one of {this_month, this_week}"
    );
    let answer = user_insights(
        &server,
        &w,
        "metric=engaged_audience_demographics&period=lifetime&metric_type=total_value&breakdown=country",
    )
    .await;
    assert_eq!(answer.error().0, 100);
    // The creator has 42 followers: follower metrics answer an empty set (ref 001 L6690).
    let answer = server
        .get_ig(
            &format!(
                "/v24.0/{}/insights?metric=follower_count&period=day",
                w.creator["id"].as_str().unwrap()
            ),
            &w.creator_token,
        )
        .await;
    assert_eq!(answer.body["data"], json!([]));
    // online_followers: an hour map per day.
    let answer = user_insights(&server, &w, "metric=online_followers&period=lifetime").await;
    let value = &answer.body["data"][0]["values"][0]["value"];
    assert_eq!(value.as_object().unwrap().len(), 24);
    server.stop().await;
}

/// Explicit activity adds to the model; the audience profile moves `followers_count`.
#[tokio::test]
async fn control_activity_and_audience() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    let media = post_media(&server, w.business_id(), json!({"timestamp": ago(86_400)})).await;
    let before = media_insights(&server, &w, &media, "metric=views,reach,likes,saved")
        .await
        .body;
    let activity = format!("/accounts/{}/activity", w.business_id());
    server
        .post_control(
            &activity,
            json!({"kind": "views", "media_id": media, "count": 40}),
        )
        .await;
    server
        .post_control(
            &activity,
            json!({"kind": "likes", "media_id": media, "count": 3}),
        )
        .await;
    server
        .post_control(
            &activity,
            json!({"kind": "saves", "media_id": media, "count": 2}),
        )
        .await;
    let after = media_insights(&server, &w, &media, "metric=views,reach,likes,saved")
        .await
        .body;
    assert_eq!(value_of(&after, "views"), value_of(&before, "views") + 40);
    assert_eq!(value_of(&after, "reach"), value_of(&before, "reach") + 40);
    assert_eq!(value_of(&after, "likes"), value_of(&before, "likes") + 3);
    assert_eq!(value_of(&after, "saved"), value_of(&before, "saved") + 2);
    let node = server
        .get_ig(&format!("/v24.0/{media}?fields=like_count"), &w.ig_token)
        .await
        .body;
    assert_eq!(node["like_count"], 3);
    // Follows at a time: followers_count and follower_count move together.
    server
        .post_control(
            &activity,
            json!({"kind": "follows", "count": 25, "at": ago(3_600)}),
        )
        .await;
    let user = server
        .get_ig(
            &format!("/v24.0/{}?fields=followers_count", w.business_id()),
            &w.ig_token,
        )
        .await
        .body;
    assert_eq!(user["followers_count"], 5025);
    let (status, _) = server
        .control(
            reqwest::Method::POST,
            &activity,
            Some(json!({"kind": "hugs"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A profile with growth: followers follow the clock.
    let profile = server
        .post_control(
            &format!("/accounts/{}/audience", w.business_id()),
            json!({"followers": 10_000, "daily_growth": 0.01}),
        )
        .await;
    assert_eq!(profile["followers"], 10_000);
    server
        .post_control("/clock", json!({"advance_seconds": 86_400}))
        .await;
    let user = server
        .get_ig(
            &format!("/v24.0/{}?fields=followers_count", w.business_id()),
            &w.ig_token,
        )
        .await
        .body;
    assert_eq!(user["followers_count"], 10_100);
    server.stop().await;
}

/// Same seed and clock, same numbers: twice in a row, and after a restart on the same data.
#[tokio::test]
async fn numbers_are_deterministic_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let config = || localgram::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(7),
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let server = TestServer::start_with(config()).await;
    let w = frozen_world(&server).await;
    let media = post_media(&server, w.business_id(), json!({"timestamp": ago(86_400)})).await;
    let query = "metric=views,reach,saved,shares";
    let first = media_insights(&server, &w, &media, query).await.body;
    let account_query = "metric=reach&period=day";
    let account_first = user_insights(&server, &w, account_query).await.body;
    assert_eq!(media_insights(&server, &w, &media, query).await.body, first);
    server.stop().await;
    let server = TestServer::start_with(config()).await;
    assert_eq!(media_insights(&server, &w, &media, query).await.body, first);
    assert_eq!(
        user_insights(&server, &w, account_query).await.body["data"],
        account_first["data"]
    );
    server.stop().await;
}

/// `story_insights` (ref 003 L82, L133-165): recorded through the outbox when the story is
/// posted (due one hour after expiry: `deliver_at_ms`, tested in webhooks_outbox.rs), with the
/// numbers media insights give at 24 hours.
#[tokio::test]
async fn story_insights_event_carries_the_24_hour_metrics() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    set_audience(&server, &w, json!({"followers": 40_000})).await;
    let story = post_media(
        &server,
        w.business_id(),
        json!({"media_product_type": "STORY"}),
    )
    .await;
    let log = server
        .get_control("/webhooks/deliveries?field=story_insights&include=skipped")
        .await;
    let delivery = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["event"]["story_insights"]["media_id"] == story.as_str())
        .unwrap_or_else(|| panic!("no story_insights event in {log}"))
        .clone();
    let event = delivery["event"]["story_insights"].clone();
    assert_eq!(delivery["field"], "story_insights");
    let keys: Vec<&str> = event
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "media_id",
            "exits",
            "replies",
            "reach",
            "taps_forward",
            "taps_back",
            "impressions"
        ]
    );
    // Just before expiry, media insights answer what the webhook will carry.
    server
        .post_control("/clock", json!({"advance_seconds": 86_399}))
        .await;
    let insights = media_insights(&server, &w, &story, "metric=reach,replies").await;
    let navigation = media_insights(
        &server,
        &w,
        &story,
        "metric=navigation&breakdown=story_navigation_action_type",
    )
    .await;
    assert_eq!(insights.status, StatusCode::OK, "{}", insights.text);
    // The model's 24-hour values: the story has stopped collecting one second before.
    assert!(event["reach"].as_i64().unwrap() >= value_of(&insights.body, "reach"));
    assert!(event["reach"].as_i64().unwrap() - value_of(&insights.body, "reach") <= 1);
    assert_eq!(
        event["replies"].as_i64().unwrap(),
        value_of(&insights.body, "replies")
    );
    let results = &navigation.body["data"][0]["total_value"]["breakdowns"][0]["results"];
    let part = |name: &str| {
        results
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["dimension_values"][0] == name)
            .map_or(0, |r| r["value"].as_i64().unwrap())
    };
    assert!((event["taps_forward"].as_i64().unwrap() - part("tap_forward")).abs() <= 1);
    assert!((event["exits"].as_i64().unwrap() - part("tap_exit")).abs() <= 1);
    server.stop().await;
}

/// Every user metric of the table (ref 001 L6800-6900, seed001b §9) with its period and
/// metric type, and each of its breakdowns: accepted combinations answer the documented
/// shape, a breakdown the metric lacks answers "An unknown error has occurred.".
#[tokio::test]
async fn every_user_metric_period_and_breakdown() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    for days in 1..10 {
        post_media(
            &server,
            w.business_id(),
            json!({"timestamp": ago(days * 86_400)}),
        )
        .await;
    }
    let all = [
        "contact_button_type",
        "follow_type",
        "follower_type",
        "media_product_type",
    ];
    // (metric, period, breakdowns)
    let table: &[(&str, &str, &[&str])] = &[
        ("accounts_engaged", "day", &[]),
        ("comments", "day", &["media_product_type"]),
        ("follows_and_unfollows", "day", &["follow_type"]),
        ("likes", "day", &["media_product_type"]),
        ("profile_links_taps", "day", &["contact_button_type"]),
        ("reach", "day", &["media_product_type", "follow_type"]),
        ("replies", "day", &[]),
        ("saved", "day", &["media_product_type"]),
        ("shares", "day", &["media_product_type"]),
        ("total_interactions", "day", &["media_product_type"]),
        ("views", "day", &["follower_type", "media_product_type"]),
    ];
    let range = format!("since={}&until={NOW_UNIX}", NOW_UNIX - 7 * 86_400);
    for (metric, period, breakdowns) in table {
        let a = user_insights(
            &server,
            &w,
            &format!("metric={metric}&period={period}&metric_type=total_value&{range}"),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{metric}: {}", a.text);
        let item = &a.body["data"][0];
        assert_eq!(item["name"], *metric);
        assert_eq!(item["period"], *period);
        assert!(item["total_value"]["value"].is_i64(), "{item}");
        assert!(item["total_value"].get("breakdowns").is_none());
        for b in all {
            let a = user_insights(
                &server,
                &w,
                &format!(
                    "metric={metric}&period={period}&metric_type=total_value&breakdown={b}&{range}"
                ),
            )
            .await;
            if breakdowns.contains(&b) {
                assert_eq!(a.status, StatusCode::OK, "{metric} by {b}: {}", a.text);
                let total = &a.body["data"][0]["total_value"];
                let sum: i64 = total["breakdowns"][0]["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["value"].as_i64().unwrap())
                    .sum();
                assert_eq!(sum, total["value"].as_i64().unwrap(), "{metric} by {b}");
                assert_eq!(total["breakdowns"][0]["dimension_keys"], json!([b]));
            } else {
                assert_eq!(
                    a.error().3,
                    "An unknown error has occurred.",
                    "{metric} by {b}"
                );
            }
        }
        // Periods the metric lacks.
        let a = user_insights(
            &server,
            &w,
            &format!("metric={metric}&period=month&metric_type=total_value"),
        )
        .await;
        assert_eq!(
            a.error().3,
            format!(
                "(#100) Incompatible period: the metric {metric} does not support period month"
            )
        );
    }
    // Two breakdowns at once: one entry, two keys, sums intact.
    let a = user_insights(&server, &w, &format!("metric=reach&period=day&metric_type=total_value&breakdown=media_product_type,follow_type&{range}")).await;
    let total = &a.body["data"][0]["total_value"];
    assert_eq!(
        total["breakdowns"][0]["dimension_keys"],
        json!(["media_product_type", "follow_type"])
    );
    let sum: i64 = total["breakdowns"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, total["value"].as_i64().unwrap());
    // Rolling periods for reach: a value per day, each the sum of the last 7 days.
    let a = user_insights(&server, &w, "metric=reach&period=week").await;
    assert_eq!(a.body["data"][0]["period"], "week");
    assert_eq!(
        a.body["data"][0]["id"],
        format!("{}/insights/reach/week", w.business_id())
    );
    // Time series: the daily values add up to the total over the same days.
    let since = graph::timefmt::pacific_day_end(NOW_UNIX - 5 * 86_400);
    let until = graph::timefmt::pacific_day_end(NOW_UNIX - 86_400);
    let series = user_insights(
        &server,
        &w,
        &format!("metric=views&period=day&metric_type=time_series&since={since}&until={until}"),
    )
    .await;
    assert_eq!(series.error().3, "(#100) The following metrics (views) should be specified with parameter metric_type=total_value");
    let series = user_insights(
        &server,
        &w,
        &format!("metric=reach&period=day&since={since}&until={until}"),
    )
    .await;
    let days = series.body["data"][0]["values"].as_array().unwrap().clone();
    assert_eq!(days.len(), 4);
    let total = user_insights(&server, &w, &format!("metric=reach&period=day&metric_type=total_value&breakdown=media_product_type&since={since}&until={until}")).await;
    // Reach counts people once over the range: at most the sum of the days.
    let by_day: i64 = days.iter().map(|d| d["value"].as_i64().unwrap()).sum();
    let reach = total.body["data"][0]["total_value"]["value"]
        .as_i64()
        .unwrap();
    let per_product: i64 = total.body["data"][0]["total_value"]["breakdowns"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_i64().unwrap())
        .sum();
    assert!(reach <= by_day && reach > 0, "{reach} {by_day}");
    assert_eq!(per_product, reach);
    // New followers add up: the daily follower_count sums to its total over the same days.
    let series = user_insights(
        &server,
        &w,
        &format!("metric=follower_count&period=day&since={since}&until={until}"),
    )
    .await;
    let by_day: i64 = series.body["data"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["value"].as_i64().unwrap())
        .sum();
    let total = user_insights(
        &server,
        &w,
        &format!(
            "metric=follower_count&period=day&metric_type=total_value&since={since}&until={until}"
        ),
    )
    .await;
    assert_eq!(
        total.body["data"][0]["total_value"]["value"]
            .as_i64()
            .unwrap(),
        by_day
    );
    assert!(by_day > 0);
    // Threads metrics: no Threads profile here, so no data (an empty set, not 0).
    let a = user_insights(
        &server,
        &w,
        "metric=threads_views&period=day&metric_type=total_value",
    )
    .await;
    assert_eq!(a.body["data"], json!([]));
    server.stop().await;
}

/// The demo accounts come with 90 days of history (issue #12): a month of daily reach, a
/// growing follower count, and likes on every post that agree with insights.
#[tokio::test]
async fn demo_accounts_have_ninety_days_of_history() {
    let server = TestServer::start_with(localgram::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(7),
        demo: true,
        ..Default::default()
    })
    .await;
    let apps = server.get_control("/apps").await;
    let app_id = apps["data"][0]["id"]
        .as_str()
        .or(apps[0]["id"].as_str())
        .unwrap()
        .to_string();
    let accounts = server.get_control("/accounts").await;
    let list = accounts["data"]
        .as_array()
        .or(accounts.as_array())
        .unwrap()
        .clone();
    let business = list.iter().find(|a| a["username"] == "bluebottle").unwrap();
    let id = business["id"].as_str().unwrap();
    let token = server.token(&app_id, id, "instagram", None).await;
    let now = server.get_control("/clock").await["now_unix"]
        .as_i64()
        .unwrap();
    let a = server
        .get_ig(
            &format!(
                "/v24.0/{id}/insights?metric=reach,follower_count&period=day&since={}&until={now}",
                now - 30 * 86_400
            ),
            &token,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    for item in a.body["data"].as_array().unwrap() {
        let values = item["values"].as_array().unwrap();
        assert!(values.len() >= 30, "{item}");
        // The history: every day already over (the day in progress, which ends after `now`,
        // may not have anything yet in its first minutes).
        let ended = |v: &&serde_json::Value| {
            let end = v["end_time"].as_str().unwrap().replace("+0000", "Z");
            graph::timefmt::parse_rfc3339(&end).unwrap() <= now
        };
        let history: Vec<&serde_json::Value> = values.iter().filter(ended).collect();
        assert!(history.len() >= 29, "{item}");
        assert!(
            history.iter().all(|v| v["value"].as_i64().unwrap() > 0),
            "{item}"
        );
    }
    let demographics = server
        .get_ig(&format!("/v24.0/{id}/insights?metric=engaged_audience_demographics&period=lifetime&metric_type=total_value&breakdown=age&timeframe=this_month"), &token)
        .await;
    assert_eq!(
        demographics.body["data"][0]["name"], "engaged_audience_demographics",
        "{}",
        demographics.text
    );
    let until = server
        .get_ig(&format!("/v24.0/{id}?fields=followers_count"), &token)
        .await
        .body;
    assert!(
        (12_300..=12_500).contains(&until["followers_count"].as_i64().unwrap()),
        "{until}"
    );
    let media = server
        .get_ig(
            &format!("/v24.0/{id}/media?fields=like_count,timestamp&limit=100"),
            &token,
        )
        .await
        .body;
    let items = media["data"].as_array().unwrap();
    assert!(items.len() > 30, "{}", items.len());
    let oldest = items.last().unwrap();
    let likes = oldest["like_count"].as_i64().unwrap();
    assert!(likes > 0);
    let insights = server
        .get_ig(
            &format!(
                "/v24.0/{}/insights?metric=likes,reach",
                oldest["id"].as_str().unwrap()
            ),
            &token,
        )
        .await;
    assert_eq!(value_of(&insights.body, "likes"), likes);
    server.stop().await;
}

/// Permissions (ref 001 L5095-5104, L6703-6712): Instagram Login needs
/// `instagram_business_manage_insights`; Facebook Login answers on graph.facebook.com.
#[tokio::test]
async fn insights_need_their_permissions_on_both_logins() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    let app_id = w.app_id().to_string();
    let basic_only = server
        .token(
            &app_id,
            w.business_id(),
            "instagram",
            Some(vec!["instagram_business_basic"]),
        )
        .await;
    let answer = server
        .get_ig(
            &format!(
                "/v24.0/{}/insights?metric=reach&period=day",
                w.business_id()
            ),
            &basic_only,
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    assert_eq!(
        answer.error(),
        (
            10,
            None,
            "OAuthException".into(),
            "(#10) Application does not have permission for this action".into()
        )
    );
    let answer = server
        .get_fb(
            &format!(
                "/v24.0/{}/insights?metric=reach&period=day",
                w.business_id()
            ),
            &w.fb_token,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body["data"][0]["name"], "reach");
    server.stop().await;
}

/// Account totals are sums over the account's media (ref 001 L6844-6856, L6928-6938): likes
/// and comments over a range equal what the media show, by product type.
#[tokio::test]
async fn account_likes_and_comments_are_the_sums_over_media() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    let mut media = Vec::new();
    for (days, likes) in [(2, 10), (3, 20), (4, 30)] {
        media.push(
            post_media(
                &server,
                w.business_id(),
                json!({"timestamp": ago(days * 86_400), "like_count": likes}),
            )
            .await,
        );
    }
    let reel = post_media(
        &server,
        w.business_id(),
        json!({"media_type": "VIDEO", "media_product_type": "REELS", "timestamp": ago(86_400), "like_count": 5}),
    )
    .await;
    let person = server
        .post_control("/people", json!({"username": "ana.sousa"}))
        .await;
    let person = person["id"].as_str().unwrap();
    for m in [&media[0], &media[1], &reel] {
        server
            .post_control(
                &format!("/people/{person}/comments"),
                json!({"media_id": m, "text": "Nice"}),
            )
            .await;
    }
    server
        .post_control(
            &format!("/people/{person}/likes"),
            json!({"media_id": reel}),
        )
        .await;
    let since = NOW_UNIX - 7 * 86_400;
    let answer = user_insights(
        &server,
        &w,
        &format!("metric=likes,comments&period=day&metric_type=total_value&breakdown=media_product_type&since={since}&until={NOW_UNIX}"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let likes = &answer.body["data"][0]["total_value"];
    assert_eq!(likes["value"], 66);
    assert_eq!(
        likes["breakdowns"][0]["results"],
        json!([{"dimension_values": ["POST"], "value": 60}, {"dimension_values": ["REEL"], "value": 6}])
    );
    let comments = &answer.body["data"][1]["total_value"];
    assert_eq!(comments["value"], 3);
    // The same numbers from the media side.
    let mut sum = 0;
    for m in media.iter().chain([&reel]) {
        let body = media_insights(&server, &w, m, "metric=likes").await.body;
        sum += value_of(&body, "likes");
    }
    assert_eq!(sum, 66);
    server.stop().await;
}

/// The demographics rows of the user table (ref 001 L6858-6914): each metric with each of
/// `age`, `city`, `country`, `gender`, and the breakdowns they lack; time-series requests of
/// total-only metrics.
#[tokio::test]
async fn demographics_by_every_dimension() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    set_audience(&server, &w, json!({"followers": 60_000})).await;
    for days in 1..20 {
        post_media(
            &server,
            w.business_id(),
            json!({"timestamp": ago(days * 86_400)}),
        )
        .await;
    }
    let values = |dim: &str| -> Vec<&'static str> {
        match dim {
            "age" => vec!["13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"],
            "gender" => vec!["F", "M", "U"],
            _ => vec![],
        }
    };
    for metric in [
        "follower_demographics",
        "engaged_audience_demographics",
        "reached_audience_demographics",
    ] {
        for dim in ["age", "city", "country", "gender"] {
            let a = user_insights(
                &server,
                &w,
                &format!("metric={metric}&period=lifetime&metric_type=total_value&breakdown={dim}&timeframe=this_week"),
            )
            .await;
            assert_eq!(a.status, StatusCode::OK, "{metric} by {dim}: {}", a.text);
            let item = &a.body["data"][0];
            assert_eq!(
                item["id"],
                format!("{}/insights/{metric}/lifetime", w.business_id())
            );
            let b = &item["total_value"]["breakdowns"][0];
            assert_eq!(b["dimension_keys"], json!(["timeframe", dim]));
            let results = b["results"].as_array().unwrap();
            assert!(!results.is_empty() && results.len() <= 45);
            let mut last = i64::MAX;
            for r in results {
                assert_eq!(r["dimension_values"][0], "THIS_WEEK");
                let v = r["dimension_values"][1].as_str().unwrap();
                if !values(dim).is_empty() {
                    assert!(values(dim).contains(&v), "{dim} {v}");
                }
                if dim == "country" {
                    assert_eq!(v.len(), 2);
                }
                let n = r["value"].as_i64().unwrap();
                assert!(n <= last, "largest first");
                last = n;
            }
        }
        for other in ["media_product_type", "follow_type", "contact_button_type"] {
            let a = user_insights(
                &server,
                &w,
                &format!("metric={metric}&period=lifetime&metric_type=total_value&breakdown={other}&timeframe=this_week"),
            )
            .await;
            assert_eq!(
                a.error().3,
                "An unknown error has occurred.",
                "{metric} by {other}"
            );
        }
        let a = user_insights(&server, &w, &format!("metric={metric}&period=day&metric_type=total_value&breakdown=age&timeframe=this_week")).await;
        assert_eq!(a.error().0, 100);
    }
    // Age and gender together: one entry, both keys.
    let a = user_insights(
        &server,
        &w,
        "metric=follower_demographics&period=lifetime&metric_type=total_value&breakdown=age,gender",
    )
    .await;
    let b = &a.body["data"][0]["total_value"]["breakdowns"][0];
    assert_eq!(b["dimension_keys"], json!(["age", "gender"]));
    assert_eq!(
        b["results"][0]["dimension_values"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // The total-only metrics asked as a time series (Meta's public reference).
    for metric in [
        "accounts_engaged",
        "comments",
        "likes",
        "replies",
        "saved",
        "shares",
        "total_interactions",
        "views",
        "profile_links_taps",
        "follows_and_unfollows",
    ] {
        let a = user_insights(
            &server,
            &w,
            &format!("metric={metric}&period=day&metric_type=time_series"),
        )
        .await;
        assert_eq!(
            a.error().3,
            format!("(#100) The following metrics ({metric}) should be specified with parameter metric_type=total_value")
        );
    }
    let a = user_insights(
        &server,
        &w,
        "metric=online_followers&period=lifetime&metric_type=total_value",
    )
    .await;
    assert_eq!(
        a.error().3,
        "(#100) The following metrics (online_followers) do not support metric_type=total_value"
    );
    server.stop().await;
}
