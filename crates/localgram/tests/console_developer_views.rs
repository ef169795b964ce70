//! The console's developer views (issue #15): what fell due when the clock moved, and the
//! insights behind the account's and a media's charts.

mod common;

use common::{Host, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// After an advance the clock view lists what fell due in the time passed: a container not
/// published within 24 hours expires (ref 001 L19), the 24-hour messaging window closes
/// (ref 004 L198; 7 days with the human agent tag), a short-lived Instagram token (1 hour) expires, a story ends after 24
/// hours.
#[tokio::test]
async fn the_clock_lists_what_fell_due_between_two_times() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    server
        .post_control(
            "/clock",
            json!({"set": "2026-04-01T12:00:00Z", "frozen": true}),
        )
        .await;
    let start = server.get_control("/clock").await["now_unix_ms"]
        .as_i64()
        .unwrap();
    let file = server
        .post_control(
            "/files",
            json!({"kind": "jpeg", "width": 1080, "height": 1080}),
        )
        .await;
    let container = server
        .graph(Method::POST, &format!("/v24.0/{id}/media"))
        .on(Host::Instagram)
        .bearer(&world.ig_token)
        .form(&[("image_url", file["url"].as_str().unwrap())])
        .send()
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ana = server.created("/people", json!({"username": "ana"})).await;
    server
        .post_control(
            &format!("/people/{ana}/messages"),
            json!({"account_id": id, "text": "hello"}),
        )
        .await;
    let story = server
        .created(
            &format!("/accounts/{id}/media"),
            json!({"media_product_type": "STORY", "caption": "24 hours"}),
        )
        .await;
    let short = server
        .post_control(
            "/tokens",
            json!({"app_id": world.app_id(), "account_id": id, "login": "instagram"}),
        )
        .await;
    let short_token = short["access_token"].as_str().unwrap().to_string();
    let expires_ms = start + short["expires_in"].as_i64().unwrap() * 1000;

    // Nothing in the first minute.
    let due = |from: i64, to: i64| {
        let server = &server;
        async move {
            server
                .get_control(&format!("/clock/due?from_ms={from}&to_ms={to}"))
                .await
        }
    };
    let nothing = due(start, start + 60_000).await;
    assert_eq!(
        nothing,
        json!({
            "from": "2026-04-01T12:00:00Z",
            "to": "2026-04-01T12:01:00Z",
            "containers_expired": [],
            "windows_closed": [],
            "tokens_expired": [],
            "stories_ended": [],
        })
    );
    server
        .post_control("/clock", json!({"advance_seconds": 25 * 3600}))
        .await;
    let day = due(start, start + 25 * 3_600_000).await;
    assert_eq!(
        day["containers_expired"],
        json!([{"id": container, "account_id": id, "at": "2026-04-02T12:00:00Z"}])
    );
    assert_eq!(
        day["windows_closed"],
        json!([{"person_id": ana, "account_id": id, "window": "24h", "at": "2026-04-02T12:00:00Z"}])
    );
    assert_eq!(
        day["stories_ended"],
        json!([{"id": story, "account_id": id, "at": "2026-04-02T12:00:00Z"}])
    );
    let tokens = day["tokens_expired"].as_array().unwrap();
    let expired = tokens
        .iter()
        .find(|t| t["access_token"] == json!(short_token))
        .expect("the short-lived token expired");
    assert_eq!(
        expired,
        &json!({"access_token": short_token, "subject_id": id,
                "at": format!("{}", graph_time(expires_ms))})
    );
    // The 7-day HUMAN_AGENT window closes later.
    let week = due(start + 25 * 3_600_000, start + 8 * 86_400_000).await;
    assert_eq!(
        week["windows_closed"],
        json!([{"person_id": ana, "account_id": id, "window": "human_agent", "at": "2026-04-08T12:00:00Z"}])
    );
    assert_eq!(week["containers_expired"], json!([]));
    let huge = server
        .control_api(
            Method::GET,
            &format!("/clock/due?from_ms={}&to_ms=0", i64::MIN),
        )
        .send()
        .await;
    assert_eq!(huge.status, StatusCode::BAD_REQUEST);
    let bad = server
        .control_api(Method::GET, "/clock/due?from_ms=2&to_ms=1")
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.body["error"]["message"],
        json!("from_ms must not be after to_ms")
    );
    server.stop().await;
}

/// RFC 3339 as the control API writes it, from Unix milliseconds.
fn graph_time(ms: i64) -> String {
    let seconds = ms / 1000;
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The account's charts: 30 days by 24 hours ending now, from the same model and explicit
/// activity as `GET /{ig-user-id}/insights` (ref 000 L2935-2946: views, reach,
/// follower_count); with an audience of no one, only the explicit activity counts.
#[tokio::test]
async fn the_insights_charts_count_the_accounts_days_and_a_medias_totals() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    server
        .post_control(
            "/clock",
            json!({"set": "2026-05-10T00:00:00Z", "frozen": true}),
        )
        .await;
    server
        .post_control(
            &format!("/accounts/{id}/audience"),
            json!({"followers": 0, "daily_growth": 0.0}),
        )
        .await;
    let media = server
        .created(
            &format!("/accounts/{id}/media"),
            json!({"caption": "chart me"}),
        )
        .await;
    server
        .post_control(
            &format!("/accounts/{id}/activity"),
            json!({"kind": "follows", "count": 7, "at": "2026-05-07T23:00:00Z"}),
        )
        .await;
    server
        .post_control(
            &format!("/accounts/{id}/activity"),
            json!({"kind": "views", "count": 5, "media_id": media}),
        )
        .await;
    let days = server
        .get_control(&format!("/accounts/{id}/insights"))
        .await;
    let days = days["data"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(days[0]["end_time"], json!("2026-04-11T00:00:00Z"));
    assert_eq!(days[29]["end_time"], json!("2026-05-10T00:00:00Z"));
    // The follows fell in the day ending 2026-05-08.
    assert_eq!(days[27]["end_time"], json!("2026-05-08T00:00:00Z"));
    assert_eq!(days[27]["follower_count"], json!(7));
    assert_eq!(days[26]["followers"], json!(0));
    assert_eq!(days[27]["followers"], json!(7));
    assert_eq!(days[29]["followers"], json!(7));
    let follows: i64 = days
        .iter()
        .map(|d| d["follower_count"].as_i64().unwrap())
        .sum();
    assert_eq!(follows, 7);

    let ins = server
        .get_control(&format!("/media/{media}/insights"))
        .await;
    assert_eq!(ins["media_id"], json!(media));
    assert_eq!(ins["totals"]["views"], json!(5));
    assert_eq!(ins["totals"]["reach"], json!(5));
    assert_eq!(ins["totals"]["likes"], json!(0));
    assert_eq!(ins["totals"]["comments"], json!(0));
    assert_eq!(
        ins["data"],
        json!([{"end_time": "2026-05-10T00:00:00Z", "views": 5, "reach": 5, "saved": 0, "shares": 0}])
    );
    let missing = server
        .control_api(Method::GET, "/accounts/42/insights")
        .send()
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    server.stop().await;
}
