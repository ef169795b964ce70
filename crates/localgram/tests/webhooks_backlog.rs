//! Webhooks through long outages and large backlogs (issue #17): a receiver down for 36 virtual
//! hours across many accounts and a `kill -9`, per-account order and fairness, bulk replay,
//! retention and its counts, the delivery log's filters, and snapshots that bring their clock
//! and id seed. Reference: 004 L2381 (batches of up to 1000), 004 L2383 (retries "with
//! decreasing frequency over the next 36 hours ... dropped after 36 hours").

mod common;
#[path = "webhooks/receiver.rs"]
mod receiver;
#[macro_use]
#[path = "webhooks/support.rs"]
mod support;

use support::*;

const HOUR_MS: i64 = 3_600_000;

async fn spawn_binary(data: &std::path::Path) -> common::ChildServer {
    let mut args: Vec<std::ffi::OsString> = vec!["--webhook-timeout".into(), "2".into()];
    args.extend(common::serve_storage_args(data));
    common::ChildServer::spawn(args).await
}

/// Every pending delivery (at most 1000), oldest last.
async fn pending(api: &Remote) -> Vec<Value> {
    api.get_control("/webhooks/deliveries?status=pending&limit=1000")
        .await["data"]
        .as_array()
        .unwrap()
        .clone()
}

/// Each account's earliest pending delivery: the only one that can be due (its later ones
/// wait behind it).
fn heads(pending: Vec<Value>) -> Vec<Value> {
    let mut heads: std::collections::BTreeMap<String, Value> = Default::default();
    for d in pending {
        let account = d["account_id"].as_str().unwrap().to_string();
        let earlier = heads
            .get(&account)
            .is_some_and(|h| h["id"].as_i64() < d["id"].as_i64());
        if !earlier {
            heads.insert(account, d);
        }
    }
    heads.into_values().collect()
}

/// Lets the worker send everything due at the current (frozen) virtual time; answers the
/// accounts' heads left, all waiting for a later time.
async fn settle(api: &Remote) -> Vec<Value> {
    let mut left: Vec<Value>;
    wait_for!("the worker to send what is due", {
        let now = api.get_control("/clock").await["now_unix_ms"]
            .as_i64()
            .unwrap();
        left = heads(pending(api).await);
        api.get_control("/webhooks").await["sending"] == json!(0)
            && left
                .iter()
                .all(|d| d["next_attempt_at_ms"].as_i64().unwrap() > now)
    });
    left
}

/// Moves the frozen clock to the next retry until nothing is pending, or until `until_ms`.
async fn drive(api: &Remote, until_ms: Option<i64>) {
    loop {
        let left = settle(api).await;
        let Some(next) = left
            .iter()
            .filter_map(|d| d["next_attempt_at_ms"].as_i64())
            .min()
        else {
            return;
        };
        if until_ms.is_some_and(|until| next > until) {
            return;
        }
        let now = api.get_control("/clock").await["now_unix_ms"]
            .as_i64()
            .unwrap();
        api.post_control(
            "/clock",
            json!({"advance_seconds": (next - now) as f64 / 1000.0}),
        )
        .await;
    }
}

async fn stats(api: &Remote) -> Value {
    api.get_control("/webhooks/stats").await
}

#[tokio::test]
async fn a_36_hour_outage_gives_up_as_meta_does_then_bulk_replay_recovers_in_order() {
    // 004 L2383: retried "immediately, then ... with decreasing frequency over the next 36
    // hours", then dropped. A receiver down for the whole time across 12 accounts and a kill -9
    // half-way: every event is given up exactly at its 36-hour mark, none is lost, and one
    // bulk replay delivers all of them in each account's recording order.
    const ACCOUNTS: usize = 12;
    let data = std::env::temp_dir().join(format!("localgram-backlog-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let receiver = Receiver::start(VERIFY_TOKEN).await;
    let first = spawn_binary(&data).await;
    let api = Remote::new(&first.base);
    let app = api
        .post_control(
            "/apps",
            json!({"name": "Outage", "access_level": "advanced"}),
        )
        .await;
    receiver.trust(app["instagram_app_secret"].as_str().unwrap());
    let app_id = app["id"].as_str().unwrap().to_string();
    subscribe_to_comments(&api, &app, &receiver.url("/hook")).await;
    let mut accounts = Vec::new();
    for n in 0..ACCOUNTS {
        let account = api
            .post_control("/accounts", json!({"username": format!("outage{n}")}))
            .await;
        let account_id = account["id"].as_str().unwrap().to_string();
        let token = api.post_control("/tokens", json!({"app_id": app_id, "account_id": account_id, "login": "instagram", "long_lived": true})).await["access_token"].as_str().unwrap().to_string();
        let subscribed = api
            .graph(
                Method::POST,
                &format!("/v24.0/{account_id}/subscribed_apps"),
            )
            .on(IG)
            .form(&[("subscribed_fields", "comments"), ("access_token", &token)])
            .send()
            .await;
        assert_eq!(subscribed.status, StatusCode::OK);
        accounts.push(account_id);
    }
    api.post_control("/clock", json!({"frozen": true})).await;
    let start = api.get_control("/clock").await["now_unix_ms"]
        .as_i64()
        .unwrap();
    receiver.set_mode(Mode::Status(503));
    let mut expected: Vec<Vec<String>> = vec![Vec::new(); ACCOUNTS];
    let event = |api: &Remote, account: &str, text: String| {
        let body = json!({"field": "comments", "account_id": account, "event": comment_event(&text, &text)});
        let api = api.clone();
        async move { api.post_control("/webhooks/test", body).await }
    };
    for round in 0..3 {
        for (n, account) in accounts.iter().enumerate() {
            let text = format!("a{n}-e{round}");
            event(&api, account, text.clone()).await;
            expected[n].push(text);
        }
    }
    // Half the outage, then a kill -9 with events accepted just before it.
    drive(&api, Some(start + 18 * HOUR_MS)).await;
    for (n, account) in accounts.iter().enumerate() {
        let text = format!("a{n}-e3");
        event(&api, account, text.clone()).await;
        expected[n].push(text);
    }
    drop(first);
    let second = spawn_binary(&data).await;
    let api = Remote::new(&second.base);
    assert_eq!(
        stats(&api).await["pending"].as_i64().unwrap()
            + stats(&api).await["failed"].as_i64().unwrap(),
        (ACCOUNTS * 4) as i64,
        "nothing accepted is lost across the kill -9"
    );
    drive(&api, None).await;

    let all = api
        .get_control("/webhooks/deliveries?status=failed&limit=1000")
        .await;
    let given_up = all["data"].as_array().unwrap();
    assert_eq!(given_up.len(), ACCOUNTS * 4);
    for d in given_up {
        let first_attempt = d["first_attempt_at_ms"].as_i64().unwrap();
        // The last try is at the 36-hour mark itself, then the delivery is dropped.
        assert_eq!(
            d["finished_at_ms"].as_i64().unwrap() - first_attempt,
            36 * HOUR_MS,
            "{d}"
        );
        let reason = d["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("gave up after 36 hours and "),
            "{reason}"
        );
        assert!(
            reason.ends_with("the callback answered HTTP 503"),
            "{reason}"
        );
        assert_eq!(d["next_attempt_at_ms"], Value::Null);
        if first_attempt == start {
            // Recorded before the outage began: every try of the schedule, 11, plus the batch
            // the events accepted at the 18-hour mark send at once with the account's waiting
            // deliveries in it, when it went out before the kill -9 (a race the test allows).
            let count = d["attempt_count"].as_i64().unwrap();
            assert!(count == 11 || count == 12, "{d}");
        }
    }
    assert_eq!(receiver.received().len(), 0);
    let counted = stats(&api).await;
    assert_eq!(
        (
            counted["pending"].clone(),
            counted["failed"].clone(),
            counted["given_up"].clone(),
            counted["delivered"].clone()
        ),
        (json!(0), json!(0), json!((ACCOUNTS * 4) as i64), json!(0))
    );

    // The receiver is back: one call sends everything again, each account in order.
    receiver.set_mode(Mode::Ok);
    let replayed = api
        .post_control("/webhooks/replay", json!({"app_id": app_id}))
        .await;
    assert_eq!(
        replayed,
        json!({"requeued": ACCOUNTS * 4, "retried_now": 0})
    );
    wait_for!(
        "every replayed delivery",
        stats(&api).await["delivered"] == json!((ACCOUNTS * 4) as i64)
    );
    for (n, account) in accounts.iter().enumerate() {
        assert_eq!(texts_of(&receiver, account), expected[n], "account {n}");
    }
    // Batches of up to 1000 updates (004 L2381): the whole backlog fits in few requests.
    assert!(receiver.received().len() < ACCOUNTS * 4);
    drop(second);
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test]
async fn a_stalled_account_holds_back_only_its_own_later_events() {
    // Per-account order: an account's later events wait behind its undelivered earlier one;
    // another account of the same app goes on at once.
    let s = setup().await;
    let answer = s
        .configure(&s.receiver.url("/hook"), Some("comments"))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(s.subscribe_ig("comments").await.status, StatusCode::OK);
    let other = s
        .server
        .post_control("/accounts", json!({"username": "other.shop"}))
        .await;
    let other_id = other["id"].as_str().unwrap().to_string();
    let other_token = s
        .server
        .token(s.app_id(), &other_id, "instagram", None)
        .await;
    let subscribed = graph(
        &s.server,
        Method::POST,
        IG,
        &format!("/v24.0/{other_id}/subscribed_apps"),
        &[("subscribed_fields", "comments")],
        &other_token,
    )
    .await;
    assert_eq!(subscribed.status, StatusCode::OK);
    let now = s.now_ms().await;
    // The stalled account's first event is due only in an hour.
    let held = s
        .server
        .post_control(
            "/webhooks/test",
            json!({"field": "comments", "account_id": s.account_id(), "event": comment_event("1", "held 1"), "deliver_at_ms": now + HOUR_MS}),
        )
        .await;
    assert_eq!(held["deliveries"][0]["status"], json!("pending"));
    for text in ["held 2", "held 3"] {
        s.event(s.account_id(), "comments", Some(comment_event(text, text)))
            .await;
    }
    for text in ["free 1", "free 2", "free 3"] {
        s.event(&other_id, "comments", Some(comment_event(text, text)))
            .await;
    }
    wait_for!(
        "the other account's events",
        texts_of(&s.receiver, &other_id).len() == 3
    );
    assert_eq!(
        texts_of(&s.receiver, &other_id),
        ["free 1", "free 2", "free 3"]
    );
    assert!(texts_of(&s.receiver, s.account_id()).is_empty());
    // The receiver answers before the outcome is written: wait for it.
    wait_for!(
        "the other account's outcomes",
        s.server.get_control("/webhooks/stats").await["delivered"] == json!(3)
    );
    let counted = s.server.get_control("/webhooks/stats").await;
    assert_eq!(
        (counted["pending"].clone(), counted["delivered"].clone()),
        (json!(3), json!(3))
    );
    s.advance(3600.0).await;
    wait_for!(
        "the held account's events",
        texts_of(&s.receiver, s.account_id()).len() == 3
    );
    assert_eq!(
        texts_of(&s.receiver, s.account_id()),
        ["held 1", "held 2", "held 3"]
    );
}

#[tokio::test]
async fn retention_prunes_finished_requests_and_keeps_outcomes_and_counts() {
    let s = setup().await;
    let answer = s
        .configure(&s.receiver.url("/hook"), Some("comments"))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(s.subscribe_ig("comments").await.status, StatusCode::OK);
    assert_eq!(
        s.server.get_control("/webhooks/retention").await,
        json!({"max_age_ms": 7 * 24 * HOUR_MS, "max_deliveries": 100_000})
    );
    let now = s.now_ms().await;
    let mut delivered = Vec::new();
    for text in ["one", "two"] {
        delivered.push(delivery_id(
            &s.event(s.account_id(), "comments", Some(comment_event(text, text)))
                .await,
        ));
    }
    let waiting = delivery_id(&s.server.post_control(
        "/webhooks/test",
        json!({"field": "comments", "account_id": s.account_id(), "event": comment_event("3", "later"), "deliver_at_ms": now + 30 * 24 * HOUR_MS}),
    ).await);
    for id in &delivered {
        wait_for!(
            "delivered",
            s.delivery(*id).await["status"] == json!("delivered")
        );
    }
    assert_eq!(
        s.delivery(delivered[0]).await["attempts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.server.get_control("/webhooks/stats").await,
        json!({"pending": 1, "failed": 0, "delivered": 2, "given_up": 0, "skipped": 0, "pruned": 0,
               "retention": {"max_age_ms": 7 * 24 * HOUR_MS, "max_deliveries": 100_000}})
    );
    // Eight virtual days later the finished deliveries lose their requests, not their outcome.
    s.advance(8.0 * 24.0 * 3600.0).await;
    wait_for!(
        "pruning",
        s.server.get_control("/webhooks/stats").await["pruned"] == json!(2)
    );
    for id in &delivered {
        let d = s.delivery(*id).await;
        assert_eq!(d["status"], json!("delivered"));
        assert_eq!(d["attempt_count"], json!(1));
        assert_eq!(d["attempts"], json!([]));
        assert!(d["pruned_at_ms"].is_i64());
        assert_eq!(d["body"], Value::Null);
    }
    // Never a delivery that has not reached a final state.
    let d = s.delivery(waiting).await;
    assert_eq!(
        (d["status"].clone(), d["pruned_at_ms"].clone()),
        (json!("pending"), Value::Null)
    );
    assert_eq!(
        s.server.get_control("/webhooks/stats").await,
        json!({"pending": 1, "failed": 0, "delivered": 2, "given_up": 0, "skipped": 0, "pruned": 2,
               "retention": {"max_age_ms": 7 * 24 * HOUR_MS, "max_deliveries": 100_000}})
    );
    // A count limit: only the newest delivery keeps its requests.
    assert_eq!(
        s.server
            .post_control("/webhooks/retention", json!({"max_deliveries": 1}))
            .await,
        json!({"max_age_ms": 7 * 24 * HOUR_MS, "max_deliveries": 1})
    );
    let four = delivery_id(
        &s.event(s.account_id(), "comments", Some(comment_event("4", "four")))
            .await,
    );
    let five = delivery_id(
        &s.event(s.account_id(), "comments", Some(comment_event("5", "five")))
            .await,
    );
    // "four" and "five" wait behind the pending "later": its time comes.
    s.advance(30.0 * 24.0 * 3600.0).await;
    wait_for!(
        "delivered",
        s.delivery(five).await["status"] == json!("delivered")
    );
    s.server
        .post_control("/webhooks/retention", json!({}))
        .await;
    wait_for!(
        "count pruning",
        s.delivery(four).await["pruned_at_ms"].is_i64()
    );
    assert_eq!(s.delivery(five).await["pruned_at_ms"], Value::Null);
    let bad = s
        .server
        .control_api(Method::POST, "/webhooks/retention")
        .json(json!({"max_age_ms": -1}))
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_log_filters_by_time_and_pages_by_key() {
    let s = hooked().await;
    let t0 = s.now_ms().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(delivery_id(
            &s.event(
                s.account_id(),
                "comments",
                Some(comment_event(&n.to_string(), "t")),
            )
            .await,
        ));
        s.advance(60.0).await;
    }
    // Minutes 1 to 3 after t0: the second, third and fourth events, newest first.
    let page = s
        .deliveries(&format!(
            "?since_ms={}&until_ms={}",
            t0 + 60_000,
            t0 + 180_001
        ))
        .await;
    let got: Vec<i64> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, [ids[3], ids[2], ids[1]]);
    // Keyset paging: two pages of two, then one, then none.
    let mut seen = Vec::new();
    let mut query = "?limit=2".to_string();
    loop {
        let page = s.deliveries(&query).await;
        for d in page["data"].as_array().unwrap() {
            seen.push(d["id"].as_i64().unwrap());
        }
        match page["paging"]["before"].as_i64() {
            Some(before) => query = format!("?limit=2&before={before}"),
            None => break,
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    let combined = s
        .deliveries(&format!(
            "?app_id={}&account_id={}&field=comments&since_ms={}",
            s.app_id(),
            s.account_id(),
            t0 + 240_000
        ))
        .await;
    assert_eq!(combined["data"].as_array().unwrap().len(), 1);
    assert_eq!(combined["data"][0]["id"], json!(ids[4]));
}

#[tokio::test]
async fn a_snapshot_brings_its_clock_and_id_seed_at_once() {
    let first = start_server().await;
    first
        .post_control(
            "/clock",
            json!({"set": "2030-01-02T03:04:05Z", "frozen": true}),
        )
        .await;
    let snapshot = first.get_control("/snapshot").await;
    let app = first.new_app("After").await;
    first.stop().await;

    let second = TestServer::start_with(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(8),
        ..Config::default()
    })
    .await;
    let answer = second
        .control_api(Method::PUT, "/snapshot")
        .json(snapshot)
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let clock = second.get_control("/clock").await;
    assert_eq!(
        (clock["now_unix_ms"].clone(), clock["frozen"].clone()),
        (json!(1_893_553_445_000_i64), json!(true))
    );
    // The same next call mints the same id as on the server the snapshot came from.
    assert_eq!(second.new_app("After").await["id"], app["id"]);
    second.stop().await;
}
