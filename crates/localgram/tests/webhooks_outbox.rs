//! Webhooks, control and durability: replay, pause, the test button, and the outbox across
//! transactions and restarts.
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

// ----- control: replay, pause, test button ---------------------------------------------------

#[tokio::test]
async fn a_delivery_can_be_replayed() {
    let s = hooked().await;
    let id = delivery_id(
        &s.event(
            s.account_id(),
            "comments",
            Some(comment_event("9", "twice")),
        )
        .await,
    );
    wait_for!("the first copy", s.receiver.received().len() == 1);
    let Answer {
        status,
        body: replayed,
        ..
    } = s
        .server
        .control_api(Method::POST, &format!("/webhooks/deliveries/{id}/replay"))
        .send()
        .await;
    assert_eq!(status, StatusCode::OK, "{replayed}");
    assert_eq!(replayed["replay"]["status"], json!(200));
    assert_eq!(replayed["replay"]["delivered"], json!(true));
    assert_eq!(
        replayed["attempt_count"],
        json!(1),
        "a replay is not a scheduled attempt"
    );
    assert_eq!(replayed["attempts"][1]["replay"], json!(true));
    let received = s.receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[1].json["entry"][0]["changes"],
        received[0].json["entry"][0]["changes"]
    );
    assert!(received[1].signed_by.is_some());
    assert_eq!(replayed["body"], json!(received[1].text()));
    // A pending delivery that keeps failing is delivered by a replay once the callback works.
    s.receiver.set_mode(Mode::Status(500));
    let id = delivery_id(
        &s.event(
            s.account_id(),
            "comments",
            Some(comment_event("10", "late")),
        )
        .await,
    );
    attempted(&s, id, 2).await;
    s.receiver.set_mode(Mode::Ok);
    let Answer { body: replayed, .. } = s
        .server
        .control_api(Method::POST, &format!("/webhooks/deliveries/{id}/replay"))
        .send()
        .await;
    assert_eq!(replayed["status"], json!("delivered"));
    // Skipped deliveries and unknown ids cannot be replayed.
    let lonely = s
        .server
        .post_control("/accounts", json!({"username": "lonely"}))
        .await;
    let skipped = delivery_id(
        &s.event(lonely["id"].as_str().unwrap(), "comments", None)
            .await,
    );
    let Answer {
        status,
        body: error,
        ..
    } = s
        .server
        .control_api(
            Method::POST,
            &format!("/webhooks/deliveries/{skipped}/replay"),
        )
        .send()
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("was skipped (no app is connected"));
    let Answer { status, .. } = s
        .server
        .control_api(Method::POST, "/webhooks/deliveries/999999/replay")
        .send()
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let Answer {
        status,
        body: error,
        ..
    } = s
        .server
        .control_api(Method::GET, "/webhooks/deliveries/abc")
        .send()
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error["error"]["message"], json!("no webhook delivery abc"));
    s.server.stop().await;
}

#[tokio::test]
async fn paused_delivery_waits_until_resumed() {
    let s = hooked().await;
    let paused = s.server.post_control("/webhooks/pause", json!({})).await;
    assert_eq!(paused, json!({"paused": true, "paused_apps": []}));
    let id = delivery_id(
        &s.event(s.account_id(), "comments", Some(comment_event("1", "held")))
            .await,
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(s.receiver.posts(), 0);
    let Answer { body: status, .. } = s.server.control_api(Method::GET, "/webhooks").send().await;
    assert_eq!(status["paused"], json!(true));
    assert_eq!(status["counts"]["pending"], json!(1));
    s.server.post_control("/webhooks/resume", json!({})).await;
    wait_for!("the held comment", s.receiver.received().len() == 1);
    wait_for!(
        "the delivered state",
        s.delivery(id).await["status"] == json!("delivered")
    );
    // One app at a time.
    let paused = s
        .server
        .post_control("/webhooks/pause", json!({"app_id": s.app_id()}))
        .await;
    assert_eq!(
        paused,
        json!({"paused": false, "paused_apps": [s.app_id()]})
    );
    s.event(
        s.account_id(),
        "comments",
        Some(comment_event("2", "held again")),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(s.receiver.posts(), 1);
    s.server
        .post_control("/webhooks/resume", json!({"app_id": s.app_id()}))
        .await;
    wait_for!("the second comment", s.receiver.received().len() == 2);
    let Answer { status, .. } = s
        .server
        .control_api(Method::POST, "/webhooks/pause")
        .json(json!({"app_id": "1"}))
        .send()
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    s.server.stop().await;
}

#[tokio::test]
async fn the_dashboard_test_button_sends_the_fields_sample() {
    // ref 004 L2238-2244: "Test", then "Send to My Server".
    let s = setup().await;
    let Answer {
        status,
        body: error,
        ..
    } = s
        .server
        .control_api(Method::POST, "/webhooks/test")
        .json(json!({"field": "comments", "app_id": s.app_id()}))
        .send()
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "no callback yet: {error}");
    assert_eq!(
        s.configure(&s.receiver.url("/hook"), None).await.status,
        StatusCode::OK
    );
    let sent = s
        .server
        .post_control(
            "/webhooks/test",
            json!({"field": "comments", "app_id": s.app_id()}),
        )
        .await;
    assert_eq!(sent["deliveries"][0]["status"], json!("pending"));
    wait_for!("the test comment", s.receiver.received().len() == 1);
    let got = &s.receiver.received()[0];
    assert_eq!(got.signed_by.as_deref(), Some(s.instagram_secret()));
    assert_same_shape_any_order(&got.json, &others_comment_sample(), "$");
    assert_eq!(got.json["entry"][0]["id"], json!("0"));
    // Facebook Login's shape and secret; a field outside the app's subscription works too.
    s.server
        .post_control(
            "/webhooks/test",
            json!({"field": "story_insights", "app_id": s.app_id(), "login": "facebook"}),
        )
        .await;
    wait_for!("the test insights", s.receiver.received().len() == 2);
    let got = &s.receiver.received()[1];
    assert_eq!(got.signed_by.as_deref(), Some(s.secret()));
    assert_same_shape_any_order(
        &got.json,
        &sample_body("003-webhook-story-insights-L137"),
        "$",
    );
    assert_eq!(
        got.json["entry"][0]["changes"][0]["value"],
        sample_body("003-webhook-story-insights-L137")["entry"][0]["changes"][0]["value"]
    );
    let log = s.deliveries("?limit=1").await;
    assert_eq!(log["data"][0]["test"], json!(true));
    let Answer { status, .. } = s
        .server
        .control_api(Method::POST, "/webhooks/test")
        .json(json!({"field": "feed", "app_id": s.app_id()}))
        .send()
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    s.server.stop().await;
}

// ----- the outbox: same transaction, restarts -------------------------------------------------

#[tokio::test]
async fn an_event_commits_or_rolls_back_with_its_change() {
    let s = hooked().await;
    let state = s.server.server.state.clone();
    let (writing, account) = (state.clone(), s.account_id().to_string());
    let rolled_back: Result<(), localgram::store::StoreError> = state
        .db
        .write(move |tx| {
            localgram::events::record(
                tx,
                &writing,
                Event::new(&account, comment_payload("1", "never")),
            )?;
            Err(localgram::store::StoreError::Conflict(
                "the change failed".into(),
            ))
        })
        .await;
    assert!(rolled_back.is_err());
    let (writing, account) = (state.clone(), s.account_id().to_string());
    let committed = state
        .db
        .write(move |tx| {
            localgram::events::record(
                tx,
                &writing,
                Event::new(&account, comment_payload("2", "kept")),
            )
        })
        .await
        .unwrap();
    assert_eq!(committed.deliveries[0].status, "pending");
    wait_for!("the kept comment", s.receiver.received().len() == 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(texts_of(&s.receiver, s.account_id()), ["kept"]);
    assert_eq!(
        s.deliveries("?include=skipped").await["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    s.server.stop().await;
}

#[tokio::test]
async fn include_values_off_sends_changed_fields_and_deliver_at_waits() {
    // ref 004 L2362-2363: changed_fields without Include Values.
    let s = setup().await;
    let answer = graph(
        &s.server,
        Method::POST,
        FB,
        &format!("/{}/subscriptions", s.app_id()),
        &[
            ("object", "instagram"),
            ("callback_url", &s.receiver.url("/h")),
            ("verify_token", VERIFY_TOKEN),
            ("fields", "comments,story_insights"),
            ("include_values", "false"),
        ],
        &s.app_token,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    s.subscribe_page("feed").await;
    s.event(s.account_id(), "comments", None).await;
    wait_for!("the comment", s.receiver.received().len() == 1);
    let entry = &s.receiver.received()[0].json["entry"][0];
    assert_eq!(entry["changed_fields"], json!(["comments"]));
    assert!(entry.get("changes").is_none());
    // story_insights go out an hour after the story expires (003 L82): deliver_at_ms.
    let now = s.now_ms().await;
    let recorded = s
        .server
        .post_control("/webhooks/test", json!({"field": "story_insights", "account_id": s.account_id(), "deliver_at_ms": now + 3_600_000}))
        .await;
    let id = delivery_id(&recorded);
    assert_eq!(
        s.delivery(id).await["next_attempt_at_ms"],
        json!(now + 3_600_000)
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(s.receiver.received().len(), 1);
    s.advance(3600.0).await;
    wait_for!("the insights", s.receiver.received().len() == 2);
    s.server.stop().await;
}

/// The real binary, killed with SIGKILL when dropped (as in tests/persistence.rs).
async fn spawn_binary(data: &std::path::Path) -> common::ChildServer {
    common::ChildServer::spawn(common::serve_storage_args(data)).await
}

#[tokio::test]
async fn pending_deliveries_survive_a_crash_and_a_restart() {
    // The outbox lives in the database: kill -9 loses no accepted event, and the retry
    // schedule, attempts and pause carry on after a restart with the same --data.
    let data = std::env::temp_dir().join(format!("localgram-webhooks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let receiver = Receiver::start(VERIFY_TOKEN).await;
    let first = spawn_binary(&data).await;
    let api = Remote::new(&first.base);
    let app = api
        .post_control(
            "/apps",
            json!({"name": "Durable", "access_level": "advanced"}),
        )
        .await;
    receiver.trust(app["secret"].as_str().unwrap());
    receiver.trust(app["instagram_app_secret"].as_str().unwrap());
    let account = api
        .post_control("/accounts", json!({"username": "durable"}))
        .await;
    let (app_id, account_id) = (app["id"].as_str().unwrap(), account["id"].as_str().unwrap());
    let token = api.post_control("/tokens", json!({"app_id": app_id, "account_id": account_id, "login": "instagram", "long_lived": true})).await["access_token"].as_str().unwrap().to_string();
    subscribe_to_comments(&api, &app, &receiver.url("/hook")).await;
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
    api.post_control("/clock", json!({"frozen": true})).await;

    receiver.set_mode(Mode::Status(500));
    let recorded = api.post_control("/webhooks/test", json!({"field": "comments", "account_id": account_id, "event": comment_event("1", "before the crash")})).await;
    let id = recorded["deliveries"][0]["id"].as_i64().unwrap();
    let mut before: Value;
    wait_for!("two failed attempts", {
        before = api.get_control(&format!("/webhooks/deliveries/{id}")).await;
        before["attempt_count"] == json!(2)
    });
    api.post_control("/webhooks/pause", json!({})).await;
    api.post_control("/webhooks/test", json!({"field": "comments", "account_id": account_id, "event": comment_event("2", "while paused")})).await;
    drop(first); // SIGKILL

    receiver.set_mode(Mode::Ok);
    let second = spawn_binary(&data).await;
    let api = Remote::new(&second.base);
    let status = api.get_control("/webhooks").await;
    assert_eq!(status["paused"], json!(true));
    assert_eq!(status["counts"]["pending"], json!(2));
    let after = api.get_control(&format!("/webhooks/deliveries/{id}")).await;
    assert_eq!(after["attempts"], before["attempts"]);
    assert_eq!(after["next_attempt_at_ms"], before["next_attempt_at_ms"]);
    api.post_control("/webhooks/resume", json!({})).await;
    api.post_control("/clock", json!({"advance_seconds": 30}))
        .await;
    wait_for!("both comments", receiver.updates().len() == 2);
    assert_eq!(
        texts_of(&receiver, account_id),
        ["before the crash", "while paused"]
    );
    assert!(receiver
        .received()
        .iter()
        .all(|r| r.signed_by.as_deref() == app["instagram_app_secret"].as_str()));
    // The receiver answered before the outcome was written: wait for it.
    let mut after: Value;
    wait_for!("the delivered state", {
        after = api.get_control(&format!("/webhooks/deliveries/{id}")).await;
        after["status"] == json!("delivered")
    });
    assert_eq!(after["attempt_count"], json!(3));
    drop(second);
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test]
async fn fields_without_a_sample_arrive_in_the_decided_shapes() {
    // live_comments as comments (004 L2092-2094, 001 L994); attachments with their URL only
    // (000 L388); optins, handover and standby as Meta's Messenger Platform sends them (004
    // L2436-2443 list the fields without payloads; decisions.md).
    let s = hooked().await;
    let account = s.account_id().to_string();
    let cases = [
        (
            "live_comments",
            comment_event("17900000000000001", "on air"),
        ),
        (
            "messages",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 7, "message": {"mid": "m9", "attachments": [{"type": "image", "url": "https://cdn.test/a.jpg"}, {"type": "share", "url": "https://www.instagram.com/p/x/"}]}}),
        ),
        (
            "messaging_optins",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 7, "optin": {"type": "notification_messages", "payload": "P", "notification_messages_token": "T", "notification_messages_frequency": "DAILY"}}),
        ),
        (
            "messaging_handover",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 7, "handover": {"action": "pass_thread_control", "new_owner_app_id": "1", "previous_owner_app_id": "2", "metadata": "m"}}),
        ),
        (
            "standby",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 7, "message": {"mid": "m10", "text": "seen by the secondary app"}}),
        ),
    ];
    for (i, (field, event)) in cases.iter().enumerate() {
        s.event(&account, field, Some(event.clone())).await;
        wait_for!(field, s.receiver.received().len() == i + 1);
    }
    let got: Vec<Value> = s
        .receiver
        .received()
        .iter()
        .map(|r| r.json["entry"][0].clone())
        .collect();
    assert_eq!(got[0]["changes"][0]["field"], json!("live_comments"));
    assert_eq!(
        got[0]["changes"][0]["value"],
        json!({"id": "17900000000000001", "from": {"id": "5260147201987654", "username": "commenter"}, "text": "on air", "media": {"id": "17895695668004550", "media_product_type": "FEED"}})
    );
    assert_eq!(
        got[1]["messaging"][0]["message"],
        json!({"mid": "m9", "attachments": [
            {"type": "image", "payload": {"url": "https://cdn.test/a.jpg"}},
            {"type": "share", "payload": {"url": "https://www.instagram.com/p/x/"}}
        ]})
    );
    assert_eq!(
        got[2]["messaging"][0],
        json!({"sender": {"id": "526"}, "recipient": {"id": account}, "timestamp": 7,
               "optin": {"type": "notification_messages", "payload": "P", "notification_messages_token": "T", "notification_messages_frequency": "DAILY"}})
    );
    assert_eq!(
        got[3]["messaging"][0]["pass_thread_control"],
        json!({"new_owner_app_id": "1", "previous_owner_app_id": "2", "metadata": "m"})
    );
    assert!(got[4].get("messaging").is_none());
    assert_eq!(
        got[4]["standby"][0]["message"]["text"],
        json!("seen by the secondary app")
    );
    s.server.stop().await;
}

#[tokio::test]
async fn echoes_go_to_apps_subscribed_to_messages_or_message_echoes() {
    // ref 004 L2433: message_echoes (Instagram Login); echoes are `messages` notifications.
    let s = setup().await;
    assert_eq!(
        s.configure(&s.receiver.url("/h"), Some("message_echoes"))
            .await
            .status,
        StatusCode::OK
    );
    s.subscribe_ig("messages").await;
    let account = s.account_id().to_string();
    let echo = json!({"sender_id": account, "recipient_id": "526", "timestamp_ms": 1, "message": {"mid": "e1", "text": "sent", "is_echo": true}});
    let recorded = s.event(&account, "message_echoes", Some(echo)).await;
    assert_eq!(recorded["deliveries"][0]["status"], json!("pending"));
    let inbound = json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 2, "message": {"mid": "m1", "text": "hi"}});
    let recorded = s.event(&account, "messages", Some(inbound)).await;
    assert_eq!(
        recorded["deliveries"][0]["reason"],
        json!("the app is not subscribed to the field messages")
    );
    wait_for!("the echo", s.receiver.received().len() == 1);
    assert_eq!(
        s.receiver.received()[0].json["entry"][0]["messaging"][0]["message"],
        json!({"mid": "e1", "text": "sent", "is_echo": true, "is_self": false})
    );
    s.server.stop().await;
}

#[tokio::test]
async fn old_business_scope_names_count_until_january_27_2025() {
    // ref 004 L1293, L1609: the business_* scope values end on January 27, 2025; a grant made
    // with them stops enabling notifications then.
    let s = setup().await;
    s.server
        .post_control("/clock", json!({"set": "2025-01-20T00:00:00Z"}))
        .await;
    assert_eq!(
        s.configure(&s.receiver.url("/h"), Some("comments"))
            .await
            .status,
        StatusCode::OK
    );
    let old = s
        .server
        .post_control("/accounts", json!({"username": "old.scopes"}))
        .await;
    let old_id = old["id"].as_str().unwrap().to_string();
    let token = s
        .server
        .token(
            s.app_id(),
            &old_id,
            "instagram",
            Some(vec!["business_basic", "business_manage_comments"]),
        )
        .await;
    let answer = graph(
        &s.server,
        Method::POST,
        IG,
        &format!("/{old_id}/subscribed_apps"),
        &[("subscribed_fields", "comments")],
        &token,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let before = s.event(&old_id, "comments", None).await;
    assert_eq!(before["deliveries"][0]["status"], json!("pending"));
    s.server
        .post_control("/clock", json!({"set": "2025-01-27T00:00:00Z"}))
        .await;
    let after = s.event(&old_id, "comments", None).await;
    assert_eq!(
        after["deliveries"][0]["reason"],
        json!("the token lacks the permissions instagram_business_basic, instagram_business_manage_comments that comments notifications need")
    );
    s.server.stop().await;
}
