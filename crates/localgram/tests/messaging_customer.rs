//! Messaging, the customer's side: actions through the control API and the webhooks they produce,
//! concurrency, Facebook Login and snapshots.
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

// ----- the customer's side and the webhooks it produces ------------------------------------

/// The app's callback on a loopback receiver, every messaging field chosen, the account
/// enabled with Instagram Login (as tests/webhooks/support.rs sets it up).
async fn hooked(c: &Chat) -> Receiver {
    let receiver = Receiver::start("verify-me").await;
    receiver.trust(c.world.app["instagram_app_secret"].as_str().unwrap());
    receiver.trust(c.world.app["secret"].as_str().unwrap());
    let app_token = c.world.app["app_token"].as_str().unwrap().to_string();
    let fields = "messages,message_reactions,message_edit,messaging_optins,messaging_postbacks,messaging_referral,messaging_seen";
    let configure = c
        .server
        .graph(
            Method::POST,
            &format!("/v24.0/{}/subscriptions", c.world.app_id()),
        )
        .on(FB)
        .form(&[
            ("object", "instagram"),
            ("callback_url", receiver.url("/webhooks").as_str()),
            ("verify_token", "verify-me"),
            ("fields", fields),
            ("access_token", app_token.as_str()),
        ])
        .send()
        .await;
    ok(&configure);
    let subscribe = c
        .server
        .graph(
            Method::POST,
            &format!("/v24.0/{}/subscribed_apps", c.account()),
        )
        .on(IG)
        .form(&[
            ("subscribed_fields", "messages"),
            ("access_token", c.world.ig_token.as_str()),
        ])
        .send()
        .await;
    ok(&subscribe);
    receiver
}

/// Every `messaging[]` item the receiver got, in arrival order.
fn received_items(receiver: &Receiver) -> Vec<Value> {
    receiver
        .received()
        .iter()
        .flat_map(|r| r.json["entry"].as_array().cloned().unwrap_or_default())
        .flat_map(|e| e["messaging"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn every_customer_action_reaches_the_webhook_in_its_documented_shape() {
    // ref 000 L2422-2853: one sample per field.
    let c = chat().await;
    let receiver = hooked(&c).await;
    let ana = c.person("ana").await;
    let story = c
        .server
        .post_control(
            &format!("/accounts/{}/media", c.account()),
            json!({"media_type": "IMAGE", "media_product_type": "STORY"}),
        )
        .await;
    let mid = c.says(&ana, "Hello").await;
    let igsid = c.igsid(&ana).await;
    let reply = c.text_to(&igsid, "Hi Ana!").await.body["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    c.server
        .post_control(
            &format!("/people/{ana}/reactions"),
            json!({"account_id": c.account(), "mid": reply}),
        )
        .await;
    c.server
        .post_control(
            &format!("/people/{ana}/reactions"),
            json!({"account_id": c.account(), "mid": reply, "action": "unreact"}),
        )
        .await;
    let tap = c
        .server
        .post_control(
            &format!("/people/{ana}/postbacks"),
            json!({"account_id": c.account(), "title": "Get started", "payload": "START"}),
        )
        .await;
    c.server
        .post_control(
            &format!("/people/{ana}/seen"),
            json!({"account_id": c.account()}),
        )
        .await;
    let edited = c
        .server
        .graph(Method::PATCH, &format!("/_localgram/messages/{mid}"))
        .json(json!({"text": "Hello there"}))
        .send()
        .await;
    assert_eq!(edited.body, json!({"mid": mid, "num_edit": 1}));
    let story_reply = c
        .says_with(&ana, json!({"text": "Nice story", "story_id": story["id"]}))
        .await["mid"]
        .as_str()
        .unwrap()
        .to_string();
    c.server
        .post_control(
            &format!("/people/{ana}/referrals"),
            json!({"account_id": c.account(), "ref": "summer-sale"}),
        )
        .await;
    c.server
        .post_control(
            &format!("/people/{ana}/optins"),
            json!({"account_id": c.account(), "payload": "WEEKLY"}),
        )
        .await;
    let Answer { status, .. } = c
        .server
        .control_api(Method::DELETE, &format!("/messages/{story_reply}"))
        .send()
        .await;
    assert_eq!(status, StatusCode::OK);

    wait_for!("11 notifications", received_items(&receiver).len() == 11);
    let items = received_items(&receiver);
    let shape = |i: usize, id: &str| {
        assert_same_shape_any_order(
            &items[i],
            &sample(id)["response"]["entry"][0]["messaging"][0],
            id,
        );
    };
    shape(0, "000-webhook-messaging-message-L2584");
    assert_eq!(items[0]["message"], json!({"mid": mid, "text": "Hello"}));
    assert_eq!(
        items[1]["message"],
        json!({"mid": reply, "text": "Hi Ana!", "is_echo": true, "is_self": false})
    );
    shape(2, "000-webhook-messaging-reaction-L2617");
    assert_eq!(
        items[2]["reaction"],
        json!({"mid": reply, "action": "react", "reaction": "love", "emoji": "\u{2764}"})
    );
    assert_eq!(
        items[3]["reaction"],
        json!({"mid": reply, "action": "unreact"})
    );
    shape(4, "000-webhook-messaging-postback-L2652");
    assert_eq!(
        items[4]["postback"],
        json!({"title": "Get started", "payload": "START", "mid": tap["mid"]})
    );
    shape(5, "000-webhook-messaging-read-L2691");
    assert_eq!(items[5]["read"], json!({"mid": reply}));
    shape(6, "000-webhook-messaging-message-edit-L2728");
    assert_eq!(
        items[6]["message_edit"],
        json!({"mid": mid, "text": "Hello there", "num_edit": 1})
    );
    assert_eq!(items[7]["message"]["reply_to"]["story"]["id"], story["id"]);
    assert_eq!(items[7]["message"]["text"], json!("Nice story"));
    shape(8, "000-webhook-messaging-referral-L2815");
    assert_eq!(
        items[8]["referral"],
        json!({"ref": "summer-sale", "source": "SHORTLINK", "type": "OPEN_THREAD"})
    );
    assert_eq!(items[9]["optin"]["payload"], json!("WEEKLY"));
    assert_eq!(
        items[10]["message"],
        json!({"mid": story_reply, "is_deleted": true})
    );
    // Every item came from the person to the account, except the echo.
    for (i, item) in items.iter().enumerate().filter(|(i, _)| *i != 1) {
        assert_eq!(item["sender"]["id"], json!(igsid), "item {i}");
        assert_eq!(item["recipient"]["id"], json!(c.account()), "item {i}");
    }
    // All signed with the Instagram app secret (ref 004 L2366-2372).
    assert!(receiver.received().iter().all(|r| r.signed_by.is_some()));
    // The outbox has one delivered row per event, each under its field.
    for (field, n) in [
        ("messages", 4),
        ("message_reactions", 2),
        ("messaging_postbacks", 1),
        ("messaging_seen", 1),
        ("message_edit", 1),
        ("messaging_referral", 1),
        ("messaging_optins", 1),
    ] {
        let rows = c.deliveries(field).await;
        assert_eq!(rows.len(), n, "{field}");
        assert!(
            rows.iter().all(|r| r["status"] == json!("delivered")),
            "{field}: {rows:?}"
        );
    }
    c.server.stop().await;
}

#[tokio::test]
async fn an_ad_referral_comes_before_the_first_message() {
    let c = chat().await;
    let ana = c.person("ana").await;
    c.says_with(
        &ana,
        json!({"text": "I saw your ad", "referral": {"ref": "ad-42", "source": "ADS"}}),
    )
    .await;
    let referral = c.last_notification("messaging_referral").await;
    assert_eq!(
        referral["referral"],
        json!({"ref": "ad-42", "source": "ADS", "type": "OPEN_THREAD"})
    );
    let rows = c.deliveries("messages").await;
    let referrals = c.deliveries("messaging_referral").await;
    assert!(
        referrals[0]["id"].as_i64() < rows[0]["id"].as_i64(),
        "recorded first"
    );
    // Without an app subscribed, each row says why nothing went out.
    assert_eq!(rows[0]["status"], json!("skipped"));
    assert!(
        rows[0]["reason"]
            .as_str()
            .unwrap()
            .contains("not subscribed"),
        "{}",
        rows[0]["reason"]
    );
    c.server.stop().await;
}

#[tokio::test]
async fn self_messaging_skips_the_window_once_the_account_wrote_to_itself() {
    // ref 000 L2430-2474 and 004 L2497-2500: is_echo and is_self; no 24-hour window.
    let c = chat().await;
    let me = c
        .server
        .post_control(
            &format!("/accounts/{}/self_messages", c.account()),
            json!({"text": "testing my inbox"}),
        )
        .await;
    let self_igsid = me["igsid"].as_str().unwrap().to_string();
    let first = c.last_notification("messages").await;
    assert_same_shape_any_order(
        &first,
        &sample("000-webhook-messaging-message-L2440")["response"]["entry"][0]["messaging"][0],
        "self echo",
    );
    assert_eq!(first["sender"]["id"], json!(c.account()));
    assert_eq!(first["recipient"]["id"], json!(self_igsid));
    assert_eq!(
        first["message"],
        json!({"mid": me["mid"], "text": "testing my inbox", "is_echo": true, "is_self": true})
    );
    c.advance(3.0 * DAY).await;
    let sent = c.text_to(&self_igsid, "preview of the automation").await;
    ok(&sent);
    assert_eq!(
        c.last_notification("messages").await["message"]["is_self"],
        json!(true)
    );
    // Another account never wrote to itself: its own IGSID does not exist yet.
    assert_error(
        &c.server
            .graph(Method::POST, "/v24.0/me/messages")
            .on(IG)
            .bearer(&c.world.creator_token)
            .json(json!({"recipient": {"id": self_igsid}, "message": {"text": "x"}}))
            .send()
            .await,
        100,
        Some(2534014),
        "cannot be found",
    );
    c.server.stop().await;
}

#[tokio::test]
async fn messages_are_neither_lost_nor_duplicated_under_concurrent_sends() {
    let c = chat().await;
    let (ana, igsid) = talking(&c, "ana").await;
    let mut tasks = Vec::new();
    for i in 0..120 {
        let api = Remote::clone(&c.server);
        let path = format!("/v24.0/{}/messages", c.account());
        let token = c.world.ig_token.clone();
        let body = json!({"recipient": {"id": igsid}, "message": {"text": format!("m{i}")}});
        tasks.push(tokio::spawn(async move {
            let r = api
                .graph(Method::POST, &path)
                .on(IG)
                .bearer(&token)
                .json(&body)
                .send()
                .await;
            assert_eq!(r.status, StatusCode::OK);
            r.body["message_id"].as_str().unwrap().to_string()
        }));
    }
    let mut mids = Vec::new();
    for t in tasks {
        mids.push(t.await.unwrap());
    }
    let thread = c.thread(&ana).await;
    let stored: Vec<String> = thread["data"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|m| m["mid"].as_str().unwrap().to_string())
        .collect();
    let mut unique = stored.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 120, "no duplicates, none lost");
    let mut answered = mids.clone();
    answered.sort();
    assert_eq!(answered, unique, "every answered mid is stored");
    // Echoes: one per message, in the same order as the conversation.
    let echoes: Vec<String> = c
        .deliveries("messages")
        .await
        .iter()
        .rev()
        .filter(|d| d["event"]["messaging"]["message"]["is_echo"] == json!(true))
        .map(|d| {
            d["event"]["messaging"]["message"]["mid"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(echoes, stored);
    // The API lists them newest first: the reverse of the send order.
    let conversation = thread["conversation_id"].as_str().unwrap();
    let listed = c
        .get(&format!("/v24.0/{conversation}/messages?limit=100"))
        .await;
    let first: Vec<String> = listed.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    let mut newest_first = stored.clone();
    newest_first.reverse();
    assert_eq!(first, newest_first[..100]);
    c.server.stop().await;
}

#[tokio::test]
async fn facebook_login_reads_through_the_page() {
    // Facebook Login: the Messenger Platform's Instagram messaging through the Page with a
    // Page token (ref 004 L200, 001 L2455-2470; decisions.md).
    let c = chat().await;
    let (_, igsid) = talking(&c, "ana").await;
    let page_token = c.page_token().await;
    let page = c.world.page_id().to_string();
    let list = c
        .server
        .get_fb(
            &format!("/v24.0/{page}/conversations?platform=instagram"),
            &page_token,
        )
        .await;
    ok(&list);
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
    // Without platform=instagram, the Page's own (Messenger) conversations: none here.
    assert_eq!(
        c.server
            .get_fb(&format!("/v24.0/{page}/conversations"), &page_token)
            .await
            .body,
        json!({"data": []})
    );
    ok(&c
        .server
        .get_fb(&format!("/v24.0/{igsid}?fields=username"), &page_token)
        .await);
    let menu_path = format!("/v24.0/{page}/messenger_profile?platform=instagram");
    ok(&c
        .send_as(
            &page_token,
            FB,
            &menu_path,
            json!({"ice_breakers": [{"question": "Hours?", "payload": "H"}]}),
        )
        .await);
    assert_error(
        &c.send_as(
            &page_token,
            FB,
            &format!("/v24.0/{page}/messenger_profile"),
            json!({"ice_breakers": [{"question": "Hours?", "payload": "H"}]}),
        )
        .await,
        100,
        None,
        "The parameter platform is required",
    );
    // The IG User's conversations edge is Instagram Login's.
    assert_error(
        &c.server
            .get_fb(
                &format!("/v24.0/{}/conversations", c.account()),
                &page_token,
            )
            .await,
        100,
        None,
        "nonexisting field (conversations)",
    );
    // Instagram Login needs the messaging permission for every read.
    let basic = c
        .server
        .token(
            c.world.app_id(),
            c.account(),
            "instagram",
            Some(vec![
                "instagram_business_basic",
                "instagram_business_manage_comments",
            ]),
        )
        .await;
    assert_error(
        &c.server
            .get_ig(&format!("/v24.0/{}/conversations", c.account()), &basic)
            .await,
        10,
        None,
        "permission",
    );
    assert_error(
        &c.send_as(
            &basic,
            IG,
            &format!("/v24.0/{}/messages", c.account()),
            json!({"recipient": {"id": igsid}, "message": {"text": "x"}}),
        )
        .await,
        10,
        None,
        "permission",
    );
    c.server.stop().await;
}

#[tokio::test]
async fn conversations_survive_a_snapshot_and_reset() {
    let c = chat().await;
    let (ana, igsid) = talking(&c, "ana").await;
    ok(&c.text_to(&igsid, "saved?").await);
    let Answer {
        status,
        body: snapshot,
        ..
    } = c.server.control_api(Method::GET, "/snapshot").send().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(snapshot["tables"]["messages"].as_array().unwrap().len(), 2);
    let Answer { status, .. } = c
        .server
        .control_api(Method::POST, "/reset")
        .json(json!({}))
        .send()
        .await;
    assert_eq!(status, StatusCode::OK);
    let Answer { status, .. } = c
        .server
        .control_api(Method::PUT, "/snapshot")
        .json(snapshot)
        .send()
        .await;
    assert_eq!(status, StatusCode::OK);
    // A reset puts the clock back to real time; the test's virtual day comes back.
    c.server
        .post_control(
            "/clock",
            json!({"set": "2026-03-02T09:00:00Z", "frozen": true}),
        )
        .await;
    assert_eq!(c.thread(&ana).await["data"].as_array().unwrap().len(), 2);
    ok(&c.text_to(&igsid, "yes").await);
    c.server.stop().await;
}
