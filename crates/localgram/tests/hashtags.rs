//! Hashtag search (issue #13): `GET /ig_hashtag_search`, the IG Hashtag node, `recent_media`,
//! `top_media` and `recently_searched_hashtags`. Reference: IG Hashtag Search 001
//! L4029-4100, IG Hashtag 001 L4100-4180, recent_media 001 L4180-4300, top_media 001
//! L4300-4419, recently searched 001 L8475-8529; guides 001 L1273-1329 and L9511-9595;
//! spec seed001a §16, seed001b §18 and §29, seed002-004 §10.

mod common;

use common::{assert_same_shape, TestServer, World};
use localgram::Config;
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

async fn search(server: &TestServer, world: &World, q: &str) -> common::Answer {
    let q = q.replace('#', "%23");
    server
        .get_fb(
            &format!(
                "/v24.0/ig_hashtag_search?user_id={}&q={q}",
                world.business_id()
            ),
            &world.fb_token,
        )
        .await
}

async fn search_id(server: &TestServer, world: &World, q: &str) -> String {
    let answer = search(server, world, q).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.body["data"][0]["id"].as_str().unwrap().to_string()
}

/// A public business account other than the world's, posting from the app.
async fn other_account(server: &TestServer, username: &str) -> String {
    let account = server
        .post_control(
            "/accounts",
            json!({"username": username, "account_type": "BUSINESS", "followers_count": 10}),
        )
        .await;
    account["id"].as_str().unwrap().to_string()
}

async fn post_media(server: &TestServer, account: &str, body: Value) -> String {
    server
        .post_control(&format!("/accounts/{account}/media"), body)
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn advance(server: &TestServer, seconds: i64) {
    server
        .post_control("/clock", json!({"advance_seconds": seconds}))
        .await;
}

fn ids(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn search_answers_the_hashtag_id_as_the_reference_sample_shows() {
    // Sample 001-ig-hashtag-search-get-L4067 (ref 001 L4085-4097): {"data":[{"id":...}]}.
    // Ids are static and global (ref 001 L4040-4041): the same name gives the same id in
    // another state, whatever its seed, and whatever its case.
    let server = TestServer::start().await;
    let world = server.world().await;
    let answer = search(&server, &world, "bluebottle").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let s = sample("001-ig-hashtag-search-get-L4067");
    assert_same_shape(&answer.body, &s["response"], "$");
    let id = answer.body["data"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 17);
    assert!(id.starts_with("17843"), "{id}");
    assert_eq!(search_id(&server, &world, "BlueBottle").await, id);
    assert_eq!(search_id(&server, &world, "#bluebottle").await, id);
    assert_ne!(search_id(&server, &world, "coke").await, id);

    let other = TestServer::start_with(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(99),
        ..Config::default()
    })
    .await;
    let other_world = other.world().await;
    assert_eq!(search_id(&other, &other_world, "bluebottle").await, id);
    other.stop().await;
    server.stop().await;
}

#[tokio::test]
async fn search_refuses_missing_parameters_emojis_and_instagram_login() {
    // Both parameters are required (ref 001 L4047-4049); emojis are not supported (ref 001
    // L1281); the endpoint is Facebook Login only (ref 001 L4034).
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    let no_q = server
        .get_fb(
            &format!("/v24.0/ig_hashtag_search?user_id={id}"),
            &world.fb_token,
        )
        .await;
    assert_eq!(no_q.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_q.error().0, 100);
    assert_eq!(no_q.error().3, "(#100) The parameter q is required");
    let no_user = server
        .get_fb("/v24.0/ig_hashtag_search?q=coke", &world.fb_token)
        .await;
    assert_eq!(
        no_user.error().3,
        "(#100) The parameter user_id is required"
    );
    let emoji = search(&server, &world, "coke%F0%9F%A5%A4").await;
    assert_eq!(emoji.status, StatusCode::BAD_REQUEST);
    assert_eq!(emoji.error().0, 100);
    assert!(emoji.error().3.contains("Param q"), "{}", emoji.text);
    // Someone else's account is not the caller's to search for.
    let stranger = other_account(&server, "stranger.biz").await;
    let foreign = server
        .get_fb(
            &format!("/v24.0/ig_hashtag_search?user_id={stranger}&q=coke"),
            &world.fb_token,
        )
        .await;
    assert_eq!(foreign.status, StatusCode::BAD_REQUEST);
    assert_eq!((foreign.error().0, foreign.error().1), (100, Some(33)));
    // Instagram Login has no hashtag search.
    let ig = server
        .get_ig(
            &format!("/v24.0/ig_hashtag_search?user_id={id}&q=coke"),
            &world.ig_token,
        )
        .await;
    assert_eq!(ig.status, StatusCode::BAD_REQUEST, "{}", ig.text);
    server.stop().await;
}

#[tokio::test]
async fn thirty_unique_hashtags_per_rolling_seven_days() {
    // Ref 001 L1277-1278: 30 unique hashtags per rolling 7 days; a repeat within the window
    // neither counts again nor resets its 7-day timer.
    let server = TestServer::start().await;
    let world = server.world().await;
    search_id(&server, &world, "tag0").await;
    advance(&server, 3 * 86_400).await;
    for n in 1..30 {
        search_id(&server, &world, &format!("tag{n}")).await;
    }
    // Repeats are free.
    search_id(&server, &world, "tag0").await;
    search_id(&server, &world, "tag29").await;
    let refused = search(&server, &world, "tag30").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    assert_eq!(refused.error().0, 24);
    assert_eq!(refused.error().1, Some(2207034));
    assert_eq!(
        refused.body["error"]["error_user_title"],
        json!("Hashtag limit reached")
    );
    // Reading a hashtag outside the window while the quota is full is refused too.
    let unsearched = crate_hashtag_id(&server, "tag31").await;
    let read = server
        .get_fb(
            &format!(
                "/v24.0/{unsearched}/recent_media?user_id={}",
                world.business_id()
            ),
            &world.fb_token,
        )
        .await;
    assert_eq!(read.error().1, Some(2207034), "{}", read.text);
    // tag0's window started at its first search (the repeat did not reset it): four days
    // later it ends and frees one slot, and only one.
    advance(&server, 4 * 86_400).await;
    search_id(&server, &world, "tag30").await;
    assert_eq!(
        search(&server, &world, "tag31").await.error().1,
        Some(2207034)
    );
    // Searching tag0 again now starts a new window and needs a slot of its own.
    assert_eq!(
        search(&server, &world, "tag0").await.error().1,
        Some(2207034)
    );
    server.stop().await;
}

/// A hashtag's id through the control API (no search, so no quota).
async fn crate_hashtag_id(server: &TestServer, name: &str) -> String {
    server
        .post_control("/hashtags", json!({"name": name}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn the_quota_is_exact_under_concurrent_searches() {
    // Ref 001 L1277-1278: forty different hashtags searched at once: exactly thirty pass.
    let server = TestServer::start().await;
    let world = server.world().await;
    let calls = (0..40).map(|n| {
        let (server, world) = (&server, &world);
        async move { search(server, world, &format!("burst{n}")).await }
    });
    let answers = futures_util::future::join_all(calls).await;
    let ok = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let refused = answers
        .iter()
        .filter(|a| a.error().1 == Some(2207034))
        .count();
    assert_eq!((ok, refused), (30, 10));
    let listed = server
        .get_fb(
            &format!(
                "/v24.0/{}/recently_searched_hashtags?limit=30",
                world.business_id()
            ),
            &world.fb_token,
        )
        .await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 30);
    server.stop().await;
}

#[tokio::test]
async fn the_quota_holds_across_instances() {
    // Two instances on one PostgreSQL database count one quota (PostgreSQL pass only).
    let Some(url) = common::test_database(None) else {
        eprintln!("the_quota_holds_across_instances: needs PostgreSQL");
        return;
    };
    let config = || Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(7),
        database_url: Some(url.clone()),
        ..Config::default()
    };
    let a = TestServer::start_with(config()).await;
    let b = TestServer::start_with(config()).await;
    let world = a.world().await;
    let calls = (0..40).map(|n| {
        let (server, world) = (if n % 2 == 0 { &a } else { &b }, &world);
        async move { search(server, world, &format!("pair{n}")).await }
    });
    let answers = futures_util::future::join_all(calls).await;
    let ok = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    assert_eq!(ok, 30);
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn the_hashtag_node_has_an_id_and_a_name() {
    // Sample 001-ig-hashtag-get-L4169 (ref 001 L4162-4175): fields=id,name.
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = search_id(&server, &world, "Coke").await;
    let answer = server
        .get_fb(&format!("/v24.0/{id}?fields=id,name"), &world.fb_token)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_same_shape(
        &answer.body,
        &sample("001-ig-hashtag-get-L4169")["response"],
        "$",
    );
    assert_eq!(answer.body, json!({"id": id, "name": "coke"}));
    let default = server
        .get_fb(&format!("/v24.0/{id}"), &world.fb_token)
        .await;
    assert_eq!(default.body, json!({"id": id}));
    let bad = server
        .get_fb(&format!("/v24.0/{id}?fields=media_count"), &world.fb_token)
        .await;
    assert_eq!(
        bad.error().3,
        "(#100) Tried accessing nonexisting field (media_count) on node type (IGHashtag)"
    );
    // The edges as fields need the user_id, as the edges do.
    let edge_field = server
        .get_fb(
            &format!("/v24.0/{id}?fields=name,recent_media"),
            &world.fb_token,
        )
        .await;
    assert_eq!(
        edge_field.error().3,
        "(#100) The parameter user_id is required"
    );
    let with_user = server
        .get_fb(
            &format!(
                "/v24.0/{id}?fields=name,recent_media{{id}}&user_id={}",
                world.business_id()
            ),
            &world.fb_token,
        )
        .await;
    assert_eq!(
        with_user.body,
        json!({"name": "coke", "recent_media": {"data": []}, "id": id})
    );
    server.stop().await;
}

#[tokio::test]
async fn recent_media_lists_public_media_of_the_last_24_hours_newest_first() {
    // Ref 001 L4190-4240: public photos and videos published in the last 24 hours; captions
    // and the owner's own comments carry hashtags (decisions.md); people's media and other
    // accounts' count; stories do not (ref 001 L1280); private owners' media are left out.
    let server = TestServer::start().await;
    let world = server.world().await;
    let brand = other_account(&server, "brand.one").await;
    let old = post_media(&server, &brand, json!({"caption": "old #Latte"})).await;
    advance(&server, 86_400 + 60).await;
    let first = post_media(
        &server,
        &brand,
        json!({"caption": "Morning #latte and #art", "like_count": 7}),
    )
    .await;
    advance(&server, 10).await;
    let person = server
        .post_control("/people", json!({"username": "cafe.fan"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_person = server
        .post_control(
            &format!("/people/{person}/media"),
            json!({"caption": "my #LATTE"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    advance(&server, 10).await;
    let story = post_media(
        &server,
        &brand,
        json!({"caption": "#latte", "media_product_type": "STORY"}),
    )
    .await;
    let untagged = post_media(&server, world.business_id(), json!({"caption": "coffee"})).await;
    // The owner's comment adds the hashtag; someone else's comment does not.
    server
        .post_control(
            &format!("/accounts/{}/comments", world.business_id()),
            json!({"media_id": untagged, "text": "#latte of the day"}),
        )
        .await;
    let no_tag = post_media(&server, &brand, json!({"caption": "plain"})).await;
    server
        .post_control(
            &format!("/people/{person}/comments"),
            json!({"media_id": no_tag, "text": "needs #latte"}),
        )
        .await;
    let private = server
        .post_control(
            "/people",
            json!({"username": "secret.sipper", "is_private": true}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .post_control(
            &format!("/people/{private}/media"),
            json!({"caption": "#latte"}),
        )
        .await;

    let id = search_id(&server, &world, "latte").await;
    let answer = server
        .get_fb(
            &format!(
                "/v24.0/{id}/recent_media?user_id={}&fields=id,media_type,comments_count,like_count,caption",
                world.business_id()
            ),
            &world.fb_token,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(
        ids(&answer.body),
        vec![untagged.clone(), by_person, first.clone()]
    );
    assert!(!ids(&answer.body).contains(&old) && !ids(&answer.body).contains(&story));
    assert_eq!(
        answer.body["data"][2],
        json!({"id": first, "media_type": "IMAGE", "comments_count": 0, "like_count": 7, "caption": "Morning #latte and #art"})
    );
    assert_eq!(answer.body["data"][0]["comments_count"], json!(1));
    // Sample 001-ig-hashtag-recent-media-get-L4273: the same keys.
    let s = sample("001-ig-hashtag-recent-media-get-L4273");
    let short = server
        .get_fb(
            &format!(
                "/v24.0/{id}/recent_media?user_id={}&fields=id,media_type,comments_count,like_count",
                world.business_id()
            ),
            &world.fb_token,
        )
        .await;
    assert_same_shape(
        &short.body["data"][0],
        &s["response"]["data"][0],
        "$.data[0]",
    );
    // Just over a day later they are all gone from recent_media.
    advance(&server, 86_401).await;
    let later = server
        .get_fb(
            &format!("/v24.0/{id}/recent_media?user_id={}", world.business_id()),
            &world.fb_token,
        )
        .await;
    assert_eq!(later.body, json!({"data": []}));
    server.stop().await;
}

#[tokio::test]
async fn hashtag_media_refuse_username_and_other_private_fields() {
    // Ref 001 L4236-4240, L4330-4335: `username` cannot be requested; only the public
    // fields are returned.
    let server = TestServer::start().await;
    let world = server.world().await;
    let brand = other_account(&server, "brand.two").await;
    let media = post_media(
        &server,
        &brand,
        json!({"caption": "#tea", "media_type": "VIDEO", "media_product_type": "REELS"}),
    )
    .await;
    let id = search_id(&server, &world, "tea").await;
    for edge in ["recent_media", "top_media"] {
        let refused = server
            .get_fb(
                &format!(
                    "/v24.0/{id}/{edge}?user_id={}&fields=id,username",
                    world.business_id()
                ),
                &world.fb_token,
            )
            .await;
        assert_eq!(
            refused.error().3,
            "(#100) Tried accessing nonexisting field (username) on node type (ShadowIGMedia)"
        );
        let all = server
            .get_fb(
                &format!(
                    "/v24.0/{id}/{edge}?user_id={}&fields=caption,children,comments_count,id,like_count,media_type,media_url,permalink,timestamp",
                    world.business_id()
                ),
                &world.fb_token,
            )
            .await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.text);
        let item = &all.body["data"][0];
        assert_eq!(item["id"], json!(media));
        assert_eq!(item["media_type"], json!("VIDEO"));
        assert!(item["media_url"].as_str().unwrap().contains("/media/"));
        assert!(item["permalink"]
            .as_str()
            .unwrap()
            .starts_with("https://www.instagram.com/"));
        assert!(item["timestamp"].as_str().unwrap().ends_with("+0000"));
    }
    // A media found through a hashtag is not the caller's to read directly (ref 001
    // L9125-9259 applies the same rule to discovery) nor to comment on (ref 001 L1279).
    let direct = server
        .get_fb(&format!("/v24.0/{media}?fields=caption"), &world.fb_token)
        .await;
    assert_eq!((direct.error().0, direct.error().1), (100, Some(33)));
    let comment = server
        .graph(reqwest::Method::POST, &format!("/v24.0/{media}/comments"))
        .on(common::Host::Facebook)
        .token(&world.fb_token)
        .form(&[("message", "nice")])
        .send()
        .await;
    assert_eq!(comment.status, StatusCode::BAD_REQUEST);
    assert_eq!((comment.error().0, comment.error().1), (100, Some(33)));
    server.stop().await;
}

#[tokio::test]
async fn recent_media_pages_forward_with_an_after_cursor_only() {
    // Ref 001 L4233-4240: at most 50 per page, an `after` cursor and no `before`.
    let server = TestServer::start().await;
    let world = server.world().await;
    let brand = other_account(&server, "brand.three").await;
    let made = server
        .post_control(
            &format!("/accounts/{brand}/media/bulk"),
            json!({"count": 60, "caption": "#pages number {n}"}),
        )
        .await;
    assert_eq!(made["count"], json!(60));
    let mut expected: Vec<String> = made["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    expected.reverse();
    let id = search_id(&server, &world, "pages").await;
    let first = server
        .get_fb(
            &format!(
                "/v24.0/{id}/recent_media?user_id={}&limit=100",
                world.business_id()
            ),
            &world.fb_token,
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(ids(&first.body), expected[..50].to_vec());
    let paging = &first.body["paging"];
    assert!(paging["cursors"]["after"].is_string());
    assert!(paging["cursors"].get("before").is_none());
    assert!(paging.get("previous").is_none());
    let next = paging["next"].as_str().unwrap();
    assert!(
        next.starts_with("http://graph.facebook.com/v24.0/"),
        "{next}"
    );
    let next = next.replacen("http://graph.facebook.com", &server.base, 1);
    let second = server
        .graph(reqwest::Method::GET, &next)
        .on(common::Host::Facebook)
        .send()
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    assert_eq!(ids(&second.body), expected[50..].to_vec());
    assert!(second.body["paging"].get("next").is_none());
    let before = server
        .get_fb(
            &format!(
                "/v24.0/{id}/recent_media?user_id={}&before=abc",
                world.business_id()
            ),
            &world.fb_token,
        )
        .await;
    assert_eq!(before.error().0, 100);
    server.stop().await;
}

#[tokio::test]
async fn top_media_orders_by_likes_and_comments() {
    // Ref 001 L4300-4330: the most popular media (decisions.md: likes plus comments).
    let server = TestServer::start().await;
    let world = server.world().await;
    let brand = other_account(&server, "brand.four").await;
    let quiet = post_media(
        &server,
        &brand,
        json!({"caption": "#beans", "like_count": 1}),
    )
    .await;
    let loved = post_media(
        &server,
        &brand,
        json!({"caption": "#beans", "like_count": 50}),
    )
    .await;
    let talked = post_media(
        &server,
        &brand,
        json!({"caption": "#beans", "like_count": 5}),
    )
    .await;
    let person = server
        .post_control("/people", json!({"username": "bean.talker"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for n in 0..3 {
        server
            .post_control(
                &format!("/people/{person}/comments"),
                json!({"media_id": talked, "text": format!("wow {n}")}),
            )
            .await;
    }
    // Older than a day still counts for top media.
    advance(&server, 2 * 86_400).await;
    let id = search_id(&server, &world, "beans").await;
    let url = format!(
        "/v24.0/{id}/top_media?user_id={}&fields=id,media_type,comments_count,like_count&limit=2",
        world.business_id()
    );
    let page = server.get_fb(&url, &world.fb_token).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_same_shape(
        &page.body["data"][0],
        &sample("001-ig-hashtag-top-media-get-L4377")["response"]["data"][0],
        "$.data[0]",
    );
    assert_eq!(ids(&page.body), vec![loved, talked.clone()]);
    assert_eq!(page.body["data"][1]["comments_count"], json!(3));
    let next = page.body["paging"]["next"].as_str().unwrap().replacen(
        "http://graph.facebook.com",
        &server.base,
        1,
    );
    assert!(page.body["paging"]["cursors"].get("before").is_none());
    let rest = server
        .graph(reqwest::Method::GET, &next)
        .on(common::Host::Facebook)
        .send()
        .await;
    assert_eq!(ids(&rest.body), vec![quiet]);
    assert!(rest.body["paging"].get("next").is_none());
    server.stop().await;
}

#[tokio::test]
async fn recently_searched_hashtags_lists_the_week_s_searches() {
    // Sample 001-ig-user-recently-searched-hashtags-get-L8500 (ref 001 L8475-8529): the
    // hashtags searched in the last 7 days; 25 per page by default, at most 30.
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    let first = search_id(&server, &world, "first").await;
    advance(&server, 2 * 86_400).await;
    let mut later = Vec::new();
    for n in 0..26 {
        later.push(search_id(&server, &world, &format!("later{n}")).await);
    }
    let page = server
        .get_fb(
            &format!("/v24.0/{id}/recently_searched_hashtags"),
            &world.fb_token,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_same_shape(
        &json!({"data": [page.body["data"][0].clone()]}),
        &json!({"data": [sample("001-ig-user-recently-searched-hashtags-get-L8500")["response"]["data"][0].clone()]}),
        "$",
    );
    let listed = ids(&page.body);
    assert_eq!(listed.len(), 25);
    assert_eq!(listed[0], later[25]);
    let all = server
        .get_fb(
            &format!("/v24.0/{id}/recently_searched_hashtags?limit=50&fields=id,name"),
            &world.fb_token,
        )
        .await;
    assert_eq!(all.body["data"].as_array().unwrap().len(), 27);
    assert_eq!(all.body["data"][26], json!({"id": first, "name": "first"}));
    // The field form on the IG User lists the same.
    let field = server
        .get_fb(
            &format!("/v24.0/{id}?fields=recently_searched_hashtags.limit(2){{name}}"),
            &world.fb_token,
        )
        .await;
    assert_eq!(
        field.body["recently_searched_hashtags"]["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Five days later the first search is older than 7 days.
    advance(&server, 5 * 86_400 + 1).await;
    let week = server
        .get_fb(
            &format!("/v24.0/{id}/recently_searched_hashtags?limit=30"),
            &world.fb_token,
        )
        .await;
    assert_eq!(ids(&week.body).len(), 26);
    assert!(!ids(&week.body).contains(&first));
    server.stop().await;
}

#[tokio::test]
async fn sensitive_hashtags_answer_a_generic_error() {
    // Ref 001 L1282, L4063: hashtags Meta deems sensitive or offensive get a generic error.
    let server = TestServer::start().await;
    let world = server.world().await;
    let marked = server
        .post_control("/hashtags", json!({"name": "Forbidden", "sensitive": true}))
        .await;
    assert_eq!(marked["name"], json!("forbidden"));
    let answer = search(&server, &world, "forbidden").await;
    assert_eq!(
        answer.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        answer.text
    );
    assert_eq!(answer.error().0, 1);
    assert_eq!(answer.error().3, "An unknown error has occurred.");
    let id = marked["id"].as_str().unwrap();
    let node = server
        .get_fb(&format!("/v24.0/{id}"), &world.fb_token)
        .await;
    assert_eq!(node.error().0, 1);
    server.stop().await;
}
