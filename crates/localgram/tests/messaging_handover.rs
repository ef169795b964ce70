//! The Handover Protocol (8.14): a conversation passed between apps (ref 004 L214-219, 002
//! L244), its webhook fields `messaging_handover` and `standby` (004 L2436, L2443, 000
//! L2356-2368). The reference names the protocol and the fields only; the calls, payloads and
//! rules are Meta's public Messenger Platform Handover Protocol (docs/decisions.md).

mod common;
#[path = "webhooks/receiver.rs"]
mod receiver;
#[macro_use]
#[path = "messaging/support.rs"]
mod support;

use support::*;

const FIELDS: &str = "messages,messaging_handover,standby";
const INBOX: &str = "1217981644879628";

/// One app on the account: its id, Instagram token and webhook receiver.
struct Side {
    id: String,
    token: String,
    receiver: Receiver,
}

/// Configures `app`'s Instagram webhooks on a loopback receiver and enables it on the account
/// with `token` (Instagram Login).
async fn hook(c: &Chat, app: &Value, token: &str) -> Receiver {
    let receiver = Receiver::start("verify-me").await;
    receiver.trust(app["instagram_app_secret"].as_str().unwrap());
    receiver.trust(app["secret"].as_str().unwrap());
    let app_token = app["app_token"].as_str().unwrap();
    ok(&c
        .server
        .graph(
            Method::POST,
            &format!("/v24.0/{}/subscriptions", app["id"].as_str().unwrap()),
        )
        .on(FB)
        .form(&[
            ("object", "instagram"),
            ("callback_url", receiver.url("/webhooks").as_str()),
            ("verify_token", "verify-me"),
            ("fields", FIELDS),
            ("access_token", app_token),
        ])
        .send()
        .await);
    ok(&c
        .server
        .graph(
            Method::POST,
            &format!("/v24.0/{}/subscribed_apps", c.account()),
        )
        .on(IG)
        .form(&[("subscribed_fields", "messages"), ("access_token", token)])
        .send()
        .await);
    receiver
}

/// The bot (the world's app) and a second app (a human agents' inbox), both connected.
async fn two_apps(c: &Chat) -> (Side, Side) {
    let bot_token = c.world.ig_token.clone();
    let bot = Side {
        id: c.world.app_id().to_string(),
        receiver: hook(c, &c.world.app, &bot_token).await,
        token: bot_token,
    };
    let second = c.server.new_app("Agent Desk").await;
    let id = second["id"].as_str().unwrap().to_string();
    let token = c.server.token(&id, c.account(), "instagram", None).await;
    let agents = Side {
        receiver: hook(c, &second, &token).await,
        id,
        token,
    };
    (bot, agents)
}

/// `POST /{account}/{edge}` on graph.instagram.com as `side`.
async fn control(c: &Chat, side: &Side, edge: &str, body: Value) -> Answer {
    c.send_as(
        &side.token,
        IG,
        &format!("/v24.0/{}/{edge}", c.account()),
        body,
    )
    .await
}

async fn owner(c: &Chat, side: &Side, igsid: &str) -> Answer {
    c.server
        .get_ig(
            &format!("/v24.0/{}/thread_owner?recipient={igsid}", c.account()),
            &side.token,
        )
        .await
}

/// Every (carrier, item) the receiver got, in arrival order.
fn items(receiver: &Receiver) -> Vec<(String, Value)> {
    receiver
        .updates()
        .into_iter()
        .map(|(_, kind, item)| (kind, item))
        .collect()
}

/// Waits until the receiver got `n` items.
async fn got(receiver: &Receiver, n: usize) -> Vec<(String, Value)> {
    wait_for!(format!("{n} webhook items"), items(receiver).len() >= n);
    items(receiver)
}

async fn set_roles(c: &Chat, body: Value) -> Value {
    c.server
        .post_control(&format!("/accounts/{}/handover", c.account()), body)
        .await
}

fn assert_handover_error(answer: &Answer, message: &str) {
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    let e = &answer.body["error"];
    assert_eq!(e["type"], json!("IGApiException"), "{}", answer.text);
    assert_eq!(e["code"], json!(10), "{}", answer.text);
    assert_eq!(e["message"], json!(format!("(#10) {message}")));
}

#[tokio::test]
async fn without_a_primary_receiver_every_app_gets_every_message_and_no_control_exists() {
    // ref 004 L214-219: handover is what passes a conversation between apps; until an
    // account gives apps roles, each connected app gets the messages (004 L2246-2272).
    let c = chat().await;
    let (bot, agents) = two_apps(&c).await;
    let (person, igsid) = talking(&c, "ana").await;
    let _ = person;
    for side in [&bot, &agents] {
        let seen = got(&side.receiver, 1).await;
        assert_eq!(seen[0].0, "messaging");
        assert_eq!(seen[0].1["message"]["text"], json!("hi"));
    }
    for (edge, body) in [
        (
            "pass_thread_control",
            json!({"recipient": {"id": igsid}, "target_app_id": agents.id}),
        ),
        ("take_thread_control", json!({"recipient": {"id": igsid}})),
        (
            "request_thread_control",
            json!({"recipient": {"id": igsid}}),
        ),
    ] {
        assert_handover_error(
            &control(&c, &bot, edge, body).await,
            "The Handover Protocol is not set up for this account: it has no primary receiver app",
        );
    }
    assert_handover_error(
        &owner(&c, &bot, &igsid).await,
        "The Handover Protocol is not set up for this account: it has no primary receiver app",
    );
    // Both apps may answer.
    ok(&c
        .send_as(
            &agents.token,
            IG,
            &format!("/v24.0/{}/messages", c.account()),
            json!({"recipient": {"id": igsid}, "message": {"text": "agent"}}),
        )
        .await);
    ok(&c.text_to(&igsid, "bot").await);
}

#[tokio::test]
async fn thread_control_passes_between_the_primary_and_a_secondary_receiver() {
    let c = chat().await;
    let (bot, agents) = two_apps(&c).await;
    let (person, igsid) = talking(&c, "ana").await;
    got(&bot.receiver, 1).await;
    got(&agents.receiver, 1).await;

    // The account makes the bot primary and the agents' app secondary; both apps are told
    // (Meta's `app_roles`: no sender, the recipient is the account).
    let roles = set_roles(
        &c,
        json!({"primary_receiver_app_id": bot.id, "secondary_receiver_app_ids": [agents.id]}),
    )
    .await;
    assert_eq!(roles["primary_receiver_app_id"], json!(bot.id));
    assert_eq!(roles["secondary_receiver_app_ids"], json!([agents.id]));
    assert_eq!(roles["threads"], json!([]));
    for side in [&bot, &agents] {
        let (kind, item) = got(&side.receiver, 2).await[1].clone();
        assert_eq!(kind, "messaging");
        assert_eq!(keys(&item), ["recipient", "timestamp", "app_roles"]);
        assert_eq!(item["recipient"]["id"], json!(c.account()));
        assert_eq!(
            item["app_roles"],
            json!({bot.id.clone(): ["primary_receiver"], agents.id.clone(): ["secondary_receiver"]})
        );
    }

    // The primary receiver controls the conversation: it gets the message, the other app
    // its standby copy (ref 004 L2443).
    c.says(&person, "where is my order?").await;
    let (kind, item) = got(&bot.receiver, 3).await[2].clone();
    assert_eq!(
        (kind.as_str(), item["message"]["text"].clone()),
        ("messaging", json!("where is my order?"))
    );
    let (kind, standby) = got(&agents.receiver, 3).await[2].clone();
    assert_eq!(kind, "standby");
    assert_eq!(standby["message"], item["message"]);
    assert_eq!(standby["sender"]["id"], json!(igsid));
    let answer = owner(&c, &agents, &igsid).await;
    ok(&answer);
    assert_eq!(
        answer.body,
        json!({"data": [{"thread_owner": {"app_id": bot.id}}]})
    );
    // The skipped rows say why.
    let rows = c.deliveries("messages").await;
    let skipped = rows
        .iter()
        .find(|r| r["status"] == json!("skipped") && r["app_id"] == json!(agents.id))
        .expect("the agents' app skipped under messages");
    assert!(
        skipped["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("controlled by app {}", bot.id)),
        "{skipped}"
    );

    // The secondary cannot answer, pass, or take; it may ask.
    let reply = json!({"recipient": {"id": igsid}, "message": {"text": "agent here"}});
    let send_path = format!("/v24.0/{}/messages", c.account());
    assert_handover_error(
        &c.send_as(&agents.token, IG, &send_path, reply.clone()).await,
        "This app does not control the conversation: only the thread owner can pass thread control or send messages",
    );
    assert_handover_error(
        &control(&c, &agents, "pass_thread_control", json!({"recipient": {"id": igsid}, "target_app_id": bot.id})).await,
        "This app does not control the conversation: only the thread owner can pass thread control or send messages",
    );
    assert_handover_error(
        &control(
            &c,
            &agents,
            "take_thread_control",
            json!({"recipient": {"id": igsid}}),
        )
        .await,
        "Only the primary receiver app can take thread control",
    );
    let asked = control(
        &c,
        &agents,
        "request_thread_control",
        json!({"recipient": {"id": igsid}, "metadata": "customer asked for a human"}),
    )
    .await;
    ok(&asked);
    assert_eq!(asked.body, json!({"success": true}));
    // Only the controlling app hears the request.
    let (kind, item) = got(&bot.receiver, 4).await[3].clone();
    assert_eq!(kind, "messaging");
    assert_eq!(
        item["request_thread_control"],
        json!({"requested_owner_app_id": agents.id, "metadata": "customer asked for a human"})
    );
    assert_eq!(item["sender"]["id"], json!(igsid));
    assert_eq!(item["recipient"]["id"], json!(c.account()));
    assert_handover_error(
        &control(
            &c,
            &bot,
            "request_thread_control",
            json!({"recipient": {"id": igsid}}),
        )
        .await,
        "This app already controls the conversation",
    );

    // The bot passes the conversation; both apps are told.
    assert_error(
        &control(
            &c,
            &bot,
            "pass_thread_control",
            json!({"recipient": {"id": igsid}, "target_app_id": "999"}),
        )
        .await,
        100,
        None,
        "target_app_id",
    );
    assert_error(
        &control(
            &c,
            &bot,
            "pass_thread_control",
            json!({"recipient": {"id": igsid}}),
        )
        .await,
        100,
        None,
        "target_app_id",
    );
    let passed = control(
        &c,
        &bot,
        "pass_thread_control",
        json!({"recipient": {"id": igsid}, "target_app_id": agents.id, "metadata": "order #12"}),
    )
    .await;
    ok(&passed);
    assert_eq!(passed.body, json!({"success": true}));
    for (side, n) in [(&bot, 5), (&agents, 4)] {
        let (kind, item) = got(&side.receiver, n).await[n - 1].clone();
        assert_eq!(kind, "messaging");
        assert_eq!(
            item["pass_thread_control"],
            json!({"new_owner_app_id": agents.id, "previous_owner_app_id": bot.id, "metadata": "order #12"})
        );
    }
    assert_eq!(
        owner(&c, &bot, &igsid).await.body,
        json!({"data": [{"thread_owner": {"app_id": agents.id}}]})
    );

    // Now the agents' app gets the messages and answers; the bot is on standby.
    c.says(&person, "thanks").await;
    assert_eq!(got(&agents.receiver, 5).await[4].0, "messaging");
    assert_eq!(got(&bot.receiver, 6).await[5].0, "standby");
    ok(&c
        .send_as(&agents.token, IG, &send_path, reply.clone())
        .await);
    assert_handover_error(
        &c.text_to(&igsid, "bot again").await,
        "This app does not control the conversation: only the thread owner can pass thread control or send messages",
    );
    // The echo of the agents' reply follows the same routing.
    let (kind, echo) = got(&agents.receiver, 6).await[5].clone();
    assert_eq!(
        (kind.as_str(), echo["message"]["is_echo"].clone()),
        ("messaging", json!(true))
    );
    assert_eq!(got(&bot.receiver, 7).await[6].0, "standby");

    // The primary receiver takes it back.
    ok(&control(
        &c,
        &bot,
        "take_thread_control",
        json!({"recipient": {"id": igsid}, "metadata": "resolved"}),
    )
    .await);
    let (_, item) = got(&bot.receiver, 8).await[7].clone();
    assert_eq!(
        item["take_thread_control"],
        json!({"new_owner_app_id": bot.id, "previous_owner_app_id": agents.id, "metadata": "resolved"})
    );
    assert_eq!(
        owner(&c, &agents, &igsid).await.body,
        json!({"data": [{"thread_owner": {"app_id": bot.id}}]})
    );
    ok(&c.text_to(&igsid, "bot again").await);

    // The control API shows each conversation's recorded controller.
    let state = c
        .server
        .control_api(Method::GET, &format!("/accounts/{}/handover", c.account()))
        .send()
        .await;
    assert_eq!(state.body["threads"][0]["igsid"], json!(igsid));
    assert_eq!(state.body["threads"][0]["owner_app_id"], json!(bot.id));
    assert_eq!(state.body["inbox_app_id"], json!(INBOX));
}

#[tokio::test]
async fn the_instagram_inbox_takes_and_passes_back_conversations() {
    // ref 004 L216-219: one app automates, then passes the conversation to where a human
    // answers. Meta's Instagram inbox is a target every account has.
    let c = chat().await;
    let (bot, agents) = two_apps(&c).await;
    let (person, igsid) = talking(&c, "ana").await;
    set_roles(&c, json!({"primary_receiver_app_id": bot.id})).await;
    got(&bot.receiver, 2).await;
    ok(&control(
        &c,
        &bot,
        "pass_thread_control",
        json!({"recipient": {"id": igsid}, "target_app_id": INBOX}),
    )
    .await);
    assert_eq!(
        owner(&c, &bot, &igsid).await.body,
        json!({"data": [{"thread_owner": {"app_id": INBOX}}]})
    );
    // While a person answers in the app, every app gets standby.
    c.says(&person, "a human please").await;
    let seen = got(&bot.receiver, 4).await;
    assert_eq!(seen[3].0, "standby");
    // The agents' app has no role: it cannot act on the thread.
    assert_handover_error(
        &control(
            &c,
            &agents,
            "request_thread_control",
            json!({"recipient": {"id": igsid}}),
        )
        .await,
        "This app is neither the primary nor a secondary receiver of the account's conversations",
    );
    // The inbox passes it back (by default to the primary receiver).
    let back = c
        .server
        .post_control(
            &format!("/accounts/{}/handover/inbox", c.account()),
            json!({"igsid": igsid, "action": "pass", "metadata": "done"}),
        )
        .await;
    assert_eq!(back["threads"][0]["owner_app_id"], json!(bot.id));
    let (_, item) = got(&bot.receiver, 5).await[4].clone();
    assert_eq!(
        item["pass_thread_control"],
        json!({"new_owner_app_id": bot.id, "previous_owner_app_id": INBOX, "metadata": "done"})
    );
    // The inbox takes it when a person answers in the app.
    c.server
        .post_control(
            &format!("/accounts/{}/handover/inbox", c.account()),
            json!({"igsid": igsid, "action": "take"}),
        )
        .await;
    let (_, item) = got(&bot.receiver, 6).await[5].clone();
    assert_eq!(
        item["take_thread_control"],
        json!({"new_owner_app_id": INBOX, "previous_owner_app_id": bot.id})
    );
    // Bad control calls are refused clearly.
    for (body, status) in [
        (
            json!({"igsid": igsid, "action": "steal"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"igsid": "nobody", "action": "take"}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let answer = c
            .server
            .control_api(
                Method::POST,
                &format!("/accounts/{}/handover/inbox", c.account()),
            )
            .json(body)
            .send()
            .await;
        assert_eq!(answer.status, status, "{}", answer.text);
    }
    for (body, status) in [
        (
            json!({"secondary_receiver_app_ids": [agents.id]}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"primary_receiver_app_id": bot.id, "secondary_receiver_app_ids": [bot.id]}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"primary_receiver_app_id": "424242"}),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({"primary_receiver_app_id": INBOX}),
            StatusCode::CONFLICT,
        ),
    ] {
        let answer = c
            .server
            .control_api(Method::POST, &format!("/accounts/{}/handover", c.account()))
            .json(body)
            .send()
            .await;
        assert_eq!(answer.status, status, "{}", answer.text);
    }
}

#[tokio::test]
async fn secondary_receivers_and_facebook_login_through_the_page() {
    let c = chat().await;
    let (bot, agents) = two_apps(&c).await;
    let (_, igsid) = talking(&c, "ana").await;
    set_roles(
        &c,
        json!({"primary_receiver_app_id": bot.id, "secondary_receiver_app_ids": [agents.id]}),
    )
    .await;
    let path = format!("/v24.0/{}/secondary_receivers", c.account());
    let list = c.server.get_ig(&path, &bot.token).await;
    ok(&list);
    assert_eq!(
        list.body,
        json!({"data": [{"id": agents.id, "name": "Agent Desk"}]})
    );
    let names = c
        .server
        .get_ig(&format!("{path}?fields=name"), &bot.token)
        .await;
    assert_eq!(names.body, json!({"data": [{"name": "Agent Desk"}]}));
    assert_handover_error(
        &c.server.get_ig(&path, &agents.token).await,
        "Only the primary receiver app can list the secondary receivers",
    );
    // An IGSID the account does not know.
    assert_error(
        &owner(&c, &bot, "1234567890123456").await,
        100,
        Some(2534014),
        "The requested user cannot be found.",
    );
    // Facebook Login: the same calls on the Page with a Page token (as the Send API).
    let page_token = c.page_token().await;
    let page = c.world.page_id().to_string();
    let answer = c
        .server
        .get_fb(
            &format!("/v24.0/{page}/thread_owner?recipient={igsid}"),
            &page_token,
        )
        .await;
    ok(&answer);
    assert_eq!(
        answer.body,
        json!({"data": [{"thread_owner": {"app_id": bot.id}}]})
    );
    let passed = c
        .send_as(
            &page_token,
            FB,
            &format!("/v24.0/{page}/pass_thread_control"),
            json!({"recipient": {"id": igsid}, "target_app_id": agents.id}),
        )
        .await;
    ok(&passed);
    let answer = c
        .server
        .get_fb(
            &format!("/v24.0/{page}/thread_owner?recipient={igsid}"),
            &page_token,
        )
        .await;
    assert_eq!(
        answer.body,
        json!({"data": [{"thread_owner": {"app_id": agents.id}}]})
    );
    // With Facebook Login the refusal is an OAuthException.
    let again = c
        .send_as(
            &page_token,
            FB,
            &format!("/v24.0/{page}/pass_thread_control"),
            json!({"recipient": {"id": igsid}, "target_app_id": agents.id}),
        )
        .await;
    assert_eq!(again.body["error"]["type"], json!("OAuthException"));
    assert_eq!(again.body["error"]["code"], json!(10));
}
