//! Webhooks, setting up: configuration and verification, and account subscriptions for both
//! logins.
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

// ----- configuration and verification -------------------------------------------------------

#[tokio::test]
async fn configuring_the_app_sends_the_verification_request_and_needs_the_echo() {
    // ref 004 L2282-2310: GET with hub.mode=subscribe, an int hub.challenge and the verify
    // token; the callback must answer with the challenge.
    let s = setup().await;
    let answer = s.configure(&s.receiver.url("/webhooks?app=1"), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body, json!({"success": true}));
    let verifications = s.receiver.verifications();
    assert_eq!(verifications.len(), 1);
    let query: Vec<(String, String)> = form_urlencoded::parse(verifications[0].as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(
        get("app").as_deref(),
        Some("1"),
        "the callback's own query is kept"
    );
    assert_eq!(get("hub.mode").as_deref(), Some("subscribe"));
    assert_eq!(get("hub.verify_token").as_deref(), Some(VERIFY_TOKEN));
    assert!(get("hub.challenge").unwrap().parse::<u32>().is_ok());

    // GET /{app-id}/subscriptions: the object, callback, active flag and the dashboard's
    // default fields (004 L761-770) with the version they were subscribed with.
    let listed = graph(
        &s.server,
        Method::GET,
        FB,
        &format!("/v24.0/{}/subscriptions", s.app_id()),
        &[],
        &s.app_token,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let defaults = [
        "comments",
        "live_comments",
        "message_reactions",
        "messages",
        "messaging_optins",
        "messaging_postbacks",
        "messaging_referral",
        "messaging_seen",
    ];
    assert_eq!(
        listed.body,
        json!({"data": [{
            "object": "instagram",
            "callback_url": s.receiver.url("/webhooks?app=1"),
            "active": true,
            "fields": defaults.iter().map(|f| json!({"name": f, "version": "v24.0"})).collect::<Vec<_>>(),
        }]})
    );
    s.server.stop().await;
}

#[tokio::test]
async fn a_failed_verification_is_an_error_to_the_caller() {
    let s = setup().await;
    let url = s.receiver.url("/webhooks");
    // The callback echoes something else: (#2201).
    s.receiver.set_verify(Verify::Say("hello".into()));
    let answer = s.configure(&url, None).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let (code, _, kind, message) = answer.error();
    assert_eq!((code, kind.as_str()), (2201, "OAuthException"));
    assert!(
        message.starts_with("(#2201) response does not match challenge, expected value=\"")
            && message.ends_with("\", received=\"hello\""),
        "{message}"
    );
    // The callback refuses (wrong verify token at the receiver): (#2200) with the status.
    s.receiver.set_verify(Verify::Echo("another token".into()));
    let answer = s.configure(&url, None).await;
    let (code, _, _, message) = answer.error();
    assert_eq!(code, 2200);
    assert_eq!(
        message,
        format!("(#2200) callback verification failed: Received HTTP code 403 from {url}")
    );
    // Nothing listens there.
    let closed = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap().port()
    };
    let answer = s
        .configure(&format!("http://127.0.0.1:{closed}/cb"), None)
        .await;
    assert_eq!(
        answer.error().3,
        "(#2200) callback verification failed: Couldn't connect to server"
    );
    // The callback hangs: the time limit.
    s.receiver.set_verify(Verify::Echo(VERIFY_TOKEN.into()));
    // Malformed URLs get a parameter error before any request.
    for bad in ["not a url", "ftp://127.0.0.1/x", "http://", "/relative"] {
        let answer = s.configure(bad, None).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            answer.error(),
            (
                100,
                None,
                "OAuthException".to_string(),
                "(#100) Param callback_url must be a valid URL".to_string()
            ),
            "{bad}"
        );
    }
    let answer = s.configure("https://127.0.0.1/cb", None).await;
    assert_eq!(answer.error().0, 2200);

    // The failed configuration is kept inactive, and events say why nothing went out.
    let listed = graph(
        &s.server,
        Method::GET,
        FB,
        &format!("/{}/subscriptions", s.app_id()),
        &[],
        &s.app_token,
    )
    .await;
    assert_eq!(listed.body["data"][0]["active"], json!(false));
    assert_eq!(s.subscribe_ig("comments").await.status, StatusCode::OK);
    let recorded = s.event(s.account_id(), "comments", None).await;
    let reason = recorded["deliveries"][0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("the callback failed verification: (#2200)"),
        "{reason}"
    );

    // A working configuration is not undone by a later failed one.
    assert_eq!(s.configure(&url, None).await.status, StatusCode::OK);
    s.receiver.set_verify(Verify::Status(500));
    assert_eq!(s.configure(&url, Some("mentions")).await.error().0, 2200);
    let listed = graph(
        &s.server,
        Method::GET,
        FB,
        &format!("/{}/subscriptions", s.app_id()),
        &[],
        &s.app_token,
    )
    .await;
    assert_eq!(listed.body["data"][0]["active"], json!(true));
    assert!(!listed.text.contains("mentions"));
    s.server.stop().await;
}

#[tokio::test]
async fn a_hanging_callback_fails_verification_within_the_time_limit() {
    let s = setup().await;
    let hanging = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", hanging.local_addr().unwrap());
    let answer = s.configure(&url, None).await;
    assert_eq!(
        answer.error().3,
        "(#2200) callback verification failed: Operation timed out after 1000 milliseconds with 0 bytes received"
    );
    drop(hanging);
    s.server.stop().await;
}

#[tokio::test]
async fn app_subscriptions_add_remove_and_validate_fields() {
    let s = setup().await;
    let url = s.receiver.url("/hook");
    assert_eq!(
        s.configure(&url, Some("comments")).await.status,
        StatusCode::OK
    );
    // Fields add up; include_values is kept.
    let answer = s
        .server.graph(Method::POST, &format!("/v24.0/{}/subscriptions", s.app_id())).on(Host::Facebook).bearer(&s.app_token).json(json!({"object": "instagram", "callback_url": url, "verify_token": VERIFY_TOKEN, "fields": ["mentions", "comments"]})).send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let path = format!("/v24.0/{}/subscriptions", s.app_id());
    async fn list(s: &Setup) -> Value {
        let path = format!("/v24.0/{}/subscriptions", s.app_id());
        graph(&s.server, Method::GET, FB, &path, &[], &s.app_token)
            .await
            .body
    }
    let names = |v: &Value| -> Vec<String> {
        v["data"][0]["fields"]
            .as_array()
            .map(|f| {
                f.iter()
                    .map(|x| x["name"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(names(&list(&s).await), ["comments", "mentions"]);
    // Unknown fields and objects are refused with Meta's wording.
    let answer = s.configure(&url, Some("comments,feeds")).await;
    let (code, _, _, message) = answer.error();
    assert_eq!(code, 100);
    assert!(
        message.starts_with("(#100) Param fields[1] must be one of {comments, live_comments, mentions, story_insights, messages,")
            && message.ends_with("} - got \"feeds\""),
        "{message}"
    );
    let answer = graph(
        &s.server,
        Method::POST,
        FB,
        &path,
        &[
            ("object", "page"),
            ("callback_url", &url),
            ("verify_token", "x"),
        ],
        &s.app_token,
    )
    .await;
    assert_eq!(
        answer.error().3,
        "(#100) Param object must be one of {instagram} - got \"page\""
    );
    let answer = graph(
        &s.server,
        Method::POST,
        FB,
        &path,
        &[("callback_url", &url)],
        &s.app_token,
    )
    .await;
    assert_eq!(answer.error().3, "(#100) The parameter object is required");
    // DELETE with fields removes those fields.
    let answer = graph(
        &s.server,
        Method::DELETE,
        FB,
        &path,
        &[("object", "instagram"), ("fields", "mentions")],
        &s.app_token,
    )
    .await;
    assert_eq!(answer.body, json!({"success": true}));
    assert_eq!(names(&list(&s).await), ["comments"]);
    // DELETE without fields removes the object's configuration.
    let answer = graph(
        &s.server,
        Method::DELETE,
        FB,
        &path,
        &[("object", "instagram")],
        &s.app_token,
    )
    .await;
    assert_eq!(answer.body, json!({"success": true}));
    assert_eq!(list(&s).await, json!({"data": []}));
    // Only the app's own token reaches the edge; a user token cannot.
    let answer = graph(&s.server, Method::GET, FB, &path, &[], &s.fb_token).await;
    assert_eq!(answer.error().0, 100);
    s.server.stop().await;
}

// ----- account subscriptions -----------------------------------------------------------------

#[tokio::test]
async fn instagram_login_accounts_subscribe_list_and_unsubscribe_the_app() {
    // ref 000 L2329-2421 (JSON array body of 11 fields), 004 L2387-2422 (comma list).
    let s = setup().await;
    let path = format!("/v24.0/{}/subscribed_apps", s.account_id());
    let body = json!({"subscribed_fields": ["messages", "messaging_postbacks", "messaging_seen", "messaging_handover", "messaging_referral", "message_reactions", "standby", "comments", "live_comments", "mentions", "story_insights"]});
    let answer = s
        .server
        .graph(Method::POST, &path)
        .on(Host::Instagram)
        .bearer(&s.ig_token)
        .json(&body)
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body, json!({"success": true}));
    let listed = graph(&s.server, Method::GET, IG, &path, &[], &s.ig_token).await;
    assert_eq!(
        listed.body,
        json!({"data": [{"name": "Moderator", "id": s.app_id(), "subscribed_fields": body["subscribed_fields"]}]})
    );
    // /me works the same way, and a comma list replaces the fields.
    let answer = graph(
        &s.server,
        Method::POST,
        IG,
        "/me/subscribed_apps",
        &[("subscribed_fields", "comments,messages")],
        &s.ig_token,
    )
    .await;
    assert_eq!(answer.body, json!({"success": true}));
    let listed = graph(&s.server, Method::GET, IG, &path, &[], &s.ig_token).await;
    assert_eq!(
        listed.body["data"][0]["subscribed_fields"],
        json!(["comments", "messages"])
    );
    // Errors: no fields, an unknown field, the Facebook Login token on the Instagram host.
    let answer = graph(&s.server, Method::POST, IG, &path, &[], &s.ig_token).await;
    assert_eq!(
        answer.error().3,
        "(#100) The parameter subscribed_fields is required"
    );
    let answer = graph(
        &s.server,
        Method::POST,
        IG,
        &path,
        &[("subscribed_fields", "comments,feed")],
        &s.ig_token,
    )
    .await;
    assert!(answer
        .error()
        .3
        .starts_with("(#100) Param subscribed_fields[1] must be one of {"));
    let answer = graph(&s.server, Method::GET, FB, &path, &[], &s.fb_token).await;
    assert_eq!(
        answer.error().3,
        "(#100) Tried accessing nonexisting field (subscribed_apps) on node type (ShadowIGUser)"
    );
    // DELETE stops the account's notifications (000 L2403).
    let answer = graph(&s.server, Method::DELETE, IG, &path, &[], &s.ig_token).await;
    assert_eq!(answer.body, json!({"success": true}));
    let listed = graph(&s.server, Method::GET, IG, &path, &[], &s.ig_token).await;
    assert_eq!(listed.body, json!({"data": []}));
    s.server.stop().await;
}

#[tokio::test]
async fn facebook_login_pages_subscribe_list_and_unsubscribe_the_app() {
    // ref 003 L87-129: POST /{page-id}/subscribed_apps?subscribed_fields=feed → success.
    let s = setup().await;
    let path = format!("/v19.0/{}/subscribed_apps", s.page_id());
    let answer = s
        .server
        .graph(Method::POST, &format!("{path}?subscribed_fields=feed"))
        .on(Host::Facebook)
        .token(&s.fb_token)
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body, json!({"success": true}));
    let listed = graph(&s.server, Method::GET, FB, &path, &[], &s.fb_token).await;
    assert_eq!(
        listed.body,
        json!({"data": [{"name": "Moderator", "id": s.app_id(), "subscribed_fields": ["feed"]}]})
    );
    // The Page edge needs pages_manage_metadata (003 L95).
    let limited = s
        .server
        .token(
            s.app_id(),
            s.account_id(),
            "facebook",
            Some(vec!["instagram_basic", "pages_show_list"]),
        )
        .await;
    let answer = graph(
        &s.server,
        Method::POST,
        FB,
        &path,
        &[("subscribed_fields", "feed")],
        &limited,
    )
    .await;
    assert_eq!(answer.error().0, 10);
    let answer = graph(&s.server, Method::DELETE, FB, &path, &[], &s.fb_token).await;
    assert_eq!(answer.body, json!({"success": true}));
    let listed = graph(&s.server, Method::GET, FB, &path, &[], &s.fb_token).await;
    assert_eq!(listed.body, json!({"data": []}));
    s.server.stop().await;
}

#[tokio::test]
async fn a_page_token_enables_the_page_and_its_account_gets_notifications() {
    // ref 003 L94 ("the app user's Page Access Token"), 004 L2396-2404 (`/me/subscribed_apps`
    // with a Page token); the Page token comes from GET /me/accounts.
    let s = setup().await;
    let accounts = graph(
        &s.server,
        Method::GET,
        FB,
        "/v24.0/me/accounts",
        &[("fields", "access_token")],
        &s.fb_token,
    )
    .await;
    assert_eq!(accounts.status, StatusCode::OK, "{}", accounts.text);
    let page = accounts.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == json!(s.page_id()))
        .unwrap()
        .clone();
    let page_token = page["access_token"].as_str().unwrap();
    let answer = graph(
        &s.server,
        Method::POST,
        FB,
        "/v24.0/me/subscribed_apps",
        &[("subscribed_fields", "feed,messages")],
        page_token,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body, json!({"success": true}));
    let listed = graph(
        &s.server,
        Method::GET,
        FB,
        &format!("/{}/subscribed_apps", s.page_id()),
        &[],
        page_token,
    )
    .await;
    assert_eq!(
        listed.body["data"][0]["subscribed_fields"],
        json!(["feed", "messages"])
    );
    assert_eq!(
        s.configure(&s.receiver.url("/h"), Some("comments"))
            .await
            .status,
        StatusCode::OK
    );
    s.event(
        s.account_id(),
        "comments",
        Some(comment_event("1", "via the page")),
    )
    .await;
    wait_for!("the comment", s.receiver.received().len() == 1);
    let got = &s.receiver.received()[0];
    assert_eq!(got.signed_by.as_deref(), Some(s.secret()));
    assert_eq!(
        got.json["entry"][0]["changes"][0]["value"]["comment_id"],
        json!("1")
    );
    let answer = graph(
        &s.server,
        Method::DELETE,
        FB,
        "/me/subscribed_apps",
        &[],
        page_token,
    )
    .await;
    assert_eq!(answer.body, json!({"success": true}));
    let recorded = s.event(s.account_id(), "comments", None).await;
    assert_eq!(recorded["deliveries"][0]["status"], json!("skipped"));
    assert_eq!(
        recorded["deliveries"][0]["reason"],
        json!("the account did not subscribe the app: enable it with POST /{ig-user-id}/subscribed_apps")
    );
    s.server.stop().await;
}

#[tokio::test]
async fn subscriptions_and_subscribed_apps_answer_the_fields_asked() {
    // ref 004 L2282-2310 (the app's subscriptions), 004 L2247-2265 (subscribed_apps): their
    // `fields` is a list of {name, version} objects and expands like any object field; the
    // top-level `fields` selects (issue #11).
    let s = setup().await;
    let url = s.receiver.url("/hook");
    assert_eq!(
        s.configure(&url, Some("comments,mentions")).await.status,
        StatusCode::OK
    );
    let path = format!("/v24.0/{}/subscriptions", s.app_id());
    let read = graph(
        &s.server,
        Method::GET,
        FB,
        &path,
        &[("fields", "object,fields{name}")],
        &s.app_token,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(
        read.body,
        json!({"data": [{"object": "instagram", "fields": [{"name": "comments"}, {"name": "mentions"}]}]})
    );
    let wrong = graph(
        &s.server,
        Method::GET,
        FB,
        &path,
        &[("fields", "fields{title}")],
        &s.app_token,
    )
    .await;
    assert_eq!(
        wrong.error().3,
        "(#100) Tried accessing nonexisting field (title) on node type (ApplicationSubscriptionField)"
    );
    assert_eq!(s.subscribe_ig("comments").await.status, StatusCode::OK);
    let apps = graph(
        &s.server,
        Method::GET,
        IG,
        &format!("/v24.0/{}/subscribed_apps", s.account_id()),
        &[("fields", "subscribed_fields")],
        &s.ig_token,
    )
    .await;
    assert_eq!(apps.status, StatusCode::OK, "{}", apps.text);
    assert_eq!(
        apps.body,
        json!({"data": [{"subscribed_fields": ["comments"], "id": s.app_id()}]})
    );
    // Another app enabled in the same (frozen) second comes after, in the order they were
    // enabled; changing the first app's fields keeps its place.
    let other = s
        .server
        .post_control("/apps", json!({"name": "Zeta", "access_level": "advanced"}))
        .await;
    let other_id = other["id"].as_str().unwrap().to_string();
    let token = s
        .server
        .token(&other_id, s.account_id(), "instagram", None)
        .await;
    let enabled = graph(
        &s.server,
        Method::POST,
        IG,
        &format!("/v24.0/{}/subscribed_apps", s.account_id()),
        &[("subscribed_fields", "messages")],
        &token,
    )
    .await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.text);
    assert_eq!(
        s.subscribe_ig("comments,messages").await.status,
        StatusCode::OK
    );
    let apps = graph(
        &s.server,
        Method::GET,
        IG,
        &format!("/v24.0/{}/subscribed_apps", s.account_id()),
        &[("fields", "name")],
        &s.ig_token,
    )
    .await;
    assert_eq!(
        apps.body,
        json!({"data": [{"name": "Moderator", "id": s.app_id()}, {"name": "Zeta", "id": other_id}]})
    );
}

#[tokio::test]
async fn messenger_platform_only_fields_are_subscribable_for_the_instagram_object() {
    // ref 004 L2438, L2442: messaging_policy_enforcement and response_feedback are listed
    // among the Instagram webhook fields with Messenger Platform permissions only.
    let s = setup().await;
    let url = s.receiver.url("/hook");
    let answer = s
        .configure(
            &url,
            Some("messages,messaging_policy_enforcement,response_feedback"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let listed = graph(
        &s.server,
        Method::GET,
        FB,
        &format!("/v24.0/{}/subscriptions", s.app_id()),
        &[],
        &s.app_token,
    )
    .await;
    let names: Vec<&str> = listed.body["data"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "messages",
            "messaging_policy_enforcement",
            "response_feedback"
        ]
    );
    // The Page (Messenger Platform) enables them; they are Page fields too.
    let page = s
        .subscribe_page("messaging_policy_enforcement,response_feedback")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let ig = s.subscribe_ig("messages").await;
    assert_eq!(ig.status, StatusCode::OK, "{}", ig.text);
    // Delivered through the Page (Messenger Platform), never with Instagram Login.
    for field in ["messaging_policy_enforcement", "response_feedback"] {
        let recorded = s.event(s.account_id(), field, None).await;
        let mut outcomes: Vec<(String, String)> = recorded["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["login"].as_str().unwrap_or_default().to_string(),
                    d["status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        outcomes.sort();
        assert_eq!(
            outcomes,
            [
                ("facebook".to_string(), "pending".to_string()),
                ("instagram".to_string(), "skipped".to_string())
            ],
            "{field}: {recorded}"
        );
    }
}
