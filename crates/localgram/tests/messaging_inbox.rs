//! Messaging, reading: conversations and messages, and the User Profile API.
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

// ----- conversations and messages ----------------------------------------------------------

async fn listed(c: &Chat) -> usize {
    let answer = c
        .get(&format!("/v24.0/{}/conversations", c.account()))
        .await;
    answer.body["data"].as_array().unwrap().len()
}

#[tokio::test]
async fn conversations_are_listed_newest_first_and_paged() {
    // ref 000 L1834-1935 (samples 000-ig-user-conversations-get-L1834 and -L1901).
    let c = chat().await;
    let mut people = Vec::new();
    for name in ["p1", "p2", "p3", "p4", "p5"] {
        let person = c.person(name).await;
        c.says(&person, "hello").await;
        c.advance(MINUTE).await;
        people.push(person);
    }
    // A reply counts as activity: p2 comes first.
    let p2 = c.igsid(&people[1]).await;
    ok(&c.text_to(&p2, "hi p2").await);
    let mut expected = Vec::new();
    for p in [&people[1], &people[4], &people[3], &people[2], &people[0]] {
        expected.push(
            c.thread(p).await["conversation_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let first = c
        .get(&format!(
            "/v24.0/{}/conversations?platform=instagram&limit=2",
            c.account()
        ))
        .await;
    ok(&first);
    assert_same_shape_any_order(
        &first.body,
        &sample("000-ig-user-conversations-get-L1834")["response"],
        "list",
    );
    assert_eq!(keys(&first.body["data"][0]), ["id", "updated_time"]);
    assert_eq!(
        first.body["data"][0]["updated_time"],
        json!("2026-03-02T09:05:00+0000")
    );
    let mut seen: Vec<String> = Vec::new();
    let mut page = first;
    loop {
        seen.extend(
            page.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string()),
        );
        let Some(next) = page.body["paging"]["next"].as_str() else {
            break;
        };
        let next = next.replacen("http://graph.instagram.com", &c.server.base, 1);
        page = c.server.graph(Method::GET, &next).on(IG).send().await;
        ok(&page);
    }
    assert_eq!(seen, expected, "newest activity first, each once");
    // One customer per conversation (ref 000 L384): the account and the person.
    let participants = c
        .get(&format!("/v24.0/{}?fields=participants", expected[0]))
        .await;
    assert_eq!(
        participants.body["participants"],
        json!({"data": [{"username": "metricsaurus", "id": c.account()}, {"username": "p2", "id": p2}]})
    );
    // /me/conversations, and one person's conversation by user_id without paging.
    ok(&c.get("/v24.0/me/conversations?platform=instagram").await);
    let one = c
        .get(&format!(
            "/v24.0/{}/conversations?user_id={p2}",
            c.account()
        ))
        .await;
    assert_eq!(
        one.body,
        json!({"data": [{"id": expected[0], "updated_time": "2026-03-02T09:05:00+0000"}]})
    );
    assert_same_shape_any_order(
        &one.body,
        &sample("000-ig-user-conversations-get-L1901")["response"],
        "by user",
    );
    assert_eq!(
        c.get(&format!(
            "/v24.0/{}/conversations?user_id=5299999999999999",
            c.account()
        ))
        .await
        .body,
        json!({"data": []})
    );
    assert_error(
        &c.get(&format!(
            "/v24.0/{}/conversations?platform=messenger",
            c.account()
        ))
        .await,
        100,
        None,
        "platform must be one of",
    );
    c.server.stop().await;
}

#[tokio::test]
async fn messages_come_newest_first_in_send_order() {
    // ref 000 L1936-2010 (sample 000-conversation-get-L1936): messages newest first; with the
    // clock frozen, messages of the same millisecond keep their send order.
    let c = chat().await;
    let (ana, igsid) = talking(&c, "ana").await;
    let mut sent = vec![c.thread(&ana).await["data"][0]["mid"]
        .as_str()
        .unwrap()
        .to_string()];
    for i in 0..7 {
        if i % 2 == 0 {
            sent.push(
                c.text_to(&igsid, &format!("out {i}")).await.body["message_id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        } else {
            sent.push(c.says(&ana, &format!("in {i}")).await);
        }
    }
    sent.reverse();
    let conversation = c.thread(&ana).await["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();
    let read = c
        .get(&format!("/v24.0/{conversation}?fields=messages"))
        .await;
    ok(&read);
    let shaped = c
        .get(&format!("/v24.0/{conversation}?fields=messages.limit(7)"))
        .await;
    assert_same_shape_any_order(
        &shaped.body,
        &sample("000-conversation-get-L1936")["response"],
        "messages",
    );
    assert_eq!(
        keys(&read.body["messages"]["data"][0]),
        ["id", "created_time", "is_unsupported"]
    );
    let ids: Vec<&str> = read.body["messages"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, sent);
    // Requested subfields are honoured (seed000 §16 item 13, decisions.md).
    let from_to = c
        .get(&format!(
            "/v24.0/{conversation}?fields=messages.limit(3){{from,to}}"
        ))
        .await;
    let first = &from_to.body["messages"]["data"][0];
    assert_eq!(
        first["from"],
        json!({"username": "metricsaurus", "id": c.account()})
    );
    assert_eq!(
        first["to"],
        json!({"data": [{"username": "ana", "id": igsid}]})
    );
    assert_eq!(keys(first), ["from", "to", "id"]);
    // Cursor pages through the messages edge, newest first, nothing repeated or lost.
    let mut got: Vec<String> = Vec::new();
    let mut page = c
        .get(&format!("/v24.0/{conversation}/messages?limit=3"))
        .await;
    loop {
        ok(&page);
        got.extend(
            page.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_string()),
        );
        let Some(next) = page.body["paging"]["next"].as_str() else {
            break;
        };
        let next = next.replacen("http://graph.instagram.com", &c.server.base, 1);
        page = c.server.graph(Method::GET, &next).on(IG).send().await;
    }
    assert_eq!(got, sent);
    c.server.stop().await;
}

#[tokio::test]
async fn a_message_reads_with_its_details() {
    // ref 000 L2011-2055 (sample 000-message-get-L2011).
    let c = chat().await;
    let ana = c.person("ana").await;
    let story = c
        .server
        .post_control(
            &format!("/accounts/{}/media", c.account()),
            json!({"media_type": "IMAGE", "media_product_type": "STORY"}),
        )
        .await;
    let story_id = story["id"].as_str().unwrap().to_string();
    let mid = c.says(&ana, "hi").await;
    let read = c
        .get(&format!(
            "/v23.0/{mid}?fields=id,created_time,from,to,message"
        ))
        .await;
    ok(&read);
    assert_same_shape_any_order(
        &read.body,
        &sample("000-message-get-L2011")["response"],
        "message",
    );
    assert_eq!(
        keys(&read.body),
        ["id", "created_time", "from", "to", "message"]
    );
    let igsid = c.igsid(&ana).await;
    assert_eq!(read.body["from"], json!({"username": "ana", "id": igsid}));
    assert_eq!(
        read.body["to"],
        json!({"data": [{"username": "metricsaurus", "id": c.account()}]})
    );
    assert_eq!(read.body["message"], json!("hi"));
    assert_eq!(read.body["created_time"], json!("2026-03-02T09:00:00+0000"));
    // A story reply, a shared post (only its URL, ref 000 L1828-1830), an image.
    let reply = c
        .says_with(
            &ana,
            json!({"text": "Love this story", "story_id": story_id}),
        )
        .await["mid"]
        .as_str()
        .unwrap()
        .to_string();
    let story_read = c.get(&format!("/v24.0/{reply}?fields=story,message")).await;
    assert_eq!(story_read.body["story"]["reply_to"]["id"], json!(story_id));
    let notified = c.last_notification("messages").await;
    assert_eq!(
        notified["message"]["reply_to"]["story"]["id"],
        json!(story_id)
    );
    let shared = c.says_with(&ana, json!({"attachments": [{"type": "share", "url": "https://cdn.example/post.jpg"}, {"type": "image", "url": "https://cdn.example/a.jpg"}]})).await["mid"].as_str().unwrap().to_string();
    let shared_read = c
        .get(&format!(
            "/v24.0/{shared}?fields=message,attachments,shares"
        ))
        .await;
    assert_eq!(shared_read.body["message"], json!(""));
    assert_eq!(
        shared_read.body["shares"],
        json!({"data": [{"link": "https://cdn.example/post.jpg"}]})
    );
    assert_eq!(
        shared_read.body["attachments"],
        json!({"data": [{"image_data": {"url": "https://cdn.example/a.jpg", "preview_url": "https://cdn.example/a.jpg"}}]})
    );
    // Reactions by the person show with their IGSID.
    c.server
        .post_control(
            &format!("/people/{ana}/reactions"),
            json!({"account_id": c.account(), "mid": mid}),
        )
        .await;
    let reactions = c.get(&format!("/v24.0/{mid}?fields=reactions")).await;
    assert_eq!(
        reactions.body["reactions"],
        json!({"data": [{"reaction": "love", "users": [{"username": "ana", "id": igsid}]}]})
    );
    // An unsent message is gone from the API; an unknown mid is nobody's.
    let Answer { status, .. } = c
        .server
        .control_api(Method::DELETE, &format!("/messages/{shared}"))
        .send()
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_error(
        &c.get(&format!("/v24.0/{shared}")).await,
        100,
        Some(33),
        "does not exist",
    );
    assert_error(
        &c.get(&format!("/v24.0/{MID_PREFIX}AAAA")).await,
        100,
        Some(33),
        "does not exist",
    );
    // Another account's token sees nothing of it.
    assert_error(
        &c.server
            .get_ig(&format!("/v24.0/{mid}"), &c.world.creator_token)
            .await,
        100,
        Some(33),
        "does not exist",
    );
    c.server.stop().await;
}

#[tokio::test]
async fn inbox_folders_and_idle_requests() {
    // ref 000 L341-352 and 004 L202-212: followers start in Primary, others in Requests, an
    // API reply moves the conversation to General; Requests idle 30 days are not returned
    // (000 L386, L1832).
    let c = chat().await;
    let fan = c.person("fan").await;
    let stranger = c.person("stranger").await;
    let answered = c.person("answered").await;
    c.server
        .post_control(
            &format!("/people/{fan}/relationships"),
            json!({"account_id": c.account(), "follows_account": true}),
        )
        .await;
    c.says(&fan, "hi").await;
    c.says(&stranger, "hi").await;
    c.says(&answered, "hi").await;
    assert_eq!(c.thread(&fan).await["folder"], json!("primary"));
    assert_eq!(c.thread(&stranger).await["folder"], json!("requests"));
    assert_eq!(c.thread(&answered).await["read_by_account"], json!(false));
    ok(&c.text_to(&c.igsid(&answered).await, "hello!").await);
    assert_eq!(c.thread(&answered).await["folder"], json!("general"));
    c.advance(30.0 * DAY - MINUTE).await;
    assert_eq!(listed(&c).await, 3);
    c.advance(2.0 * MINUTE).await;
    assert_eq!(listed(&c).await, 2, "the idle request is hidden");
    let hidden = c.thread(&stranger).await["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_error(
        &c.get(&format!("/v24.0/{hidden}")).await,
        100,
        Some(33),
        "does not exist",
    );
    let by_user = c
        .get(&format!(
            "/v24.0/{}/conversations?user_id={}",
            c.account(),
            c.igsid(&stranger).await
        ))
        .await;
    assert_eq!(by_user.body, json!({"data": []}));
    // A new message from them brings it back.
    c.says(&stranger, "anyone?").await;
    assert_eq!(listed(&c).await, 3);
    c.server.stop().await;
}

// ----- the User Profile API ----------------------------------------------------------------

#[tokio::test]
async fn the_profile_shows_what_the_reference_lists() {
    // ref 000 L1581-1736 (sample 000-igsid-get-L1707, no fields: every field, in its order).
    let c = chat().await;
    let stories = c
        .server
        .post_control("/people", json!({"username": "stories.in.store", "name": "Stories Store", "followers_count": 1,
            "profile_picture_url": "https://scontent-iad3-2.cdninstagram.com/v/t51.2885-19/4494.jpg?oe=68BDB031"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    c.says(&stories, "hi").await;
    let igsid = c.igsid(&stories).await;
    let profile = c.get(&format!("/v23.0/{igsid}")).await;
    ok(&profile);
    let expected = sample("000-igsid-get-L1707")["response"].clone();
    assert_eq!(keys(&profile.body), keys(&expected));
    assert_eq!(
        profile.body,
        json!({
        "name": "Stories Store", "username": "stories.in.store",
        "profile_pic": "https://scontent-iad3-2.cdninstagram.com/v/t51.2885-19/4494.jpg?oe=68BDB031",
        "is_verified_user": false, "follower_count": 1, "is_user_follow_business": false,
        "is_business_follow_user": false, "id": igsid})
    );
    // The flags follow the relationship and the badge; a missing picture is null (L1704-1705).
    c.server.post_control(&format!("/people/{stories}/relationships"), json!({"account_id": c.account(), "follows_account": true, "followed_by_account": true})).await;
    c.server
        .post_control(
            &format!("/people/{stories}/verified"),
            json!({"is_verified_user": true}),
        )
        .await;
    let fields = c.get(&format!("/v24.0/{igsid}?fields=name,username,profile_pic,follower_count,is_user_follow_business,is_business_follow_user,is_verified_user")).await;
    assert_eq!(fields.body["is_user_follow_business"], json!(true));
    assert_eq!(fields.body["is_business_follow_user"], json!(true));
    assert_eq!(fields.body["is_verified_user"], json!(true));
    let plain = c.person("plain").await;
    c.says(&plain, "hi").await;
    let plain_profile = c
        .get(&format!(
            "/v24.0/{}?fields=profile_pic",
            c.igsid(&plain).await
        ))
        .await;
    assert_eq!(plain_profile.body["profile_pic"], Value::Null);
    assert_error(
        &c.get(&format!("/v24.0/{igsid}?fields=email")).await,
        100,
        None,
        "nonexisting field (email)",
    );
    // A person who blocked the account cannot be seen or messaged (L1641-1645).
    c.server
        .post_control(
            &format!("/people/{stories}/relationships"),
            json!({"account_id": c.account(), "blocked": true}),
        )
        .await;
    assert_error(
        &c.get(&format!("/v24.0/{igsid}")).await,
        100,
        Some(33),
        "does not exist",
    );
    assert_error(
        &c.text_to(&igsid, "hi").await,
        551,
        Some(1545041),
        "This person isn't available right now.",
    );
    // IGSIDs are per account: another account's token does not see this one.
    assert_error(
        &c.server
            .get_ig(&format!("/v24.0/{igsid}"), &c.world.creator_token)
            .await,
        100,
        Some(33),
        "does not exist",
    );
    // The messaging permission is needed.
    let basic = c
        .server
        .token(
            c.world.app_id(),
            c.account(),
            "instagram",
            Some(vec!["instagram_business_basic"]),
        )
        .await;
    assert_error(
        &c.server
            .get_ig(&format!("/v24.0/{}", c.igsid(&plain).await), &basic)
            .await,
        10,
        None,
        "permission",
    );
    c.server.stop().await;
}

// ----- object fields expand (issue #11) ------------------------------------------------------

/// A person who wrote, the conversation's id and the mid of the message.
async fn one_message(c: &Chat, username: &str, text: &str) -> (String, String, String) {
    let person = c.person(username).await;
    let mid = c.says(&person, text).await;
    let list = c
        .get(&format!(
            "/v24.0/{}/conversations?user_id={}",
            c.account(),
            c.igsid(&person).await
        ))
        .await;
    ok(&list);
    let conversation = list.body["data"][0]["id"].as_str().unwrap().to_string();
    (person, conversation, mid)
}

#[tokio::test]
async fn a_messages_from_expands_like_a_node() {
    // ref 000 L2033-2036: `from` is an object {username, id}; `from{id,username}` selects its
    // fields (it answered "Field from is not an object" before).
    let c = chat().await;
    let (ana, _, mid) = one_message(&c, "ana", "hi").await;
    let igsid = c.igsid(&ana).await;
    let both = c
        .get(&format!("/v24.0/{mid}?fields=from{{id,username}}"))
        .await;
    ok(&both);
    assert_eq!(
        both.body,
        json!({"from": {"id": igsid, "username": "ana"}, "id": mid})
    );
    // One subfield; `id` comes along as it does for nodes.
    let name = c
        .get(&format!("/v24.0/{mid}?fields=from{{username}}"))
        .await;
    assert_eq!(name.body["from"], json!({"username": "ana", "id": igsid}));
    let id = c.get(&format!("/v24.0/{mid}?fields=from{{id}}")).await;
    assert_eq!(id.body["from"], json!({"id": igsid}));
    // Unknown subfields get Meta's error for the object's type.
    assert_error(
        &c.get(&format!("/v24.0/{mid}?fields=from{{email_address}}"))
            .await,
        100,
        None,
        "Tried accessing nonexisting field (email_address) on node type (InstagramUser)",
    );
    assert_error(
        &c.get(&format!("/v24.0/{mid}?fields=from{{id{{x}}}}")).await,
        100,
        None,
        "Field id is not an object and cannot have subfields",
    );
    c.server.stop().await;
}

#[tokio::test]
async fn a_messages_to_expands_each_recipient() {
    // ref 000 L2037-2046: `to` is data[{username, id}].
    let c = chat().await;
    let (_, _, mid) = one_message(&c, "ana", "hi").await;
    let to = c.get(&format!("/v24.0/{mid}?fields=to{{id}}")).await;
    ok(&to);
    assert_eq!(to.body["to"], json!({"data": [{"id": c.account()}]}));
    let names = c.get(&format!("/v24.0/{mid}?fields=to{{username}}")).await;
    assert_eq!(
        names.body["to"],
        json!({"data": [{"username": "metricsaurus", "id": c.account()}]})
    );
    c.server.stop().await;
}

#[tokio::test]
async fn a_conversations_participants_expand() {
    // ref 000 L1936-1948: participants are data[{username, id}].
    let c = chat().await;
    let (ana, conversation, _) = one_message(&c, "ana", "hi").await;
    let igsid = c.igsid(&ana).await;
    let read = c
        .get(&format!(
            "/v24.0/{conversation}?fields=participants{{username}}"
        ))
        .await;
    ok(&read);
    assert_eq!(
        read.body["participants"],
        json!({"data": [
            {"username": "metricsaurus", "id": c.account()},
            {"username": "ana", "id": igsid}
        ]})
    );
    // Nested through the conversation's messages too.
    let nested = c
        .get(&format!(
            "/v24.0/{conversation}?fields=messages{{from{{username}},to{{id}}}}"
        ))
        .await;
    ok(&nested);
    assert_eq!(
        nested.body["messages"]["data"][0]["from"],
        json!({"username": "ana", "id": igsid})
    );
    assert_eq!(
        nested.body["messages"]["data"][0]["to"],
        json!({"data": [{"id": c.account()}]})
    );
    c.server.stop().await;
}

#[tokio::test]
async fn a_messages_attachments_shares_story_and_reactions_expand() {
    // The list and object fields of a message (ref 000 L1936-2055; decisions.md: Meta's
    // public Conversations API for attachments, reactions, shares and story).
    let c = chat().await;
    let ana = c.person("ana").await;
    let story = c
        .server
        .post_control(
            &format!("/accounts/{}/media", c.account()),
            json!({"media_type": "IMAGE", "media_product_type": "STORY"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let shared = c.says_with(&ana, json!({"attachments": [{"type": "share", "url": "https://cdn.example/post.jpg"}, {"type": "image", "url": "https://cdn.example/a.jpg"}]})).await["mid"].as_str().unwrap().to_string();
    let attachments = c
        .get(&format!(
            "/v24.0/{shared}?fields=attachments{{image_data{{url}}}},shares{{link}}"
        ))
        .await;
    ok(&attachments);
    assert_eq!(
        attachments.body["attachments"],
        json!({"data": [{"image_data": {"url": "https://cdn.example/a.jpg"}}]})
    );
    assert_eq!(
        attachments.body["shares"],
        json!({"data": [{"link": "https://cdn.example/post.jpg"}]})
    );
    let reply = c
        .says_with(&ana, json!({"text": "Love it", "story_id": story}))
        .await["mid"]
        .as_str()
        .unwrap()
        .to_string();
    let story_read = c
        .get(&format!("/v24.0/{reply}?fields=story{{reply_to{{id}}}}"))
        .await;
    ok(&story_read);
    assert_eq!(story_read.body["story"], json!({"reply_to": {"id": story}}));
    c.server
        .post_control(
            &format!("/people/{ana}/reactions"),
            json!({"account_id": c.account(), "mid": reply}),
        )
        .await;
    let igsid = c.igsid(&ana).await;
    let reactions = c
        .get(&format!(
            "/v24.0/{reply}?fields=reactions{{reaction,users{{id}}}}"
        ))
        .await;
    ok(&reactions);
    assert_eq!(
        reactions.body["reactions"],
        json!({"data": [{"reaction": "love", "users": [{"id": igsid}]}]})
    );
    assert_error(
        &c.get(&format!("/v24.0/{reply}?fields=reactions{{emoji}}"))
            .await,
        100,
        None,
        "Tried accessing nonexisting field (emoji) on node type (MessageReaction)",
    );
    c.server.stop().await;
}

#[tokio::test]
async fn a_conversation_answers_the_sdks_unified_thread_fields() {
    // ref 000 L1834-1935 (id, updated_time, participants, messages) and the rest of Meta's
    // UnifiedThread fields an Instagram conversation has (decisions.md): message_count,
    // unread_count, snippet, can_reply, senders, former_participants. Messenger's group and
    // inbox fields are outside localgram's model and say so.
    let c = chat().await;
    let (ana, conversation, _) = one_message(&c, "ana", "hi").await;
    let igsid = c.igsid(&ana).await;
    c.says(&ana, "are you open today?").await;
    let fields = "message_count,unread_count,snippet,can_reply,senders,former_participants";
    let read = c
        .get(&format!("/v24.0/{conversation}?fields={fields}"))
        .await;
    ok(&read);
    assert_eq!(
        read.body,
        json!({
            "message_count": 2,
            "unread_count": 2,
            "snippet": "are you open today?",
            "can_reply": true,
            "senders": {"data": [{"username": "ana", "id": igsid}]},
            "former_participants": {"data": []},
            "id": conversation
        })
    );
    // The account answers: its message is the snippet, and it is a sender too.
    ok(&c.text_to(&igsid, "Until 6pm!").await);
    let read = c
        .get(&format!(
            "/v24.0/{conversation}?fields=message_count,snippet,senders{{username}}"
        ))
        .await;
    assert_eq!(read.body["message_count"], json!(3));
    assert_eq!(read.body["snippet"], json!("Until 6pm!"));
    assert_eq!(
        read.body["senders"],
        json!({"data": [{"username": "metricsaurus", "id": c.account()}, {"username": "ana", "id": igsid}]})
    );
    // A day later the window has closed: the account cannot reply.
    c.advance(DAY + MINUTE).await;
    let read = c
        .get(&format!("/v24.0/{conversation}?fields=can_reply"))
        .await;
    assert_eq!(read.body["can_reply"], json!(false));
    let wallpaper = c
        .get(&format!("/v24.0/{conversation}?fields=wallpaper"))
        .await;
    assert_eq!(wallpaper.status.as_u16(), 501);
    assert_eq!(
        wallpaper.error().3,
        "localgram does not implement wallpaper yet; see docs/coverage.md"
    );
    c.server.stop().await;
}
