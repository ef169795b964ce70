//! Insights rules beyond the metric matrix (issue #12): the Business Use Case budget counted
//! from the account's views (ref 004 L250-260, issue #14), the EEA and Japan story `replies`
//! rule (ref 001 L5073-5074; 004 L1504-1508, L1527-1531) and late data (ref 001 L5062-5064,
//! L6716-6720). The metric matrix and the version rules are in `tests/insights.rs`.

mod common;
#[path = "insights/support.rs"]
mod support;

use common::{Answer, TestServer, World};
use localgram::limits::Settings;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::*;

const DAY: i64 = 86_400;

async fn activity(server: &TestServer, w: &World, body: Value) {
    server
        .post_control(&format!("/accounts/{}/activity", w.business_id()), body)
        .await;
}

async fn get(server: &TestServer, w: &World, path: &str) -> Answer {
    server.get_ig(&format!("/v24.0/{path}"), &w.ig_token).await
}

fn buc_percent(answer: &Answer, account: &str) -> i64 {
    let usage: Value = serde_json::from_str(
        answer
            .header("x-business-use-case-usage")
            .expect("the BUC header"),
    )
    .unwrap();
    usage[account][0]["call_count"].as_i64().unwrap()
}

/// A server with Meta's rate limits and a frozen world whose business account has no audience
/// (the model adds nothing) and one post, viewed by five people an hour ago: the server, the
/// world, the account and the post.
async fn five_views_an_hour_ago() -> (TestServer, World, String, String) {
    let server = TestServer::start_with(localgram::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(7),
        rate_limits: Settings::meta(),
        ..Default::default()
    })
    .await;
    let w = frozen_world(&server).await;
    let account = w.business_id().to_string();
    set_audience(&server, &w, json!({"followers": 0})).await;
    let media = post_media(
        &server,
        w.business_id(),
        json!({"timestamp": ago(2 * 3_600)}),
    )
    .await;
    activity(
        &server,
        &w,
        json!({"kind": "views", "media_id": media, "count": 5, "at": ago(3_600)}),
    )
    .await;
    (server, w, account, media)
}

/// "Calls within 24 hours = 4800 * Number of Impressions" (ref 004 L250-260): the number of
/// impressions is the account's views in the 24 hours before the current virtual hour, as
/// its insights report them; the control API's figure wins, and an account without views
/// counts with the configured default (docs/decisions.md, "Insights").
#[tokio::test]
async fn the_business_use_case_budget_counts_the_accounts_views_of_the_last_day() {
    // No audience: the model adds nothing; five people view a post an hour ago.
    let (server, w, account, media) = five_views_an_hour_ago().await;
    let views = get(
        &server,
        &w,
        &format!(
            "{account}/insights?metric=views&period=day&metric_type=total_value&since={}&until={}",
            NOW_UNIX - DAY,
            NOW_UNIX - 1
        ),
    )
    .await;
    assert_eq!(
        views.body["data"][0]["total_value"]["value"], 5,
        "{}",
        views.text
    );
    // 4800 × 5 views × 0.0001 = 2 calls.
    server
        .post_control("/rate_limits", json!({"scale": 0.0001}))
        .await;
    server.post_control("/rate_limits/reset", json!({})).await;
    let node = format!("{account}?fields=id");
    let first = get(&server, &w, &node).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(buc_percent(&first, &account), 50);
    assert_eq!(get(&server, &w, &node).await.status, StatusCode::OK);
    assert_eq!(get(&server, &w, &node).await.error().0, 80002);
    // The control API's figure wins: 4800 × 10 × 0.0001 = 4 calls.
    server
        .post_control("/rate_limits", json!({"impressions": {&account: 10}}))
        .await;
    for _ in 0..2 {
        assert_eq!(get(&server, &w, &node).await.status, StatusCode::OK);
    }
    assert_eq!(get(&server, &w, &node).await.error().0, 80002);
    // More views move the budget: 20 views → 9 calls once the figure is cleared.
    server
        .post_control("/rate_limits", json!({"impressions": {&account: null}}))
        .await;
    activity(
        &server,
        &w,
        json!({"kind": "views", "media_id": media, "count": 15, "at": ago(1_800)}),
    )
    .await;
    server.post_control("/rate_limits/reset", json!({})).await;
    let answer = get(&server, &w, &node).await;
    assert_eq!(buc_percent(&answer, &account), 11, "1 call of 9");
    // A day later those views have left the window: the default (1,000 → 480 calls).
    server
        .post_control("/clock", json!({"advance_seconds": DAY + 3_600}))
        .await;
    server.post_control("/rate_limits/reset", json!({})).await;
    for _ in 0..10 {
        assert_eq!(get(&server, &w, &node).await.status, StatusCode::OK);
    }
    let answer = get(&server, &w, &node).await;
    assert_eq!(buc_percent(&answer, &account), 2, "11 calls of 480");
    server.stop().await;
}

/// The budget follows the views as they are recorded (ref 004 L250-260): more views resize it
/// from the next call, with no reset between (a thread keeps what a caller's calls resolved
/// to only while the views it was sized with are unchanged).
#[tokio::test]
async fn new_views_resize_the_budget_from_the_next_call() {
    let (server, w, account, media) = five_views_an_hour_ago().await;
    // 4800 × 5 views × 0.0001 = 2 calls.
    server
        .post_control("/rate_limits", json!({"scale": 0.0001}))
        .await;
    let node = format!("{account}?fields=id");
    for percent in [50, 100] {
        let answer = get(&server, &w, &node).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(buc_percent(&answer, &account), percent);
    }
    assert_eq!(get(&server, &w, &node).await.error().0, 80002);
    // 15 more views: 20 views → 9 calls, of which 2 are used.
    activity(
        &server,
        &w,
        json!({"kind": "views", "media_id": media, "count": 15, "at": ago(1_800)}),
    )
    .await;
    let answer = get(&server, &w, &node).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(buc_percent(&answer, &account), 33, "3 calls of 9");
    server.stop().await;
}

/// "For Stories created by users in Europe and Japan, the replies metric now returns a value
/// of 0" (ref 001 L5073; EEA after Dec 1, 2020: 004 L1527-1531; Japan from Apr 14, 2021: 004
/// L1504-1508). The account's country is set with its audience.
#[tokio::test]
async fn stories_of_eea_and_japanese_accounts_count_no_replies() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    set_audience(&server, &w, json!({"followers": 50_000})).await;
    let story = post_media(
        &server,
        w.business_id(),
        json!({"media_product_type": "STORY", "timestamp": ago(6 * 3_600)}),
    )
    .await;
    activity(
        &server,
        &w,
        json!({"kind": "replies", "media_id": story, "count": 7}),
    )
    .await;
    let query = format!("{story}/insights?metric=replies,shares,total_interactions");
    let elsewhere = get(&server, &w, &query).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.text);
    let replies = value_of(&elsewhere.body, "replies");
    assert!(replies >= 7, "{replies}");
    let shares = value_of(&elsewhere.body, "shares");
    assert_eq!(
        value_of(&elsewhere.body, "total_interactions"),
        shares + replies
    );
    for country in ["FR", "NO", "JP"] {
        let set = set_audience(&server, &w, json!({"country": country})).await;
        assert_eq!(set["country"], country);
        let body = get(&server, &w, &query).await.body;
        assert_eq!(value_of(&body, "replies"), 0, "{country}");
        assert_eq!(value_of(&body, "shares"), shares);
        assert_eq!(value_of(&body, "total_interactions"), shares, "{country}");
    }
    // Outside the EEA and Japan, and after clearing it, replies count again.
    set_audience(&server, &w, json!({"country": "US"})).await;
    assert_eq!(
        value_of(&get(&server, &w, &query).await.body, "replies"),
        replies
    );
    let cleared = set_audience(&server, &w, json!({"country": ""})).await;
    assert_eq!(cleared["country"], Value::Null);
    assert_eq!(
        value_of(&get(&server, &w, &query).await.body, "replies"),
        replies
    );
    let (status, _) = server
        .control(
            reqwest::Method::POST,
            &format!("/accounts/{}/audience", w.business_id()),
            Some(json!({"country": "france"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    server.stop().await;
}

/// "Data used to calculate metrics can be delayed up to 48 hours" (ref 001 L5064, L6720) and
/// unavailable data is an empty set, not 0 (ref 001 L5062, L6716): with a delay set on the
/// audience, insights are those of `now − delay`; a media newer than that has none yet, and
/// days the data has not reached are absent. Without a delay (the default) nothing lags.
#[tokio::test]
async fn late_data_shows_insights_as_of_the_delay() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    let account = w.business_id().to_string();
    set_audience(&server, &w, json!({"followers": 20_000})).await;
    let older = post_media(&server, w.business_id(), json!({"timestamp": ago(3 * DAY)})).await;
    let fresh = post_media(
        &server,
        w.business_id(),
        json!({"timestamp": ago(6 * 3_600)}),
    )
    .await;
    activity(
        &server,
        &w,
        json!({"kind": "views", "media_id": older, "count": 30, "at": ago(3_600)}),
    )
    .await;
    let metrics = "insights?metric=views,reach";
    let series = format!(
        "{account}/insights?metric=reach&period=day&since={}&until={NOW_UNIX}",
        NOW_UNIX - 3 * DAY
    );
    let older_now = get(&server, &w, &format!("{older}/{metrics}")).await.body;
    let fresh_now = get(&server, &w, &format!("{fresh}/{metrics}")).await.body;
    assert!(value_of(&fresh_now, "views") > 0);
    let days_now = get(&server, &w, &series).await.body["data"][0]["values"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(days_now.len(), 4, "{days_now:?}");

    let set = set_audience(&server, &w, json!({"data_delay_hours": 48})).await;
    assert_eq!(set["data_delay_hours"], 48);
    let late = get(&server, &w, &format!("{fresh}/{metrics}")).await;
    assert_eq!(late.status, StatusCode::OK);
    assert_eq!(late.body, json!({"data": []}));
    let older_late = get(&server, &w, &format!("{older}/{metrics}")).await.body;
    // The older post as it was two days ago: fewer views, and not the explicit 30 an hour ago.
    assert!(value_of(&older_late, "views") < value_of(&older_now, "views") - 30);
    let days_late = get(&server, &w, &series).await.body["data"][0]["values"]
        .as_array()
        .unwrap()
        .clone();
    // Jan 14 18:00 UTC − 48 h = Jan 12 18:00 UTC: the data is inside the Pacific day ending
    // Jan 13 08:00 UTC, the last one shown; the two days after it are absent.
    assert_eq!(days_late.len(), 2, "{days_late:?}");
    assert_eq!(days_late[0], days_now[0]);
    // Back to no delay: the same numbers as before.
    set_audience(&server, &w, json!({"data_delay_hours": 0})).await;
    assert_eq!(
        get(&server, &w, &format!("{older}/{metrics}")).await.body,
        older_now
    );
    let (status, _) = server
        .control(
            reqwest::Method::POST,
            &format!("/accounts/{account}/audience"),
            Some(json!({"data_delay_hours": 49})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    server.stop().await;
}

/// Media insights are answered from the read caches once read (docs/performance.md,
/// "Insights at scale"), so every write that changes them shows in the very next read:
/// explicit activity, a person's like and unlike and comment (`likes` and `comments` equal
/// the node's `like_count` and `comments_count`, ref 001 L5034-5060, L1160-1180), the audience
/// profile, and its data delay (ref 001 L5062-5064). Access is decided as for the media's
/// account, also from memory: the Facebook Login token that manages it reads the same
/// numbers, another account's token is refused every time.
#[tokio::test]
async fn media_insights_show_every_write_in_the_very_next_read() {
    let server = TestServer::start().await;
    let w = frozen_world(&server).await;
    set_audience(&server, &w, json!({"followers": 20_000})).await;
    let media = post_media(
        &server,
        w.business_id(),
        json!({"timestamp": ago(6 * 3_600)}),
    )
    .await;
    let query = format!(
        "{media}/insights?metric=views,reach,likes,comments,saved,total_interactions,profile_visits"
    );
    let first = get(&server, &w, &query).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let before = first.body;
    // Read again (now from memory): the same answer.
    assert_eq!(get(&server, &w, &query).await.body, before);
    let views = value_of(&before, "views");
    assert!(views > 0, "{before}");

    activity(
        &server,
        &w,
        json!({"kind": "views", "media_id": media, "count": 9, "at": ago(60)}),
    )
    .await;
    let seen = get(&server, &w, &query).await.body;
    assert_eq!(value_of(&seen, "views"), views + 9);
    assert_eq!(value_of(&seen, "reach"), value_of(&before, "reach") + 9);
    activity(
        &server,
        &w,
        json!({"kind": "saves", "media_id": media, "count": 4, "at": ago(60)}),
    )
    .await;
    let saved = get(&server, &w, &query).await.body;
    assert_eq!(value_of(&saved, "saved"), value_of(&before, "saved") + 4);
    assert_eq!(
        value_of(&saved, "total_interactions"),
        value_of(&before, "total_interactions") + 4
    );
    // Activity on the account rather than the media leaves the media's numbers alone.
    activity(
        &server,
        &w,
        json!({"kind": "profile_visits", "count": 5, "at": ago(60)}),
    )
    .await;
    assert_eq!(get(&server, &w, &query).await.body, saved);

    let person = server
        .post_control("/people", json!({"username": "ana.sousa"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .post_control(
            &format!("/people/{person}/likes"),
            json!({"media_id": media}),
        )
        .await;
    let liked = get(&server, &w, &query).await.body;
    assert_eq!(value_of(&liked, "likes"), value_of(&saved, "likes") + 1);
    assert_eq!(
        value_of(&liked, "total_interactions"),
        value_of(&saved, "total_interactions") + 1
    );
    server
        .post_control(
            &format!("/people/{person}/comments"),
            json!({"media_id": media, "text": "Lovely"}),
        )
        .await;
    let commented = get(&server, &w, &query).await.body;
    assert_eq!(value_of(&commented, "comments"), 1);
    assert_eq!(
        value_of(&commented, "total_interactions"),
        value_of(&liked, "total_interactions") + 1
    );
    let node = get(
        &server,
        &w,
        &format!("{media}?fields=like_count,comments_count"),
    )
    .await
    .body;
    assert_eq!(node["like_count"], value_of(&commented, "likes"));
    assert_eq!(node["comments_count"], 1);
    let (status, _) = server
        .control(
            reqwest::Method::DELETE,
            &format!("/people/{person}/likes/{media}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let unliked = get(&server, &w, &query).await.body;
    assert_eq!(value_of(&unliked, "likes"), value_of(&saved, "likes"));

    // A delay past the media's age: no data yet (an empty set); back to none: as before.
    set_audience(&server, &w, json!({"data_delay_hours": 12})).await;
    assert_eq!(get(&server, &w, &query).await.body, json!({"data": []}));
    set_audience(&server, &w, json!({"data_delay_hours": 0})).await;
    assert_eq!(get(&server, &w, &query).await.body, unliked);
    // A larger audience: the model's numbers grow at once.
    set_audience(&server, &w, json!({"followers": 80_000})).await;
    let larger = get(&server, &w, &query).await.body;
    assert!(
        value_of(&larger, "views") > value_of(&unliked, "views"),
        "{larger} against {unliked}"
    );

    // The Page's Facebook user reads the same numbers; another account's token is refused,
    // also once the media's access was decided and remembered.
    let path = format!("/v24.0/{query}");
    let through_facebook = server.get_fb(&path, &w.fb_token).await;
    assert_eq!(
        through_facebook.status,
        StatusCode::OK,
        "{}",
        through_facebook.text
    );
    assert_eq!(through_facebook.body, larger);
    for _ in 0..2 {
        let refused = server.get_ig(&path, &w.creator_token).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
        assert_eq!(refused.error().0, 100);
    }
    server.stop().await;
}
