//! Business discovery (issue #13): `fields=business_discovery.username(x){...}` on the app
//! user's IG User. Reference: IG User Business Discovery 001 L6219-6347; guides 001 L800-910
//! and L9125-9259; spec seed001a §15, seed001b §5 and §26, seed002-004 §10.

mod common;

use common::{assert_same_shape, TestServer, World};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn sample(id: &str) -> Value {
    let all: Value = serde_json::from_str(include_str!("fixtures/samples.json")).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == json!(id))
        .cloned()
        .unwrap_or_else(|| panic!("no sample {id}"))
}

async fn bluebottle(server: &TestServer) -> String {
    server
        .post_control(
            "/accounts",
            json!({"username": "bluebottle", "name": "Blue Bottle Coffee", "account_type": "BUSINESS",
                   "biography": "Coffee", "website": "https://bluebottlecoffee.com/",
                   "followers_count": 267793, "follows_count": 5}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn discover(server: &TestServer, world: &World, fields: &str) -> common::Answer {
    server
        .get_fb(
            &format!("/v24.0/{}?fields={fields}", world.business_id()),
            &world.fb_token,
        )
        .await
}

async fn post_media(server: &TestServer, account: &str, body: Value) -> String {
    server
        .post_control(&format!("/accounts/{account}/media"), body)
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn followers_and_media_count_as_the_sample_shows() {
    // Sample 001-ig-user-get-L6250 (ref 001 L6250-6262): the target's id inside, the app
    // user's id outside.
    let server = TestServer::start().await;
    let world = server.world().await;
    let target = bluebottle(&server).await;
    for _ in 0..3 {
        post_media(&server, &target, json!({"caption": "pour over"})).await;
    }
    let answer = discover(
        &server,
        &world,
        "business_discovery.username(bluebottle){followers_count,media_count}",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_same_shape(
        &answer.body,
        &sample("001-ig-user-get-L6250")["response"],
        "$",
    );
    assert_eq!(
        answer.body,
        json!({"business_discovery": {"followers_count": 267793, "media_count": 3, "id": target}, "id": world.business_id()})
    );
    // Every public field.
    let all = discover(
        &server,
        &world,
        "business_discovery.username(BlueBottle){biography,follows_count,id,ig_id,name,username,website}",
    )
    .await;
    let found = &all.body["business_discovery"];
    assert_eq!(found["username"], json!("bluebottle"));
    assert_eq!(found["name"], json!("Blue Bottle Coffee"));
    assert_eq!(found["biography"], json!("Coffee"));
    assert_eq!(found["website"], json!("https://bluebottlecoffee.com/"));
    assert_eq!(found["follows_count"], json!(5));
    assert!(found["ig_id"].is_i64());
    // Private fields of the IG User are not offered.
    let private = discover(
        &server,
        &world,
        "business_discovery.username(bluebottle){shopping_product_tag_eligibility}",
    )
    .await;
    assert_eq!(
        private.error().3,
        "(#100) Tried accessing nonexisting field (shopping_product_tag_eligibility) on node type (ShadowIGUser)"
    );
    // The username is required.
    let bare = discover(&server, &world, "business_discovery{followers_count}").await;
    assert_eq!(bare.error().3, "(#100) The parameter username is required");
    server.stop().await;
}

#[tokio::test]
async fn media_expand_with_public_fields_and_cursor_paging() {
    // Samples 001-ig-user-get-L6268 and L874 (ref 001 L6268-6340): media ids, then
    // comments_count, like_count and view_count (reels only, ref 001 L675-680; 004
    // changelog June 16, 2025). The nested edge pages with cursors and no links (seed001b §5).
    let server = TestServer::start().await;
    let world = server.world().await;
    let target = bluebottle(&server).await;
    let image = post_media(
        &server,
        &target,
        json!({"caption": "hello @metricsaurus", "like_count": 2997}),
    )
    .await;
    let reel = post_media(
        &server,
        &target,
        json!({"media_type": "VIDEO", "media_product_type": "REELS", "like_count": 5837}),
    )
    .await;
    server
        .post_control(&format!("/media/{reel}/views"), json!({"view_count": 7757}))
        .await;
    let ids = discover(
        &server,
        &world,
        "business_discovery.username(bluebottle){followers_count,media_count,media}",
    )
    .await;
    // The sample leaves the nested edge's paging out (seed001b §5): compare without it.
    let mut without_paging = ids.body.clone();
    let paging = without_paging["business_discovery"]["media"]
        .as_object_mut()
        .unwrap()
        .remove("paging");
    assert!(paging.unwrap()["cursors"]["after"].is_string());
    assert_same_shape(
        &without_paging,
        &sample("001-ig-user-get-L6268")["response"],
        "$",
    );
    assert_eq!(
        ids.body["business_discovery"]["media"]["data"],
        json!([{"id": reel}, {"id": image}])
    );
    let counts = discover(
        &server,
        &world,
        "business_discovery.username(bluebottle){media{comments_count,like_count,view_count}}",
    )
    .await;
    assert_eq!(counts.status, StatusCode::OK, "{}", counts.text);
    assert_eq!(
        counts.body["business_discovery"]["media"]["data"],
        json!([
            {"comments_count": 0, "like_count": 5837, "view_count": 7757, "id": reel},
            {"comments_count": 0, "like_count": 2997, "id": image}
        ])
    );
    // Captions read without the @ of mentions (ref 001 L494); username is public.
    let caption = discover(
        &server,
        &world,
        "business_discovery.username(bluebottle){media.limit(1).after(x){caption}}",
    )
    .await;
    assert_eq!(caption.error().0, 100, "an invalid cursor is refused");
    let first = discover(
        &server,
        &world,
        "business_discovery.username(bluebottle){media.limit(1){caption,username}}",
    )
    .await;
    let media = &first.body["business_discovery"]["media"];
    assert_eq!(
        media["data"],
        json!([{"username": "bluebottle", "id": reel}])
    );
    assert!(media["paging"]["cursors"]["after"].is_string());
    assert!(media["paging"].get("next").is_none() && media["paging"].get("previous").is_none());
    let after = media["paging"]["cursors"]["after"].as_str().unwrap();
    let second = discover(
        &server,
        &world,
        &format!(
            "business_discovery.username(bluebottle){{media.limit(1).after({after}){{caption}}}}"
        ),
    )
    .await;
    assert_eq!(
        second.body["business_discovery"]["media"]["data"],
        json!([{"caption": "hello metricsaurus", "id": image}])
    );
    // Private media fields are not offered; a direct GET on a discovered media fails
    // (ref 001 L9125-9259: insufficient permissions).
    let private = discover(
        &server,
        &world,
        "business_discovery.username(bluebottle){media{is_comment_enabled}}",
    )
    .await;
    assert_eq!(private.error().0, 100);
    let direct = server
        .get_fb(&format!("/v24.0/{image}?fields=id"), &world.fb_token)
        .await;
    assert_eq!((direct.error().0, direct.error().1), (100, Some(33)));
    // view_count is business discovery's only: a direct read of the account's own reel
    // leaves it out.
    let own = post_media(
        &server,
        world.business_id(),
        json!({"media_type": "VIDEO", "media_product_type": "REELS"}),
    )
    .await;
    let own_read = server
        .get_fb(&format!("/v24.0/{own}?fields=view_count"), &world.fb_token)
        .await;
    assert_eq!(own_read.body, json!({"id": own}));
    server.stop().await;
}

#[tokio::test]
async fn personal_private_and_age_gated_accounts_are_not_returned() {
    // Ref 001 L803-804, L6230-6232: age-gated accounts are not returned; discovery is of
    // professional accounts (personal accounts are people here) that are public.
    let server = TestServer::start().await;
    let world = server.world().await;
    let target = bluebottle(&server).await;
    server
        .post_control("/people", json!({"username": "just.a.person"}))
        .await;
    let expect_not_found = |answer: &common::Answer, username: &str| {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
        assert_eq!(answer.error().0, 110);
        assert_eq!(answer.error().1, Some(2207013));
        assert_eq!(answer.error().3, "Invalid user id");
        assert_eq!(
            answer.body["error"]["error_user_msg"],
            json!(format!(
                "The user with username: {username} cannot be found."
            ))
        );
    };
    for username in ["nobody.here", "just.a.person"] {
        let answer = discover(
            &server,
            &world,
            &format!("business_discovery.username({username}){{id}}"),
        )
        .await;
        expect_not_found(&answer, username);
    }
    let fields = "business_discovery.username(bluebottle){id}";
    server
        .post_control(
            &format!("/accounts/{target}/discovery"),
            json!({"is_private": true}),
        )
        .await;
    expect_not_found(&discover(&server, &world, fields).await, "bluebottle");
    let switched = server
        .post_control(
            &format!("/accounts/{target}/discovery"),
            json!({"is_private": false, "age_gated": true}),
        )
        .await;
    assert_eq!(
        switched,
        json!({"id": target, "is_private": false, "age_gated": true, "embeds_disabled": false, "inactive": false, "collaborator_tagging": true})
    );
    expect_not_found(&discover(&server, &world, fields).await, "bluebottle");
    server
        .post_control(
            &format!("/accounts/{target}/discovery"),
            json!({"age_gated": false}),
        )
        .await;
    let ok = discover(&server, &world, fields).await;
    assert_eq!(ok.body["business_discovery"]["id"], json!(target));
    // Instagram Login has no business discovery (ref 001 L6219: Facebook Login only).
    let ig = server
        .get_ig(
            &format!("/v24.0/{}?fields={fields}", world.business_id()),
            &world.ig_token,
        )
        .await;
    assert_eq!(ig.error().0, 100);
    server.stop().await;
}

#[tokio::test]
async fn creators_discover_creators_from_august_13_2019() {
    // 004 changelog (seed002-004 §10): creators can target other creators since August 13,
    // 2019; before that, businesses only.
    let server = TestServer::start().await;
    let world = server.world().await;
    let app = world.app_id().to_string();
    let creator = server
        .post_control(
            "/accounts",
            json!({"username": "maker.one", "account_type": "CREATOR", "facebook_page": true}),
        )
        .await;
    let creator_id = creator["id"].as_str().unwrap().to_string();
    let token = server.token(&app, &creator_id, "facebook", None).await;
    bluebottle(&server).await;
    server
        .post_control(
            "/accounts",
            json!({"username": "maker.two", "account_type": "CREATOR"}),
        )
        .await;
    server
        .post_control("/clock", json!({"set": "2019-08-12T12:00:00Z"}))
        .await;
    let ask = |username: &'static str| {
        let (server, token, creator_id) = (&server, token.clone(), creator_id.clone());
        async move {
            server
                .get_fb(
                    &format!("/v24.0/{creator_id}?fields=business_discovery.username({username}){{username}}"),
                    &token,
                )
                .await
        }
    };
    let early = ask("maker.two").await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST, "{}", early.text);
    assert_eq!(
        early.error().3,
        "(#100) Creator accounts can only discover business accounts"
    );
    let business = ask("bluebottle").await;
    assert_eq!(
        business.body["business_discovery"]["username"],
        json!("bluebottle")
    );
    server
        .post_control("/clock", json!({"set": "2019-08-13T00:00:00Z"}))
        .await;
    let later = ask("maker.two").await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.text);
    assert_eq!(
        later.body["business_discovery"]["username"],
        json!("maker.two")
    );
    server.stop().await;
}
