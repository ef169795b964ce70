//! Webhooks, delivery: batching, retries and ordering.
//!
//! Webhooks (issue #6) against a real HTTP receiver on 127.0.0.1 that checks both signatures
//! over the exact bytes: configuration and verification, account subscriptions for both
//! logins, delivery conditions and skip reasons, payload shapes against the reference's
//! samples, escaping, batching, retries, ordering, restarts, replay, pause and the dashboard's
//! test button. Reference: 004 L2200-2510 (webhooks), 004 L2090-2165 (comment payloads), 003
//! (older webhooks guide), 000 L2318-2850 (subscriptions and payload examples).

mod common;
#[path = "webhooks/receiver.rs"]
mod receiver;
#[macro_use]
#[path = "webhooks/support.rs"]
mod support;

use support::*;

// ----- delivery: batching, retries, ordering ---------------------------------------------------

#[tokio::test]
async fn notifications_are_batched_up_to_1000_changes_per_request() {
    // ref 004 L2379-2381: "a batch with a maximum of 1000 updates".
    let s = hooked().await;
    s.server.post_control("/webhooks/pause", json!({})).await;
    let state = &s.server.server.state;
    for i in 0..1500 {
        localgram::webhooks::record_alone(
            state,
            Event::new(
                s.account_id(),
                comment_payload(&i.to_string(), &format!("c{i:04}")),
            ),
        )
        .await
        .unwrap();
    }
    s.server.post_control("/webhooks/resume", json!({})).await;
    wait_for!("1500 updates", s.receiver.updates().len() == 1500);
    let received = s.receiver.received();
    assert_eq!(received.len(), 2);
    // One account: its consecutive changes share one entry.
    let sizes: Vec<usize> = received
        .iter()
        .map(|r| {
            assert_eq!(r.json["entry"].as_array().unwrap().len(), 1);
            r.json["entry"][0]["changes"].as_array().unwrap().len()
        })
        .collect();
    assert_eq!(sizes, [1000, 500]);
    assert!(received.iter().all(|r| r.signed_by.is_some()));
    let expected: Vec<String> = (0..1500).map(|i| format!("c{i:04}")).collect();
    assert_eq!(texts_of(&s.receiver, s.account_id()), expected);
    wait_for!(
        "the delivered states",
        s.deliveries("").await["counts"]["delivered"] == json!(1500)
    );
    let log = s.deliveries("?limit=1").await;
    assert_eq!(log["data"][0]["attempts"][0]["batch_size"], json!(500));
    assert_eq!(log["counts"]["delivered"], json!(1500));
    s.server.stop().await;
}

#[tokio::test]
async fn a_callback_answering_500_gets_the_event_again_later() {
    // ref 004 L2383: retried immediately, then with growing intervals, on virtual time.
    let s = hooked().await;
    let t0 = s.now_ms().await;
    s.receiver.set_mode(Mode::Status(500));
    let id = delivery_id(
        &s.event(
            s.account_id(),
            "comments",
            Some(comment_event("1", "again")),
        )
        .await,
    );
    let d = attempted(&s, id, 2).await;
    assert_eq!(d["status"], json!("pending"));
    let statuses: Vec<&Value> = d["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["status"])
        .collect();
    assert_eq!(statuses, [&json!(500), &json!(500)]);
    assert_eq!(d["attempts"][0]["response_body"], json!("try later"));
    assert_eq!(d["next_attempt_at_ms"], json!(t0 + 30_000));
    assert_eq!(
        d["reason"],
        json!("attempt 2 failed: the callback answered HTTP 500")
    );
    assert!(d["headers"]["X-Hub-Signature-256"]
        .as_str()
        .unwrap()
        .starts_with("sha256="));
    // The clock is frozen: nothing is due until it reaches the retry.
    s.receiver.set_mode(Mode::Ok);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(s.receiver.received().len(), 0);
    s.advance(30.0).await;
    wait_for!("the retry", s.receiver.received().len() == 1);
    let d = attempted(&s, id, 3).await;
    assert_eq!(d["status"], json!("delivered"));
    assert_eq!(d["latency_ms"], json!(30_000));
    assert_eq!(d["reason"], Value::Null);
    s.server.stop().await;
}

#[tokio::test]
async fn a_hanging_or_resetting_callback_gets_the_event_again_later() {
    // ref 004 L2375-2383: no 200 within the time limit, or no answer at all, is a failure.
    let s = hooked().await;
    s.receiver.set_mode(Mode::Hang);
    let id = delivery_id(
        &s.event(s.account_id(), "comments", Some(comment_event("1", "hang")))
            .await,
    );
    let d = attempted(&s, id, 2).await;
    assert_eq!(
        d["attempts"][0]["error"],
        json!("Operation timed out after 1000 milliseconds with 0 bytes received")
    );
    assert_eq!(d["attempts"][0]["status"], Value::Null);
    s.receiver.set_mode(Mode::Reset);
    s.advance(30.0).await;
    let d = attempted(&s, id, 3).await;
    assert_eq!(d["status"], json!("pending"));
    assert!(d["attempts"][2]["error"].as_str().unwrap().len() > 3);
    s.receiver.set_mode(Mode::Ok);
    s.advance(300.0).await;
    wait_for!("the delivery", s.receiver.received().len() == 1);
    assert_eq!(texts_of(&s.receiver, s.account_id()), ["hang"]);
    s.server.stop().await;
}

#[tokio::test]
async fn a_callback_down_for_an_hour_loses_nothing() {
    // ref 004 L2383: retried for 36 hours, so an hour's outage loses nothing.
    let mut s = hooked().await;
    let port = s.receiver.addr.port();
    let memory = s.receiver.inner.clone();
    // The receiver goes away: connections are refused.
    s.receiver = Receiver::start_on(0, Receiver::fresh(VERIFY_TOKEN)).await;
    let mut ids = Vec::new();
    for i in 1..=3 {
        let recorded = s
            .event(
                s.account_id(),
                "comments",
                Some(comment_event(&i.to_string(), &format!("down-{i}"))),
            )
            .await;
        ids.push(delivery_id(&recorded));
    }
    let d = attempted(&s, ids[0], 2).await;
    assert_eq!(
        d["attempts"][0]["error"],
        json!("Couldn't connect to server")
    );
    // An hour of virtual time passes with the receiver down.
    for _ in 0..6 {
        s.advance(600.0).await;
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let d = s.delivery(ids[0]).await;
    assert_eq!(d["status"], json!("pending"));
    assert!(d["attempt_count"].as_i64().unwrap() >= 4, "{d}");
    // It comes back on the same address; the next retry delivers everything, in order.
    s.receiver = Receiver::start_on(port, memory).await;
    s.advance(3600.0).await;
    wait_for!("three comments", s.receiver.updates().len() == 3);
    assert_eq!(
        texts_of(&s.receiver, s.account_id()),
        ["down-1", "down-2", "down-3"]
    );
    for id in ids {
        wait_for!(
            "the delivered state",
            s.delivery(id).await["status"] == json!("delivered")
        );
    }
    s.server.stop().await;
}

#[tokio::test]
async fn delivery_is_given_up_after_36_hours() {
    // ref 004 L2383: "Unacknowledged responses will be dropped after 36 hours."
    let s = hooked().await;
    s.receiver.set_mode(Mode::Status(503));
    let id = delivery_id(&s.event(s.account_id(), "comments", None).await);
    attempted(&s, id, 2).await;
    s.advance(35.0 * 3600.0).await;
    let d = attempted(&s, id, 3).await;
    assert_eq!(d["status"], json!("pending"), "still tried before 36 hours");
    s.advance(3600.0).await;
    let mut d: Value;
    wait_for!("the give-up", {
        d = s.delivery(id).await;
        d["status"] == json!("failed")
    });
    assert_eq!(d["attempt_count"], json!(4));
    assert_eq!(
        d["reason"],
        json!("gave up after 36 hours and 4 attempts; the last failed: the callback answered HTTP 503")
    );
    assert_eq!(d["next_attempt_at_ms"], Value::Null);
    s.receiver.set_mode(Mode::Ok);
    let posts = s.receiver.posts();
    s.advance(86_400.0).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(s.receiver.posts(), posts, "nothing is sent after giving up");
    s.server.stop().await;
}

/// A second account enabled for the app, with its own token.
async fn second_account(s: &Setup, username: &str) -> String {
    let other = s
        .server
        .post_control("/accounts", json!({"username": username}))
        .await;
    let id = other["id"].as_str().unwrap().to_string();
    let token = s.server.token(s.app_id(), &id, "instagram", None).await;
    let answer = graph(
        &s.server,
        Method::POST,
        IG,
        &format!("/{id}/subscribed_apps"),
        &[("subscribed_fields", "comments")],
        &token,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    id
}

#[tokio::test]
async fn an_accounts_later_events_wait_behind_an_undelivered_one() {
    let s = hooked().await;
    let a = s.account_id().to_string();
    let b = second_account(&s, "other.shop").await;
    // The callback refuses a-1 only.
    s.receiver.set_mode(Mode::FailIfContains("a-1"));
    s.event(&a, "comments", Some(comment_event("1", "a-1")))
        .await;
    let first = s.deliveries("?limit=1").await["data"][0]["id"]
        .as_i64()
        .unwrap();
    attempted(&s, first, 2).await;
    s.event(&a, "comments", Some(comment_event("2", "a-2")))
        .await;
    s.event(&b, "comments", Some(comment_event("3", "b-1")))
        .await;
    // b-1 is not held up by a's trouble; a-2 waits behind a-1.
    wait_for!("b-1", texts_of(&s.receiver, &b) == ["b-1"]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(texts_of(&s.receiver, &a).is_empty());
    s.receiver.set_mode(Mode::Ok);
    s.advance(30.0).await;
    wait_for!("a's comments", texts_of(&s.receiver, &a).len() == 2);
    assert_eq!(texts_of(&s.receiver, &a), ["a-1", "a-2"]);
    s.server.stop().await;
}

#[tokio::test]
async fn a_deep_backlog_of_one_account_does_not_hold_up_another() {
    let s = hooked().await;
    let a = s.account_id().to_string();
    let b = second_account(&s, "other.shop").await;
    s.receiver.set_mode(Mode::FailIfContains("\"text\":\"a-"));
    s.server.post_control("/webhooks/pause", json!({})).await;
    let state = &s.server.server.state;
    for i in 0..6000 {
        localgram::webhooks::record_alone(
            state,
            Event::new(&a, comment_payload(&i.to_string(), &format!("a-{i}"))),
        )
        .await
        .unwrap();
    }
    s.server.post_control("/webhooks/resume", json!({})).await;
    // a's first batch fails twice (at once and immediately again), then waits 30 s.
    wait_for!("a's failures", s.receiver.posts() >= 2);
    s.event(&b, "comments", Some(comment_event("b1", "b-1")))
        .await;
    wait_for!(
        "b-1 behind 6000 of a's",
        texts_of(&s.receiver, &b) == ["b-1"]
    );
    assert!(texts_of(&s.receiver, &a).is_empty());
    s.server.stop().await;
}

/// Waits until localgram has no request to a callback in flight (`sending` is 0).
async fn settle(s: &Setup) {
    wait_for!("no request in flight", {
        let Answer { body, .. } = s.server.control_api(Method::GET, "/webhooks").send().await;
        body["sending"] == 0
    });
}

#[tokio::test]
async fn retries_across_failures_lose_nothing_and_keep_each_accounts_order() {
    // A callback that answers 500, hangs, resets and 502 in turn: every event arrives, each
    // account's in the order it happened.
    let s = hooked().await;
    let a = s.account_id().to_string();
    let b = second_account(&s, "other.shop").await;
    let mut expected_a = Vec::new();
    let mut expected_b = Vec::new();
    let mut n = 0;
    for mode in [
        Mode::Status(500),
        Mode::Hang,
        Mode::Reset,
        Mode::Ok,
        Mode::Status(502),
    ] {
        s.receiver.set_mode(mode);
        let posts = s.receiver.posts();
        for _ in 0..3 {
            n += 1;
            let (account, list) = if n % 2 == 0 {
                (&a, &mut expected_a)
            } else {
                (&b, &mut expected_b)
            };
            let text = format!("e{n:02}");
            s.event(
                account,
                "comments",
                Some(comment_event(&n.to_string(), &text)),
            )
            .await;
            list.push(text);
        }
        // Move the clock only with no request in flight, so each failure's retry is scheduled
        // from when the failure happened; the waits grow (30 s, 5 min, … 4 h, ref 004 L2383),
        // so a few hours bring the next attempt.
        for _ in 0..8 {
            settle(&s).await;
            if s.receiver.posts() > posts {
                break;
            }
            s.advance(3600.0).await;
        }
        wait_for!(format!("{mode:?} to be tried"), s.receiver.posts() > posts);
    }
    s.receiver.set_mode(Mode::Ok);
    let mut delivered = 0;
    for _ in 0..40 {
        settle(&s).await;
        s.advance(3600.0).await;
        let Answer { body: status, .. } =
            s.server.control_api(Method::GET, "/webhooks").send().await;
        delivered = status["counts"]["delivered"].as_i64().unwrap_or(0);
        if delivered == 15 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered, 15);
    assert_eq!(texts_of(&s.receiver, &a), expected_a);
    assert_eq!(texts_of(&s.receiver, &b), expected_b);
    assert_eq!(s.receiver.inner.lock().bad_signatures, 0);
    s.server.stop().await;
}
