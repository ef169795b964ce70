//! Messaging, the account's setup: the Messenger Profile API and Welcome Message Flows.
//!
//! Messaging (issue #7): the Send API with every body and limit, the 24-hour and human-agent
//! windows, consent, private replies, conversations and messages, the User Profile API, the
//! Attachment Upload API, the messenger profile, welcome message flows, the customer's side
//! through the control API, and the webhooks each event produces. Reference: Send API 000
//! L333-902, welcome flows 000 L904-1233, messenger profile 000 L1236-1580, user profile 000
//! L1581-1736, attachments 000 L1739-1774, conversations 000 L1776-2055, webhook payloads 000
//! L2422-2853, private replies 001 L2437-2520 and 004 L2872-2941, messaging rules 004
//! L196-212, changelog 004 L1122-1136. Time moves only on the virtual clock.

mod common;
#[path = "webhooks/receiver.rs"]
mod receiver;
#[macro_use]
#[path = "messaging/support.rs"]
mod support;

use support::*;

// ----- the Messenger Profile API -----------------------------------------------------------

#[tokio::test]
async fn the_persistent_menu_is_set_read_and_deleted() {
    // ref 000 L1318-1450 (samples 000-ig-user-messenger-profile-post-L1318, -get-L1370,
    // -delete-L1423).
    let c = chat().await;
    let path = format!("/v24.0/{}/messenger_profile", c.account());
    let form: Vec<(String, String)> = sample("000-ig-user-messenger-profile-post-L1318")["body"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    // The documented form value, trailing comma and all (seed000 §16 item 10).
    let set = c
        .server
        .graph(Method::POST, &path)
        .on(IG)
        .bearer(&c.world.ig_token)
        .form(&form)
        .send()
        .await;
    ok(&set);
    assert_eq!(set.body, json!({"result": "success"}));
    let read = c.get(&format!("{path}?fields=persistent_menu")).await;
    assert_eq!(
        read.body,
        sample("000-ig-user-messenger-profile-get-L1370")["response"]
    );
    assert_eq!(
        c.get("/v24.0/me/messenger_profile?fields=persistent_menu")
            .await
            .body,
        read.body
    );
    // A tap on a menu item: the title comes from the menu.
    let ana = c.person("ana").await;
    c.server
        .post_control(
            &format!("/people/{ana}/postbacks"),
            json!({"account_id": c.account(), "payload": "CURATION"}),
        )
        .await;
    assert_eq!(
        c.last_notification("messaging_postbacks").await["postback"]["title"],
        json!("Outfit suggestions")
    );
    // What Instagram's menu lacks (ref 000 L1291-1303) and its limits.
    let with = |menu: Value| {
        c.send_as(
            &c.world.ig_token,
            IG,
            &path,
            json!({"persistent_menu": menu}),
        )
    };
    assert_error(&with(json!([{"locale": "default", "composer_input_disabled": true, "call_to_actions": [{"type": "postback", "title": "a", "payload": "b"}]}])).await, 100, None, "composer_input_disabled");
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"type": "postback", "title": format!("t{i}"), "payload": "p"}))
        .collect();
    assert_error(
        &with(json!([{"locale": "default", "call_to_actions": many}])).await,
        100,
        None,
        "must have at most 20 items",
    );
    assert_error(&with(json!([{"locale": "default", "call_to_actions": [{"type": "web_url", "title": "x".repeat(31), "url": "https://a.example"}]}])).await, 100, None, "less than or equal to 30");
    // Deleted with the Python-style list of the sample (seed000 §16 item 9).
    let delete = c
        .server
        .graph(
            Method::DELETE,
            &format!("{path}?fields=['persistent_menu']"),
        )
        .on(IG)
        .bearer(&c.world.ig_token)
        .send()
        .await;
    ok(&delete);
    assert_eq!(
        delete.body,
        sample("000-ig-user-messenger-profile-delete-L1423")["response"]
    );
    assert_eq!(
        c.get(&format!("{path}?fields=persistent_menu")).await.body,
        json!({"data": []})
    );
    assert_error(
        &c.get(&path).await,
        100,
        None,
        "The parameter fields is required",
    );
    assert_error(
        &c.get(&format!("{path}?fields=greeting")).await,
        100,
        None,
        "must be one of {persistent_menu, ice_breakers}",
    );
    c.server.stop().await;
}

#[tokio::test]
async fn ice_breakers_are_at_most_four_and_read_by_locale() {
    // ref 000 L1245-1269, L1451-1580 (samples -post-L1453, -get-L1494, -delete-L1553).
    let c = chat().await;
    let path = format!("/v24.0/{}/messenger_profile", c.account());
    let form: Vec<(String, String)> = sample("000-ig-user-messenger-profile-post-L1453")["body"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let set = c
        .server
        .graph(Method::POST, &path)
        .on(IG)
        .bearer(&c.world.ig_token)
        .form(&form)
        .send()
        .await;
    ok(&set);
    let read = c.get(&format!("{path}?fields=ice_breakers")).await;
    ok(&read);
    assert_same_shape_any_order(
        &read.body,
        &sample("000-ig-user-messenger-profile-get-L1494")["response"],
        "ice breakers",
    );
    assert_eq!(
        read.body,
        json!({"data": [{"call_to_actions": [
        {"question": "What is your favorite sport?", "payload": "<PAYLOAD_FOR_QUESTION_1>"},
        {"question": "What is the capital of USA?", "payload": "<PAYLOAD_FOR_QUESTION_2>"}], "locale": "default"}]})
    );
    // Grouped by locale on the way in too; four per locale at most.
    let four: Vec<Value> = (1..=4)
        .map(|i| json!({"question": format!("Question {i}?"), "payload": format!("Q{i}")}))
        .collect();
    let five: Vec<Value> = (1..=5)
        .map(|i| json!({"question": format!("Question {i}?"), "payload": format!("Q{i}")}))
        .collect();
    let grouped = json!([{"call_to_actions": four, "locale": "default"}, {"call_to_actions": [{"question": "¿Envíos?", "payload": "ES"}], "locale": "es_ES"}]);
    ok(&c
        .send_as(
            &c.world.ig_token,
            IG,
            &path,
            json!({"platform": "instagram", "ice_breakers": grouped}),
        )
        .await);
    assert_eq!(
        c.get(&format!("{path}?fields=ice_breakers")).await.body["data"],
        grouped
    );
    assert_error(
        &c.send_as(
            &c.world.ig_token,
            IG,
            &path,
            json!({"platform": "instagram", "ice_breakers": five}),
        )
        .await,
        100,
        None,
        "must have at most 4 items",
    );
    // A tap on an ice breaker: its question is the postback title (ref 000 L2652-2690).
    let ana = c.person("ana").await;
    c.server
        .post_control(
            &format!("/people/{ana}/postbacks"),
            json!({"account_id": c.account(), "payload": "Q3"}),
        )
        .await;
    assert_eq!(
        c.last_notification("messaging_postbacks").await["postback"]["title"],
        json!("Question 3?")
    );
    let delete = c
        .server
        .graph(Method::DELETE, &format!("{path}?fields=['ice_breakers']"))
        .on(IG)
        .bearer(&c.world.ig_token)
        .send()
        .await;
    assert_eq!(
        delete.body,
        sample("000-ig-user-messenger-profile-delete-L1553")["response"]
    );
    assert_eq!(
        c.get(&format!("{path}?fields=ice_breakers")).await.body,
        json!({"data": []})
    );
    // A JSON body naming the fields deletes too.
    c.send_as(
        &c.world.ig_token,
        IG,
        &path,
        json!({"ice_breakers": [{"question": "Q?", "payload": "P"}]}),
    )
    .await;
    let body_delete = c
        .server
        .graph(Method::DELETE, &path)
        .on(IG)
        .bearer(&c.world.ig_token)
        .json(json!({"fields": ["ice_breakers"]}))
        .send()
        .await;
    ok(&body_delete);
    assert_eq!(
        c.get(&format!("{path}?fields=ice_breakers")).await.body,
        json!({"data": []})
    );
    c.server.stop().await;
}

// ----- Welcome Message Flows ---------------------------------------------------------------

#[tokio::test]
async fn welcome_flows_are_created_read_updated_and_deleted() {
    // ref 000 L904-1233 (samples 000-ig-user-welcome-message-flows-post-L1088, -get-L977,
    // -get-L1035, -post-L1143, -delete-L1200).
    let c = chat().await;
    let path = format!("/v24.0/{}/welcome_message_flows", c.account());
    let created = c
        .send_as(
            &c.world.ig_token,
            IG,
            &path,
            sample("000-ig-user-welcome-message-flows-post-L1088")["body"].clone(),
        )
        .await;
    ok(&created);
    assert_same_shape_any_order(
        &created.body,
        &sample("000-ig-user-welcome-message-flows-post-L1088")["response"],
        "create",
    );
    let first = created.body["flow_id"].as_str().unwrap().to_string();
    c.server
        .post_control("/clock", json!({"advance_seconds": 60}))
        .await;
    let second = c.send_as(&c.world.ig_token, IG, &path, json!({"name": "New customer welcome flow", "welcome_message_flow": [{"message": {"text": "Welcome to our community!"}}], "eligible_platforms": ["instagram"]})).await;
    let second = second.body["flow_id"].as_str().unwrap().to_string();
    let list = c.get(&path).await;
    ok(&list);
    let expected = sample("000-ig-user-welcome-message-flows-get-L977")["response"].clone();
    assert_same_shape_any_order(&list.body, &expected, "list");
    let data = list.body["data"].as_array().unwrap();
    assert_eq!(keys(&data[0]), keys(&expected["data"][0]));
    assert_eq!(data[0]["id"], json!(second), "newest first");
    // The flow comes back as the sample's JSON string: keys reordered, long titles cut.
    assert_eq!(
        data[1]["welcome_message_flow"],
        expected["data"][0]["welcome_message_flow"]
    );
    assert_eq!(data[1]["eligible_platforms"], json!(["INSTAGRAM"]));
    assert_eq!(
        data[1]["last_update_time"],
        json!("2026-03-02T09:00:00+0000")
    );
    assert_eq!(data[1]["is_used_in_ad"], json!(false));
    assert_eq!(
        data[0]["welcome_message_flow"],
        expected["data"][1]["welcome_message_flow"]
    );
    // Update by flow_id (sample -post-L1143): the name, the flow and the time change.
    c.server
        .post_control("/clock", json!({"advance_seconds": 310}))
        .await;
    let update = c
        .send_as(
            &c.world.ig_token,
            IG,
            &format!("{path}?flow_id={first}"),
            sample("000-ig-user-welcome-message-flows-post-L1143")["body"].clone(),
        )
        .await;
    ok(&update);
    assert_eq!(update.body, json!({"success": true}));
    let one = c.get(&format!("{path}?flow_id={first}")).await;
    assert_same_shape_any_order(
        &one.body,
        &sample("000-ig-user-welcome-message-flows-get-L1035")["response"],
        "one",
    );
    let expected_one =
        &sample("000-ig-user-welcome-message-flows-get-L1035")["response"]["data"][0];
    assert_eq!(one.body["data"][0]["name"], expected_one["name"]);
    assert_eq!(
        one.body["data"][0]["welcome_message_flow"],
        expected_one["welcome_message_flow"]
    );
    assert_eq!(
        one.body["data"][0]["last_update_time"],
        json!("2026-03-02T09:06:10+0000")
    );
    // Steps are checked as sends are; unknown flows are refused.
    let bad = c
        .send_as(
            &c.world.ig_token,
            IG,
            &path,
            json!({"name": "x", "welcome_message_flow": [{"message": {"text": "x".repeat(1001)}}]}),
        )
        .await;
    assert_error(&bad, 100, None, "less than or equal to 1000");
    assert_error(
        &c.send_as(
            &c.world.ig_token,
            IG,
            &path,
            json!({"welcome_message_flow": [{"message": {"text": "x"}}]}),
        )
        .await,
        100,
        None,
        "The parameter name is required",
    );
    assert_error(
        &c.get(&format!("{path}?flow_id=18100000000000000")).await,
        100,
        None,
        "flow_id must be",
    );
    // Paging: one flow a page, both reached.
    let page = c.get(&format!("{path}?limit=1")).await;
    assert!(page.body["paging"]["next"].is_string());
    // Delete (sample -delete-L1200).
    let deleted = c
        .server
        .graph(Method::DELETE, &format!("{path}?flow_id={first}"))
        .on(IG)
        .bearer(&c.world.ig_token)
        .send()
        .await;
    assert_eq!(
        deleted.body,
        sample("000-ig-user-welcome-message-flows-delete-L1200")["response"]
    );
    let after = c.get(&path).await;
    assert_eq!(after.body["data"].as_array().unwrap().len(), 1);
    c.server.stop().await;
}
