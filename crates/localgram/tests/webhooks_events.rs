//! Webhooks, what is delivered, to whom, and why not: conditions, skip reasons and payload
//! shapes.
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

// ----- what is delivered, to whom, and why not ------------------------------------------------

#[tokio::test]
async fn comments_arrive_in_each_logins_shape_signed_with_its_secret() {
    let s = hooked().await;
    let now = s.now_ms().await;
    s.event(
        s.account_id(),
        "comments",
        Some(comment_event("17865799348089039", "This is an example.")),
    )
    .await;
    wait_for!("the IGL comment", s.receiver.received().len() == 1);
    let got = &s.receiver.received()[0];
    // Instagram Login signs with the Instagram app secret; both headers over the exact bytes.
    assert_eq!(got.signed_by.as_deref(), Some(s.instagram_secret()));
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.header("user-agent"), Some("facebookexternalua"));
    // ref 000 L2510-2546 (changes[] envelope), 004 L2140-2164 (IGL value: id, from, text, media).
    assert_same_shape_any_order(&got.json, &others_comment_sample(), "$");
    let igl_value = &sample_body("004-webhook-comments-L2135")["entry"][0]["value"];
    assert_same_shape_any_order(
        &got.json["entry"][0]["changes"][0]["value"],
        igl_value,
        "$.value",
    );
    assert_eq!(
        got.json,
        json!({"object": "instagram", "entry": [{
            "id": s.account_id(),
            "time": now / 1000,
            "changes": [{"field": "comments", "value": {
                "id": "17865799348089039",
                "from": {"id": "5260147201987654", "username": "commenter"},
                "text": "This is an example.",
                "media": {"id": "17895695668004550", "media_product_type": "FEED"}
            }}]
        }]})
    );
    // Key order as the samples print it: object, entry; id, time, changes.
    assert!(got.text().starts_with(&format!(
        "{{\"object\":\"instagram\",\"entry\":[{{\"id\":\"{}\",\"time\":{},\"changes\":[{{\"field\":\"comments\",\"value\":{{\"id\":",
        s.account_id(),
        now / 1000
    )));

    // A self comment (000 L2510-2546): the account's own id and its IGSID in from.
    let mut own = comment_event("17865799348089040", "Me again");
    own["from"] = json!({"id": s.account_id(), "username": "dino.shop", "self_ig_scoped_id": "5261234567890123"});
    s.event(s.account_id(), "comments", Some(own)).await;
    wait_for!("the self comment", s.receiver.received().len() == 2);
    assert_same_shape_any_order(
        &s.receiver.received()[1].json,
        &sample_body("000-webhook-comments-L2510"),
        "$",
    );

    // Facebook Login: the Page enables the app instead; the app secret signs; the comment id is
    // comment_id and ad posts carry their ad fields (ref 004 L2096-2133).
    graph(
        &s.server,
        Method::DELETE,
        IG,
        &format!("/{}/subscribed_apps", s.account_id()),
        &[],
        &s.ig_token,
    )
    .await;
    assert_eq!(s.subscribe_page("feed").await.status, StatusCode::OK);
    let mut event = comment_event("17870913679156914", "Nice ad");
    event["parent_id"] = json!("17865799348089039");
    event["media"]["ad_id"] = json!("23851234567890123");
    event["media"]["ad_title"] = json!("Summer");
    event["media"]["original_media_id"] = json!("17895695668004551");
    s.event(s.account_id(), "comments", Some(event)).await;
    wait_for!("the FBL comment", s.receiver.received().len() == 3);
    let got = &s.receiver.received()[2];
    assert_eq!(got.signed_by.as_deref(), Some(s.secret()));
    let fbl = sample_body("004-webhook-comments-L2096");
    assert_same_shape_any_order(&got.json, &fbl, "$");
    assert_same_shape_any_order(&got.json, &sample_body("001-webhook-comments-L998"), "$");
    assert_eq!(
        got.json["entry"][0]["changes"][0]["value"]["comment_id"],
        json!("17870913679156914")
    );
    s.server.stop().await;
}

#[tokio::test]
async fn bodies_escape_slashes_and_non_ascii_and_are_signed_over_those_bytes() {
    // ref 004 L2366-2373: the signature is over the payload as sent.
    let s = hooked().await;
    s.event(
        s.account_id(),
        "comments",
        Some(comment_event(
            "1",
            "caf\u{e9} \u{1F600} https://x.test/a \"q\"",
        )),
    )
    .await;
    wait_for!("the comment", s.receiver.received().len() == 1);
    let got = &s.receiver.received()[0];
    let text = got.text();
    assert!(text.is_ascii());
    assert!(
        text.contains(r#""text":"caf\u00e9 \ud83d\ude00 https:\/\/x.test\/a \"q\"""#),
        "{text}"
    );
    assert_eq!(
        got.header("x-hub-signature-256").unwrap(),
        receiver::hmac256(s.instagram_secret(), &got.body)
    );
    assert_eq!(
        got.header("x-hub-signature").unwrap(),
        receiver::hmac1(s.instagram_secret(), &got.body)
    );
    assert_eq!(
        got.json["entry"][0]["changes"][0]["value"]["text"],
        json!("caf\u{e9} \u{1F600} https://x.test/a \"q\"")
    );
    s.server.stop().await;
}

#[tokio::test]
async fn every_field_arrives_in_its_documented_shape() {
    let s = hooked().await;
    let account = s.account_id().to_string();
    // Messaging fields with Instagram Login, each against its sample (000 L2430-2850).
    let cases = [
        (
            "messages",
            "000-webhook-messaging-message-L2584",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "message": {"mid": "m1", "text": "Hello"}}),
        ),
        (
            "messages",
            "000-webhook-messaging-message-L2440",
            json!({"sender_id": account, "recipient_id": "526", "timestamp_ms": 1, "is_self": true, "message": {"mid": "m2", "text": "Hi me", "is_echo": true}}),
        ),
        (
            "messages",
            "000-webhook-messaging-message-L2767",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "message": {"mid": "m3", "text": "Nice", "is_deleted": true, "is_echo": true, "is_unsupported": true, "reply_to": {"story": {"url": "https://cdn.test/s.jpg", "id": "1790"}}}}),
        ),
        (
            "message_reactions",
            "000-webhook-messaging-reaction-L2617",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "reaction": {"mid": "m1", "action": "react", "reaction": "love", "emoji": "\u{2764}"}}),
        ),
        (
            "messaging_postbacks",
            "000-webhook-messaging-postback-L2652",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "postback": {"mid": "m1", "title": "Hi", "payload": "P"}}),
        ),
        (
            "messaging_postbacks",
            "000-webhook-messaging-postback-L2475",
            json!({"sender_id": account, "recipient_id": "526", "timestamp_ms": 1743480368714_i64, "is_self": true, "postback": {"mid": "m1", "title": "Start Chatting", "payload": "DEVELOPER_DEFINED_PAYLOAD"}}),
        ),
        (
            "messaging_seen",
            "000-webhook-messaging-read-L2691",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "read": {"mid": "m1"}}),
        ),
        (
            "message_edit",
            "000-webhook-messaging-message-edit-L2728",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "message_edit": {"mid": "m1", "text": "Hello!", "num_edit": 1}}),
        ),
        (
            "messaging_referral",
            "000-webhook-messaging-referral-L2815",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "referral": {"ref": "summer", "source": "SHORTLINK", "type": "OPEN_THREAD"}}),
        ),
    ];
    for (i, (field, sample_id, event)) in cases.iter().enumerate() {
        let recorded = s.event(&account, field, Some(event.clone())).await;
        assert_eq!(
            recorded["deliveries"][0]["status"],
            json!("pending"),
            "{field}: {recorded}"
        );
        wait_for!(field, s.receiver.received().len() == i + 1);
        let got = s.receiver.received()[i].json.clone();
        assert_same_shape_any_order(&got, &sample_body(sample_id), sample_id);
        // Messaging notifications carry milliseconds (000 L2489-2494).
        assert!(got["entry"][0]["time"].as_i64().unwrap() > 1_000_000_000_000);
    }
    // The self echo keeps is_self inside message; the self postback beside it (000 L2463-2495).
    let all = s.receiver.received();
    assert_eq!(
        all[1].json["entry"][0]["messaging"][0]["message"]["is_self"],
        json!(true)
    );
    assert_eq!(
        all[5].json["entry"][0]["messaging"][0]["is_self"],
        json!(true)
    );
    assert!(all[5].text().contains("\"timestamp\":1743480368714"));
    // The heart is escaped, not sent raw (000 L2641).
    assert!(all[3].text().contains(r#""emoji":"\u2764""#));

    // Mentions (003 L172-194, L245-266) and story insights (003 L137-164) with Facebook Login.
    graph(
        &s.server,
        Method::DELETE,
        IG,
        &format!("/{}/subscribed_apps", s.account_id()),
        &[],
        &s.ig_token,
    )
    .await;
    assert_eq!(s.subscribe_page("feed").await.status, StatusCode::OK);
    let base = all.len();
    let fbl_cases = [
        (
            "mentions",
            "003-webhook-mentions-L172",
            json!({"comment_id": "17894227972186120", "media_id": "17918195224117851"}),
        ),
        (
            "mentions",
            "003-webhook-mentions-L245",
            json!({"media_id": "17918195224117851"}),
        ),
        (
            "story_insights",
            "003-webhook-story-insights-L137",
            json!({"media_id": "18023345989012587", "exits": 1, "replies": 0, "reach": 17, "taps_forward": 12, "taps_back": 0, "impressions": 28}),
        ),
    ];
    for (i, (field, sample_id, event)) in fbl_cases.iter().enumerate() {
        s.event(&account, field, Some(event.clone())).await;
        wait_for!(field, s.receiver.received().len() == base + i + 1);
        let got = s.receiver.received()[base + i].json.clone();
        assert_same_shape_any_order(&got, &sample_body(sample_id), sample_id);
        assert_eq!(
            got["entry"][0]["changes"][0]["value"], *event,
            "{sample_id}"
        );
    }
    s.server.stop().await;
}

#[tokio::test]
async fn an_enabled_account_gets_every_field_the_app_subscribed_to() {
    // ref 004 L2269: no account-level customisation; the app's fields decide.
    let s = hooked().await;
    s.subscribe_ig("messages").await;
    let recorded = s.event(s.account_id(), "mentions", None).await;
    assert_eq!(recorded["deliveries"][0]["status"], json!("pending"));
    wait_for!("the mention", s.receiver.received().len() == 1);
    assert_eq!(s.receiver.updates()[0].1, "mentions");
    s.server.stop().await;
}

#[tokio::test]
async fn every_event_without_a_delivery_keeps_its_reason() {
    // ref 004 L2246-2272 and 003 L31-54: each condition, and the log beside the deliveries.
    let s = setup().await;
    let account = s.account_id().to_string();
    let reason = |v: &Value| {
        v["deliveries"][0]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };

    // An account no app is connected to.
    let lonely = s
        .server
        .post_control("/accounts", json!({"username": "lonely"}))
        .await;
    let r = s
        .event(lonely["id"].as_str().unwrap(), "comments", None)
        .await;
    assert_eq!(r["deliveries"][0]["app_id"], Value::Null);
    assert!(
        reason(&r).starts_with("no app is connected to the account"),
        "{r}"
    );

    // The app has no Instagram webhooks at all.
    let r = s.event(&account, "comments", None).await;
    assert!(
        reason(&r).starts_with("the app is not subscribed to the field comments"),
        "{r}"
    );

    // The app is not subscribed to this field.
    assert_eq!(
        s.configure(&s.receiver.url("/h"), Some("messages"))
            .await
            .status,
        StatusCode::OK
    );
    let r = s.event(&account, "comments", None).await;
    assert_eq!(
        reason(&r),
        "the app is not subscribed to the field comments"
    );

    // The account did not subscribe the app.
    s.configure(&s.receiver.url("/h"), Some("comments,story_insights"))
        .await;
    let r = s.event(&account, "comments", None).await;
    assert_eq!(
        reason(&r),
        "the account did not subscribe the app: enable it with POST /{ig-user-id}/subscribed_apps"
    );

    // The token lacks a permission the field needs (004 L2430).
    s.subscribe_ig("comments").await;
    let other = s
        .server
        .post_control(
            "/apps",
            json!({"name": "Other", "access_level": "advanced"}),
        )
        .await;
    let other_id = other["id"].as_str().unwrap();
    let limited = s
        .server
        .token(
            other_id,
            &account,
            "instagram",
            Some(vec!["instagram_business_basic"]),
        )
        .await;
    let answer = graph(
        &s.server,
        Method::POST,
        IG,
        &format!("/{account}/subscribed_apps"),
        &[("subscribed_fields", "comments")],
        &limited,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let receiver2 = Receiver::start(VERIFY_TOKEN).await;
    let answer = graph(
        &s.server,
        Method::POST,
        FB,
        &format!("/{other_id}/subscriptions"),
        &[
            ("object", "instagram"),
            ("callback_url", &receiver2.url("/h")),
            ("verify_token", VERIFY_TOKEN),
            ("fields", "comments"),
        ],
        other["app_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let r = s.event(&account, "comments", None).await;
    let by_app = |r: &Value, app: &str| -> Value {
        r["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["app_id"] == json!(app))
            .cloned()
            .unwrap()
    };
    assert_eq!(by_app(&r, s.app_id())["status"], json!("pending"));
    assert_eq!(
        by_app(&r, other_id)["reason"],
        json!("the token lacks the permission instagram_business_manage_comments that comments notifications need")
    );

    // Standard Access only (004 L2254, 003 L54).
    let standard = s
        .server
        .post_control("/apps", json!({"name": "Standard"}))
        .await;
    let standard_id = standard["id"].as_str().unwrap();
    let token = s
        .server
        .token(standard_id, &account, "instagram", None)
        .await;
    graph(
        &s.server,
        Method::POST,
        IG,
        &format!("/{account}/subscribed_apps"),
        &[("subscribed_fields", "comments")],
        &token,
    )
    .await;
    graph(
        &s.server,
        Method::POST,
        FB,
        &format!("/{standard_id}/subscriptions"),
        &[
            ("object", "instagram"),
            ("callback_url", &receiver2.url("/s")),
            ("verify_token", VERIFY_TOKEN),
            ("fields", "comments"),
        ],
        standard["app_token"].as_str().unwrap(),
    )
    .await;
    let r = s.event(&account, "comments", None).await;
    assert_eq!(
        by_app(&r, standard_id)["reason"],
        json!("the app has Standard Access only: comments notifications with Instagram Login need Advanced Access")
    );

    // story_insights does not exist with Instagram Login (004 L2444, 001 L5076).
    let r = s.event(&account, "story_insights", None).await;
    assert_eq!(
        by_app(&r, s.app_id())["reason"],
        json!("the field story_insights is not available with Instagram Login")
    );

    // The media's owner is private (004 L2267, 003 L45): a mention on a private person's media.
    let private = s
        .server
        .post_control(
            "/people",
            json!({"username": "secretive", "is_private": true}),
        )
        .await;
    // The app's two comments go out before its subscription changes to mentions only
    // below (a delivery still waiting then would no longer be subscribed).
    wait_for!("the delivered comments", s.receiver.received().len() == 2);
    s.configure(&s.receiver.url("/h"), Some("mentions")).await;
    let r = s
        .event(
            &account,
            "mentions",
            Some(json!({"media_id": "17918195224117851", "media_owner_id": private["id"]})),
        )
        .await;
    assert_eq!(
        by_app(&r, s.app_id())["reason"],
        json!(
            "the media's owner is private: no mentions notifications for media of private accounts"
        )
    );

    // The log hides skipped deliveries unless asked, and shows them beside the others.
    // The app itself got the two comments recorded after the account enabled it.
    wait_for!("the delivered comments", s.receiver.received().len() == 2);
    wait_for!(
        "their delivered state",
        s.deliveries("").await["counts"]["delivered"] == json!(2)
    );
    let plain = s.deliveries("").await;
    assert!(plain["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["status"] != json!("skipped")));
    let all = s.deliveries("?include=skipped").await;
    let statuses: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains(&"skipped") && statuses.contains(&"delivered"),
        "{statuses:?}"
    );
    let skipped = s.deliveries("?status=skipped&limit=1000").await;
    assert_eq!(
        skipped["data"].as_array().unwrap().len() as i64,
        all["counts"]["skipped"].as_i64().unwrap()
    );
    let first = skipped["data"].as_array().unwrap().last().unwrap();
    assert!(first["reason"]
        .as_str()
        .unwrap()
        .starts_with("no app is connected"));
    assert_eq!(first["attempts"], json!([]));
    s.server.stop().await;
}

#[tokio::test]
async fn a_self_comment_carries_the_accounts_own_instagram_scoped_id() {
    // 000 L2510-2546 (self comment: from.id is the account's id, from.self_ig_scoped_id its
    // Instagram-scoped id), the same id self messaging uses as recipient.id (000 L2440-2474).
    let s = hooked().await;
    let media = s
        .server
        .post_control(
            &format!("/accounts/{}/media", s.account_id()),
            json!({"caption": "Ours"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let posted = graph(
        &s.server,
        Method::POST,
        IG,
        &format!("/v24.0/{media}/comments"),
        &[("message", "Thanks everyone")],
        &s.ig_token,
    )
    .await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.text);
    let comment = posted.body["id"].as_str().unwrap().to_string();
    wait_for!("the self comment", s.receiver.received().len() == 1);
    let value = s.receiver.received()[0].json["entry"][0]["changes"][0]["value"].clone();
    let scoped = value["from"]["self_ig_scoped_id"]
        .as_str()
        .expect("a self comment carries self_ig_scoped_id")
        .to_string();
    assert_ne!(scoped, s.account_id());
    assert_eq!(
        value,
        json!({
            "id": comment,
            "from": {"id": s.account_id(), "username": "dino.shop", "self_ig_scoped_id": scoped},
            "text": "Thanks everyone",
            "media": {"id": media, "media_product_type": "FEED"}
        })
    );
    assert_same_shape_any_order(
        &s.receiver.received()[0].json,
        &sample_body("000-webhook-comments-L2510"),
        "$",
    );
    // The account then messages itself in the app: the self thread's IGSID is the same id.
    let self_message = s
        .server
        .post_control(
            &format!("/accounts/{}/self_messages", s.account_id()),
            json!({"text": "note to self"}),
        )
        .await;
    assert_eq!(self_message["igsid"], json!(scoped));
    wait_for!("the self message", s.receiver.received().len() == 2);
    let messaging = &s.receiver.received()[1].json["entry"][0]["messaging"][0];
    assert_eq!(messaging["recipient"]["id"], json!(scoped));
    // And reading the comment shows it too (IGCommentFromUser.self_ig_scoped_id).
    let read = graph(
        &s.server,
        Method::GET,
        IG,
        &format!("/v24.0/{comment}"),
        &[("fields", "from{id,username,self_ig_scoped_id}")],
        &s.ig_token,
    )
    .await;
    assert_eq!(
        read.body["from"],
        json!({"id": s.account_id(), "username": "dino.shop", "self_ig_scoped_id": scoped})
    );
    // Someone else's comment has none.
    let person = s
        .server
        .post_control("/people", json!({"username": "visitor"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let theirs = s
        .server
        .post_control(
            &format!("/people/{person}/comments"),
            json!({"media_id": media, "text": "hi"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let read = graph(
        &s.server,
        Method::GET,
        IG,
        &format!("/v24.0/{theirs}"),
        &[("fields", "from{self_ig_scoped_id}")],
        &s.ig_token,
    )
    .await;
    assert_eq!(
        read.body,
        json!({"from": {"id": read.body["from"]["id"]}, "id": theirs})
    );
    assert!(read.body["from"].get("self_ig_scoped_id").is_none());
}
