//! Messaging, sending: the Send API and its windows and consent, private replies, every body kind
//! and its limits, and the Attachment Upload API.
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

// ----- the Send API ------------------------------------------------------------------------

#[tokio::test]
async fn a_person_starts_the_conversation_and_the_app_replies() {
    let c = chat().await;
    let ana = c.person("ana.sousa").await;
    // Before the person writes, the account cannot start a conversation (ref 000 L337-339).
    let mid = c.says(&ana, "Hi! Do you ship to Lisbon?").await;
    assert!(mid.starts_with(MID_PREFIX), "{mid}");
    let igsid = c.igsid(&ana).await;
    assert!(igsid.starts_with("52") && igsid.len() == 16, "{igsid}");

    // The inbound notification, shaped like sample 000-webhook-messaging-message-L2584.
    let inbound = c.last_notification("messages").await;
    let sample_item =
        &sample("000-webhook-messaging-message-L2584")["response"]["entry"][0]["messaging"][0];
    assert_same_shape_any_order(&inbound, sample_item, "messages");
    assert_eq!(inbound["sender"]["id"], json!(igsid));
    assert_eq!(inbound["recipient"]["id"], json!(c.account()));
    assert_eq!(
        inbound["message"],
        json!({"mid": mid, "text": "Hi! Do you ship to Lisbon?"})
    );

    // The reply: {recipient_id, message_id} as samples 000-ig-user-messages-post-L402 and
    // -L722 show them.
    let reply = c.text_to(&igsid, "Yes, in 2 days.").await;
    ok(&reply);
    assert_same_shape_any_order(
        &reply.body,
        &sample("000-ig-user-messages-post-L722")["response"],
        "send",
    );
    assert_eq!(reply.body["recipient_id"], json!(igsid));
    let reply_mid = reply.body["message_id"].as_str().unwrap().to_string();
    assert!(reply_mid.starts_with(MID_PREFIX) && reply_mid != mid);

    // Its echo: is_echo, is_self false, sender the account (ref 000 L2440-2474).
    let echo = c.last_notification("messages").await;
    assert_eq!(echo["sender"]["id"], json!(c.account()));
    assert_eq!(echo["recipient"]["id"], json!(igsid));
    assert_eq!(
        echo["message"],
        json!({"mid": reply_mid, "text": "Yes, in 2 days.", "is_echo": true, "is_self": false})
    );
    assert!(echo["timestamp"].as_i64().unwrap() > 1_700_000_000_000);

    // /me/messages is the same edge (ref 000 L1809-1813 for /me).
    let me = c
        .send_as(
            &c.world.ig_token,
            IG,
            "/v24.0/me/messages",
            json!({"recipient": {"id": igsid}, "message": {"text": "Anything else?"}}),
        )
        .await;
    ok(&me);
    let thread = c.thread(&ana).await;
    let texts: Vec<&str> = thread["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Hi! Do you ship to Lisbon?",
            "Yes, in 2 days.",
            "Anything else?"
        ]
    );
    c.server.stop().await;
}

#[tokio::test]
async fn replies_follow_the_24_hour_window() {
    // ref 004 L198: "Your app can use the API to respond within 24 hours".
    let c = chat().await;
    let ana = c.person("ana").await;
    c.says(&ana, "hello").await;
    let igsid = c.igsid(&ana).await;
    c.advance(23.0 * HOUR + 59.0 * MINUTE).await;
    ok(&c.text_to(&igsid, "at 23h59m").await);
    c.advance(2.0 * MINUTE).await;
    let late = c.text_to(&igsid, "at 24h01m").await;
    assert_outside_window(&late);
    // A refused send stores nothing and notifies nothing.
    assert_eq!(c.thread(&ana).await["data"].as_array().unwrap().len(), 2);
    // A new message from the person opens a new window.
    c.says(&ana, "still there?").await;
    ok(&c.text_to(&igsid, "yes").await);
    c.server.stop().await;
}

#[tokio::test]
async fn the_human_agent_tag_allows_7_days() {
    // ref 004 L198 and 002 L117-120: the human agent tag, 7 days; body 000 L875-902.
    let c = chat().await;
    let ana = c.person("ana").await;
    c.says(&ana, "my order is late").await;
    let igsid = c.igsid(&ana).await;
    c.advance(DAY + MINUTE).await;
    let tagged = json!({"recipient": {"id": igsid}, "message": {"text": "Your doctor visit is scheduled"}, "tag": "HUMAN_AGENT"});
    assert_outside_window(&c.text_to(&igsid, "untagged at 24h01m").await);
    ok(&c.send(tagged.clone()).await);
    c.advance(6.0 * DAY - 2.0 * MINUTE).await; // 6d23h59m after the person's message
    ok(&c.send(tagged.clone()).await);
    c.advance(2.0 * MINUTE).await; // 7d00h01m
    assert_outside_window(&c.send(tagged.clone()).await);
    assert_eq!(c.thread(&ana).await["data"][1]["tag"], json!("HUMAN_AGENT"));
    // Instagram takes no other tag.
    let other = c
        .send(
            json!({"recipient": {"id": igsid}, "message": {"text": "x"}, "tag": "ACCOUNT_UPDATE"}),
        )
        .await;
    assert_error(&other, 100, None, "Param tag must be one of {HUMAN_AGENT}");
    c.server.stop().await;
}

#[tokio::test]
async fn a_commenter_who_never_wrote_gives_no_consent() {
    // ref 000 L1585-1590: consent comes from a message, an ice breaker or a menu tap; a comment
    // alone gets "User consent is required to access user profile." for messages and profile.
    let c = chat().await;
    let sam = c.person("sam_tries").await;
    let media = c
        .server
        .post_control(
            &format!("/accounts/{}/media", c.account()),
            json!({"caption": "New roast"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let comment = c
        .server
        .post_control(
            &format!("/people/{sam}/comments"),
            json!({"media_id": media, "text": "price?"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let from = c.get(&format!("/v24.0/{comment}?fields=from")).await;
    let igsid = from.body["from"]["id"].as_str().unwrap().to_string();

    assert_consent_required(&c.text_to(&igsid, "Hi Sam").await);
    assert_consent_required(&c.get(&format!("/v24.0/{igsid}?fields=name")).await);
    // An IGSID that is not the account's is no one it can message.
    let unknown = c.text_to("5299999999999999", "hi").await;
    assert_error(
        &unknown,
        100,
        Some(2534014),
        "The requested user cannot be found.",
    );

    // After a message, the profile reads and replies go out.
    c.says(&sam, "how much is it?").await;
    assert_eq!(
        c.igsid(&sam).await,
        igsid,
        "the same IGSID as in the comment"
    );
    let profile = c.get(&format!("/v24.0/{igsid}?fields=name,username")).await;
    ok(&profile);
    assert_eq!(
        profile.body,
        json!({"name": "SAM_TRIES", "username": "sam_tries", "id": igsid})
    );
    ok(&c.text_to(&igsid, "12 euros").await);
    c.server.stop().await;
}

#[tokio::test]
async fn a_postback_opens_the_window_and_gives_consent() {
    // ref 000 L1270-1290: after a menu tap "You have 24 hours to respond"; L1585-1590.
    let c = chat().await;
    let ana = c.person("ana").await;
    let tap = c
        .server
        .post_control(
            &format!("/people/{ana}/postbacks"),
            json!({"account_id": c.account(), "title": "Talk to an agent", "payload": "CARE_HELP"}),
        )
        .await;
    let igsid = c.igsid(&ana).await;
    let postback = c.last_notification("messaging_postbacks").await;
    assert_same_shape_any_order(
        &postback,
        &sample("000-webhook-messaging-postback-L2652")["response"]["entry"][0]["messaging"][0],
        "postback",
    );
    assert_eq!(
        postback["postback"],
        json!({"title": "Talk to an agent", "payload": "CARE_HELP", "mid": tap["mid"]})
    );
    ok(&c.get(&format!("/v24.0/{igsid}")).await);
    c.advance(23.0 * HOUR + 59.0 * MINUTE).await;
    ok(&c.text_to(&igsid, "An agent will answer").await);
    c.advance(2.0 * MINUTE).await;
    assert_outside_window(&c.text_to(&igsid, "late").await);
    c.server.stop().await;
}

// ----- private replies ---------------------------------------------------------------------

async fn post_and_comment(c: &Chat, person: &str, text: &str) -> (String, String) {
    let media = c
        .server
        .post_control(
            &format!("/accounts/{}/media", c.account()),
            json!({"caption": "Sale"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let comment = c
        .server
        .post_control(
            &format!("/people/{person}/comments"),
            json!({"media_id": media, "text": text}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    (media, comment)
}

#[tokio::test]
async fn one_private_reply_per_comment_within_7_days() {
    // ref 001 L2494-2497, 004 L2907-2910; body and answer 000 L774-808, 001 L2501-2519.
    let c = chat().await;
    let sam = c.person("sam").await;
    let (media, first) = post_and_comment(&c, &sam, "Interested!").await;
    let reply = c
        .send(json!({"recipient": {"comment_id": first}, "message": {"text": "It is cool"}}))
        .await;
    ok(&reply);
    assert_same_shape_any_order(
        &reply.body,
        &sample("000-ig-user-messages-post-L774")["response"],
        "private reply",
    );
    let igsid = c.get(&format!("/v24.0/{first}?fields=from")).await.body["from"]["id"].clone();
    assert_eq!(reply.body["recipient_id"], igsid, "the commenter's IGSID");
    // The second private reply to the same comment is refused.
    let again = c
        .send(json!({"recipient": {"comment_id": first}, "message": {"text": "Hello again"}}))
        .await;
    assert_error(
        &again,
        100,
        Some(2534025),
        "The comment is invalid for a private reply",
    );
    // The echo went out; the reply is in the thread with its comment.
    let thread = c.thread(&sam).await;
    assert_eq!(thread["data"][0]["comment_id"], json!(first));
    assert_eq!(thread["consent"], json!(false));

    // 7 days: a comment 6d23h59m old takes one, one 7d00h01m old does not.
    let second = c
        .server
        .post_control(
            &format!("/people/{sam}/comments"),
            json!({"media_id": media, "text": "Still on?"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let third = c
        .server
        .post_control(
            &format!("/people/{sam}/comments"),
            json!({"media_id": media, "text": "And now?"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    c.advance(6.0 * DAY + 23.0 * HOUR + 59.0 * MINUTE).await;
    ok(&c
        .send(json!({"recipient": {"comment_id": second}, "message": {"text": "Yes!"}}))
        .await);
    c.advance(2.0 * MINUTE).await;
    let stale = c
        .send(json!({"recipient": {"comment_id": third}, "message": {"text": "Too late"}}))
        .await;
    assert_error(&stale, 100, Some(2534025), "invalid for a private reply");

    // Follow-ups only once the person answers, and within 24 hours of the answer (ref 001
    // L2497): before it there is no consent.
    let igsid = igsid.as_str().unwrap().to_string();
    assert_consent_required(&c.text_to(&igsid, "follow-up").await);
    c.says(&sam, "what sizes?").await;
    ok(&c.text_to(&igsid, "S to XL").await);
    c.advance(DAY + MINUTE).await;
    assert_outside_window(&c.text_to(&igsid, "late follow-up").await);
    c.server.stop().await;
}

#[tokio::test]
async fn private_replies_need_the_comment_permission_and_a_persons_comment() {
    // ref 001 L2477-2486, 004 L2902: instagram_business_manage_comments, not messages.
    let c = chat().await;
    let sam = c.person("sam").await;
    let (media, comment) = post_and_comment(&c, &sam, "hi").await;
    let comments_only = c
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
    let messages_only = c
        .server
        .token(
            c.world.app_id(),
            c.account(),
            "instagram",
            Some(vec![
                "instagram_business_basic",
                "instagram_business_manage_messages",
            ]),
        )
        .await;
    let path = format!("/v24.0/{}/messages", c.account());
    let body = json!({"recipient": {"comment_id": comment}, "message": {"text": "Thanks"}});
    assert_error(
        &c.send_as(&messages_only, IG, &path, body.clone()).await,
        10,
        None,
        "does not have permission",
    );
    ok(&c.send_as(&comments_only, IG, &path, body).await);
    // The account's own comment is no one to reply to privately.
    let own = c
        .server
        .post_control(
            &format!("/accounts/{}/comments", c.account()),
            json!({"media_id": media, "text": "Welcome"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = c
        .send(json!({"recipient": {"comment_id": own}, "message": {"text": "x"}}))
        .await;
    assert_error(&refused, 100, Some(2534025), "invalid for a private reply");
    // Facebook Login: the Page token on graph.facebook.com (ref 001 L2455-2470).
    let (_, other) = post_and_comment(&c, &sam, "again").await;
    let page_token = c.page_token().await;
    let fbl = c
        .send_as(
            &page_token,
            FB,
            &path,
            json!({"recipient": {"comment_id": other}, "message": {"text": "Via the Page"}}),
        )
        .await;
    ok(&fbl);
    // There the IG User's edge takes private replies only; messages go through the Page.
    let igsid = fbl.body["recipient_id"].as_str().unwrap().to_string();
    c.says(&sam, "hey").await;
    let direct = c
        .send_as(
            &page_token,
            FB,
            &path,
            json!({"recipient": {"id": igsid}, "message": {"text": "x"}}),
        )
        .await;
    assert_error(&direct, 100, None, "/{page-id}/messages");
    let via_page = c
        .send_as(
            &page_token,
            FB,
            &format!("/v24.0/{}/messages", c.world.page_id()),
            json!({"recipient": {"id": igsid}, "message": {"text": "From the Page"}}),
        )
        .await;
    ok(&via_page);
    let via_me = c
        .send_as(
            &page_token,
            FB,
            "/v24.0/me/messages",
            json!({"recipient": {"id": igsid}, "message": {"text": "From /me"}}),
        )
        .await;
    ok(&via_me);
    c.server.stop().await;
}

#[tokio::test]
async fn private_replies_to_live_comments_only_while_on_air() {
    // ref 001 L2496, 004 L2909.
    let c = chat().await;
    let sam = c.person("sam").await;
    let live = c
        .server
        .post_control(&format!("/accounts/{}/live", c.account()), json!({}))
        .await;
    let live_id = live["id"].as_str().unwrap().to_string();
    let on_air = c
        .server
        .post_control(
            &format!("/people/{sam}/comments"),
            json!({"media_id": live_id, "text": "wow"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let later = c
        .server
        .post_control(
            &format!("/people/{sam}/comments"),
            json!({"media_id": live_id, "text": "again"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&c.send(json!({"recipient": {"comment_id": on_air}, "message": {"text": "Thanks for watching"}})).await);
    let Answer { status, body, .. } = c
        .server
        .control_api(Method::DELETE, &format!("/accounts/{}/live", c.account()))
        .send()
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = c
        .send(json!({"recipient": {"comment_id": later}, "message": {"text": "Too late"}}))
        .await;
    assert_error(&after, 100, Some(2534025), "invalid for a private reply");
    c.server.stop().await;
}

// ----- every body kind and its limits ------------------------------------------------------

#[tokio::test]
async fn every_documented_body_is_sent_stored_and_echoed() {
    let c = chat().await;
    let (ana, igsid) = talking(&c, "ana").await;
    let to = json!({"id": igsid});
    let attachment = |kind: &str, url: String| json!({"recipient": to, "message": {"attachment": {"type": kind, "payload": {"url": url}}}});
    // Image or GIF, audio, video (ref 000 L542-651) and a file (public docs).
    for (kind, file) in [
        ("image", "cat.png"),
        ("image", "loop.gif"),
        ("audio", "song.m4a"),
        ("video", "clip.mp4"),
        ("file", "menu.pdf"),
    ] {
        let sent = c.send(attachment(kind, c.file(file))).await;
        ok(&sent);
        assert_eq!(keys(&sent.body), ["recipient_id", "message_id"]);
        let echo = c.last_notification("messages").await;
        assert_eq!(
            echo["message"]["attachments"],
            json!([{"type": kind, "payload": {"url": c.file(file)}}]),
            "{kind}"
        );
        assert_eq!(echo["message"]["is_echo"], json!(true));
    }
    // The sticker (ref 000 L652-691; the sample's answer is a copy error, seed000 §16 item 2).
    let heart = c
        .send(json!({"recipient": to, "message": {"attachment": {"type": "like_heart"}}}))
        .await;
    ok(&heart);
    assert_eq!(keys(&heart.body), ["recipient_id", "message_id"]);
    assert_eq!(
        c.last_notification("messages").await["message"]["attachments"][0]["type"],
        json!("like_heart")
    );
    // Quick replies (ref 000 L722-773): the person taps one; its payload comes back.
    let qr = c.send(json!({"recipient": to, "messaging_type": "RESPONSE", "message": {"text": "Pick a size", "quick_replies": [
        {"content_type": "text", "title": "Small", "payload": "SIZE_S"},
        {"content_type": "text", "title": "Large", "payload": "SIZE_L"}]}})).await;
    ok(&qr);
    let tapped = c
        .says_with(
            &ana,
            json!({"text": "Large", "quick_reply_payload": "SIZE_L"}),
        )
        .await;
    let inbound = c.last_notification("messages").await;
    assert_eq!(
        inbound["message"],
        json!({"mid": tapped["mid"], "text": "Large", "quick_reply": {"payload": "SIZE_L"}})
    );
    // Button template (ref 000 L428-474, unquoted id accepted, seed000 §16 item 3).
    let button = c
        .server
        .graph(Method::POST, &format!("/v24.0/{}/messages", c.account()))
        .on(IG)
        .bearer(&c.world.ig_token)
        .header("Content-Type", "application/json")
        .body(format!(r#"{{"recipient":{{"id":{igsid}}},"message":{{"attachment":{{"type":"template","payload":{{"template_type":"button","text":"What next?","buttons":[{{"type":"web_url","url":"https://shop.example/a","title":"Shop"}},{{"type":"postback","title":"Talk to us","payload":"TALK"}}]}}}}}}}}"#))
        .send()
        .await;
    ok(&button);
    assert_eq!(
        c.last_notification("messages").await["message"]["text"],
        json!("What next?")
    );
    // Generic template: cards with image, text and buttons (ref 000 L392-426).
    let generic = c.send(json!({"recipient": to, "message": {"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": [
        {"title": "Summer shirt", "subtitle": "Linen", "image_url": c.file("cat.png"), "buttons": [{"type": "postback", "title": "Buy", "payload": "BUY_1"}]},
        {"title": "Winter coat", "subtitle": "Wool", "default_action": {"type": "web_url", "url": "https://shop.example/coat"}}]}}}})).await;
    ok(&generic);
    let echo = c.last_notification("messages").await;
    assert_eq!(
        echo["message"]["attachments"],
        json!([
        {"type": "template", "payload": {"url": c.file("cat.png"), "title": "Summer shirt"}},
        {"type": "template", "payload": {"url": "https://shop.example/coat", "title": "Winter coat"}}])
    );
    // A published post of the account (ref 000 L842-874, type upper case); not another's.
    let post = c
        .server
        .post_control(
            &format!("/accounts/{}/media", c.account()),
            json!({"caption": "New in"}),
        )
        .await;
    let share = c.send(json!({"recipient": to, "message": {"attachment": {"type": "MEDIA_SHARE", "payload": {"id": post["id"]}}}})).await;
    ok(&share);
    assert_eq!(
        c.last_notification("messages").await["message"]["attachments"][0]["type"],
        json!("share")
    );
    let creators = c
        .server
        .post_control(
            &format!(
                "/accounts/{}/media",
                c.world.creator["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    let foreign = c.send(json!({"recipient": to, "message": {"attachment": {"type": "MEDIA_SHARE", "payload": {"id": creators["id"]}}}})).await;
    assert_error(&foreign, 100, None, "a post the account owns");

    // React and unreact (ref 000 L692-721): the answer has no message_id.
    let react = c.send(json!({"recipient": to, "sender_action": "react", "payload": {"message_id": tapped["mid"], "reaction": "love"}})).await;
    ok(&react);
    assert_eq!(react.body, json!({"recipient_id": igsid}));
    let reacted = c
        .get(&format!(
            "/v24.0/{}?fields=reactions",
            tapped["mid"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        reacted.body["reactions"],
        json!({"data": [{"reaction": "love", "users": [{"username": "metricsaurus", "id": c.account()}]}]})
    );
    ok(&c.send(json!({"recipient": to, "sender_action": "unreact", "payload": {"message_id": tapped["mid"]}})).await);
    assert!(c
        .get(&format!(
            "/v24.0/{}?fields=reactions",
            tapped["mid"].as_str().unwrap()
        ))
        .await
        .body
        .get("reactions")
        .is_none());
    let angry = c.send(json!({"recipient": to, "sender_action": "react", "payload": {"message_id": tapped["mid"], "reaction": "angry"}})).await;
    assert_error(&angry, 100, None, "payload[reaction] must be one of {love}");
    // Sender actions (004 L1128-1130): typing and mark_seen answer the recipient only.
    for action in ["typing_on", "typing_off", "mark_seen"] {
        let answer = c
            .send(json!({"recipient": to, "sender_action": action}))
            .await;
        ok(&answer);
        assert_eq!(answer.body, json!({"recipient_id": igsid}));
    }
    assert_error(
        &c.send(json!({"recipient": to, "sender_action": "typing_on", "message": {"text": "x"}}))
            .await,
        100,
        None,
        "Only one of message and sender_action",
    );

    // The person's view holds it all, in send order.
    let thread = c.thread(&ana).await;
    let data = thread["data"].as_array().unwrap();
    assert_eq!(data.len(), 12);
    assert_eq!(
        data[7]["quick_replies"],
        json!([{"title": "Small", "content_type": "text", "payload": "SIZE_S"}, {"title": "Large", "content_type": "text", "payload": "SIZE_L"}])
    );
    assert_eq!(data[9]["template"]["template_type"], json!("button"));
    assert_eq!(data[9]["template"]["buttons"].as_array().unwrap().len(), 2);
    assert_eq!(
        data[10]["template"]["elements"][1]["default_action"]["url"],
        json!("https://shop.example/coat")
    );
    assert_eq!(data[11]["share"]["media_id"], post["id"]);
    assert_eq!(thread["folder"], json!("general"));
    assert_eq!(thread["read_by_account"], json!(true));
    c.server.stop().await;
}

#[tokio::test]
async fn limits_get_metas_errors() {
    let c = chat().await;
    let (_, igsid) = talking(&c, "ana").await;
    let to = json!({"id": igsid});
    // Text: 1000 bytes (public docs).
    ok(&c.text_to(&igsid, &"a".repeat(1000)).await);
    assert_error(
        &c.text_to(&igsid, &"a".repeat(1001)).await,
        100,
        None,
        "Length of param message[text] must be less than or equal to 1000",
    );
    // Quick replies: 13 at most.
    let qr = |n: usize| {
        (0..n).map(|i| json!({"content_type": "text", "title": format!("Option {i}"), "payload": format!("P{i}")})).collect::<Vec<_>>()
    };
    ok(&c
        .send(json!({"recipient": to, "message": {"text": "Pick", "quick_replies": qr(13)}}))
        .await);
    assert_error(
        &c.send(json!({"recipient": to, "message": {"text": "Pick", "quick_replies": qr(14)}}))
            .await,
        100,
        None,
        "message[quick_replies] must have at most 13 items",
    );
    // Button template: up to three buttons (ref 000 L398-400).
    let buttons = |n: usize| {
        (0..n).map(|i| json!({"type": "postback", "title": format!("B{i}"), "payload": format!("P{i}")})).collect::<Vec<_>>()
    };
    let template = |b: Vec<Value>| json!({"recipient": to, "message": {"attachment": {"type": "template", "payload": {"template_type": "button", "text": "Pick", "buttons": b}}}});
    ok(&c.send(template(buttons(3))).await);
    assert_error(
        &c.send(template(buttons(4))).await,
        100,
        None,
        "[buttons] must have at most 3 items",
    );
    // Generic template: 10 elements.
    let cards = |n: usize| {
        (0..n)
            .map(|i| json!({"title": format!("Card {i}"), "subtitle": "s"}))
            .collect::<Vec<_>>()
    };
    let generic = |e: Vec<Value>| json!({"recipient": to, "message": {"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": e}}}});
    ok(&c.send(generic(cards(10))).await);
    assert_error(
        &c.send(generic(cards(11))).await,
        100,
        None,
        "[elements] must have at most 10 items",
    );
    // Attachments: type, reachability and size (images 8 MB).
    let image = |url: String| json!({"recipient": to, "message": {"attachment": {"type": "image", "payload": {"url": url}}}});
    assert_error(
        &c.send(image(c.file("big.png"))).await,
        100,
        Some(2018047),
        "Attachment size exceeds allowable limit",
    );
    assert_error(
        &c.send(image(c.file("page.png"))).await,
        100,
        Some(2018047),
        "not a supported image",
    );
    assert_error(
        &c.send(image(c.file("missing.png"))).await,
        100,
        Some(2018047),
        "HTTP 404",
    );
    assert_error(
        &c.send(image("not a url".into())).await,
        100,
        None,
        "must be a valid URL",
    );
    // A video may be larger than 8 MB: the limit is per kind.
    assert_error(
        &c.send(json!({"recipient": to, "message": {"attachment": {"type": "sticker"}}}))
            .await,
        100,
        None,
        "must be one of",
    );
    assert_error(&c.send(json!({"recipient": to, "message": {"text": "x", "attachment": {"type": "like_heart"}}})).await, 100, None, "Only one of message[text] and message[attachment]");
    assert_error(
        &c.send(json!({"recipient": to})).await,
        100,
        None,
        "The parameter message is required",
    );
    assert_error(
        &c.send(json!({"message": {"text": "x"}})).await,
        100,
        None,
        "The parameter recipient is required",
    );
    // The button template body as printed, a brace missing, is not JSON (seed000 §16.3).
    let printed = format!(
        r#"{{"recipient":{{"id":{igsid}}},"message":{{"attachment":{{"type":"template","payload":{{"template_type":"button","text":"Hi","buttons":[{{"type":"postback","title":"A","payload":"A"}}]}}}}}}"#
    );
    let broken = c
        .server
        .graph(Method::POST, &format!("/v24.0/{}/messages", c.account()))
        .on(IG)
        .bearer(&c.world.ig_token)
        .header("Content-Type", "application/json")
        .body(printed)
        .send()
        .await;
    assert_error(&broken, 100, None, "The request body could not be parsed");
    c.server.stop().await;
}

#[tokio::test]
async fn several_images_are_a_beta_some_accounts_lack() {
    // ref 004 L1122-1126: multi-image sending from November 3, 2025; 2534068 otherwise.
    let c = chat().await;
    let (_, igsid) = talking(&c, "ana").await;
    let images = json!({"recipient": {"id": igsid}, "message": {"attachments": [
        {"type": "image", "payload": {"url": c.file("cat.png")}},
        {"type": "image", "payload": {"url": c.file("loop.gif")}}]}});
    let sent = c.send(images.clone()).await;
    ok(&sent);
    assert_eq!(
        c.last_notification("messages").await["message"]["attachments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    c.server
        .post_control(
            &format!("/accounts/{}/messaging", c.account()),
            json!({"multi_image_send": false}),
        )
        .await;
    assert_error(
        &c.send(images.clone()).await,
        100,
        Some(2534068),
        "not available for this account",
    );
    // Before the beta, following the rollout date.
    c.server
        .post_control(
            &format!("/accounts/{}/messaging", c.account()),
            json!({"multi_image_send": null}),
        )
        .await;
    c.server
        .post_control("/clock", json!({"set": "2025-11-02T23:59:00Z"}))
        .await;
    let (_, bo) = talking(&c, "bo").await;
    let to_bo = |v: &Value| {
        let mut v = v.clone();
        v["recipient"]["id"] = json!(bo);
        v
    };
    assert_error(
        &c.send(to_bo(&images)).await,
        100,
        Some(2534068),
        "not available",
    );
    c.advance(2.0 * MINUTE).await;
    ok(&c.send(to_bo(&images)).await);
    // Only images go several at once, 10 at most.
    let eleven: Vec<Value> = (0..11)
        .map(|_| json!({"type": "image", "payload": {"url": c.file("cat.png")}}))
        .collect();
    assert_error(
        &c.send(json!({"recipient": {"id": bo}, "message": {"attachments": eleven}}))
            .await,
        100,
        None,
        "at most 10 items",
    );
    c.server.stop().await;
}

// ----- the Attachment Upload API -----------------------------------------------------------

#[tokio::test]
async fn uploaded_attachments_are_sent_by_id() {
    // ref 000 L1739-1774 (upload), L809-841 (send by attachment_id).
    let c = chat().await;
    let (ana, igsid) = talking(&c, "ana").await;
    let path = format!("/v24.0/{}/message_attachments", c.account());
    let upload = |body: Value| c.send_as(&c.world.ig_token, IG, &path, body);
    let reusable = upload(json!({"message": {"attachment": {"type": "image", "payload": {"url": c.file("cat.png"), "is_reusable": "true"}}}})).await;
    ok(&reusable);
    assert_eq!(keys(&reusable.body), ["attachment_id"]);
    let id = reusable.body["attachment_id"].as_str().unwrap().to_string();
    let by_id = |id: &str, kind: &str| json!({"recipient": {"id": igsid}, "message": {"attachment": {"type": kind, "payload": {"attachment_id": id}}}});
    ok(&c.send(by_id(&id, "image")).await);
    ok(&c.send(by_id(&id, "image")).await);
    assert_eq!(
        c.last_notification("messages").await["message"]["attachments"],
        json!([{"type": "image", "payload": {"url": c.file("cat.png")}}])
    );
    // Not reusable: sent once.
    let once = upload(json!({"message": {"attachment": {"type": "video", "payload": {"url": c.file("clip.mp4")}}}})).await;
    let once = once.body["attachment_id"].as_str().unwrap().to_string();
    ok(&c.send(by_id(&once, "video")).await);
    assert_error(
        &c.send(by_id(&once, "video")).await,
        100,
        None,
        "is_reusable false and was sent already",
    );
    // The type must match; unknown ids are refused.
    assert_error(
        &c.send(by_id(&id, "video")).await,
        100,
        None,
        "the ID of an uploaded video",
    );
    assert_error(
        &c.send(by_id("18100000000000000", "image")).await,
        100,
        None,
        "an attachment the account uploaded",
    );
    // From the local file system: a `filedata` part (public docs).
    let form = reqwest::multipart::Form::new()
        .text(
            "message",
            r#"{"attachment":{"type":"file","payload":{"is_reusable":true}}}"#,
        )
        .part(
            "filedata",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 menu".to_vec())
                .file_name("menu.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let uploaded = c
        .server
        .graph(Method::POST, &path)
        .on(IG)
        .bearer(&c.world.ig_token)
        .multipart(form)
        .send()
        .await;
    ok(&uploaded);
    let file_id = uploaded.body["attachment_id"].as_str().unwrap().to_string();
    ok(&c.send(by_id(&file_id, "file")).await);
    let url = c.last_notification("messages").await["message"]["attachments"][0]["payload"]["url"]
        .clone();
    assert_eq!(
        url,
        json!(format!(
            "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id={file_id}"
        ))
    );
    // Uploads are checked as sends are.
    let bad = upload(json!({"message": {"attachment": {"type": "image", "payload": {"url": c.file("big.png")}}}})).await;
    assert_error(
        &bad,
        100,
        Some(2018047),
        "Attachment size exceeds allowable limit",
    );
    // A reusable URL send also saves the asset and says its id.
    let saved = c.send(json!({"recipient": {"id": igsid}, "message": {"attachment": {"type": "audio", "payload": {"url": c.file("song.m4a"), "is_reusable": true}}}})).await;
    ok(&saved);
    assert_eq!(
        keys(&saved.body),
        ["recipient_id", "message_id", "attachment_id"]
    );
    let again = saved.body["attachment_id"].as_str().unwrap().to_string();
    ok(&c.send(by_id(&again, "audio")).await);
    assert_eq!(c.thread(&ana).await["data"].as_array().unwrap().len(), 7);
    c.server.stop().await;
}
