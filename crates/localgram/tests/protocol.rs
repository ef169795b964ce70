//! The Graph API protocol every endpoint shares: hosts, versions, parameters, token passing,
//! `fields`, paging, errors, `/me`, multi-node reads and batch requests.
//! Reference: 001 L1599-1771 (Graph API overview), 001 L3287-3545 (errors), 002-004
//! inventory §2 (hosts, versions, formats); choices where the reference is silent are in
//! docs/decisions.md.

mod common;

use common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn world_with_media(server: &TestServer, count: usize) -> (common::World, Vec<String>) {
    let world = server.world().await;
    let mut ids = Vec::new();
    for i in 0..count {
        let media = server
            .post_control(
                &format!("/accounts/{}/media", world.business_id()),
                json!({"caption": format!("post {i}"), "timestamp": format!("2026-01-{:02}T10:00:00Z", i + 1)}),
            )
            .await;
        ids.push(media["id"].as_str().unwrap().to_string());
    }
    // Newest first, as the edge lists them.
    ids.reverse();
    (world, ids)
}

async fn freeze_at(server: &TestServer, when: &str) {
    server
        .post_control("/clock", json!({"set": when, "frozen": true}))
        .await;
}

// ----- versions ------------------------------------------------------------------------------

#[tokio::test]
async fn versions_known_unversioned_expired_and_unknown() {
    // ref 001 L504-507 (default version), L1758-1764 (versions); decisions: "API versions".
    let server = TestServer::start().await;
    let world = server.world().await;
    freeze_at(&server, "2026-11-21T12:00:00Z").await;

    let v24 = server
        .get("/v24.0/me?fields=username", &world.ig_token)
        .await;
    assert_eq!(v24.status, StatusCode::OK);
    assert_eq!(v24.header("facebook-api-version"), Some("v24.0"));

    // Unversioned: the app's version, the latest when it was created.
    let bare = server.get("/me?fields=username", &world.ig_token).await;
    assert_eq!(
        bare.body,
        json!({"username": "metricsaurus", "id": bare.body["id"]})
    );
    assert_eq!(bare.header("facebook-api-version"), Some("v24.0"));

    // v19.0 expired in 2026 (two years after v20.0): served by the oldest available, v21.0.
    let old = server
        .get("/v19.0/me?fields=username", &world.ig_token)
        .await;
    assert_eq!(old.status, StatusCode::OK);
    assert_eq!(old.header("facebook-api-version"), Some("v21.0"));

    let unknown = server.get("/v99.0/me", &world.ig_token).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        unknown.error(),
        (
            2500,
            None,
            "OAuthException".into(),
            "Unknown API version: v99.0. The latest version is v24.0.".into()
        )
    );
    server.stop().await;
}

#[tokio::test]
async fn an_app_created_at_a_virtual_date_keeps_that_days_newest_version() {
    // ref 001 L504-507: unversioned calls use "the latest version at the time you created your
    // Meta app"; on 2022-01-10 that was v12.0 (v13.0 shipped 2022-02-08).
    let server = TestServer::start().await;
    freeze_at(&server, "2022-01-10T12:00:00Z").await;
    let app = server.new_app("Back then").await;
    assert_eq!(app["api_version"], json!("v12.0"));
    let account = server
        .post_control("/accounts", json!({"username": "oldtimer"}))
        .await;
    let token = server
        .token(
            app["id"].as_str().unwrap(),
            account["id"].as_str().unwrap(),
            "instagram",
            None,
        )
        .await;
    let bare = server.get("/me?fields=username", &token).await;
    assert_eq!(bare.status, StatusCode::OK, "{}", bare.text);
    assert_eq!(bare.header("facebook-api-version"), Some("v12.0"));

    // A later app records the version of its own day.
    freeze_at(&server, "2025-06-01T00:00:00Z").await;
    let later = server.new_app("Later").await;
    assert_eq!(later["api_version"], json!("v23.0"));
    server.stop().await;
}

// ----- hosts and tokens ------------------------------------------------------------------------

#[tokio::test]
async fn access_token_is_read_from_query_body_bearer_and_oauth_headers() {
    // ref 001 inventory §1.2: query, body, Authorization: Bearer, Authorization: OAuth.
    let server = TestServer::start().await;
    let world = server.world().await;
    let url = "/v24.0/me?fields=username";
    let expected = |body: &Value| body["username"] == json!("metricsaurus");

    let query = server
        .get("/v24.0/me?fields=username", &world.ig_token)
        .await;
    assert!(expected(&query.body), "{}", query.text);
    let bearer = server
        .graph(Method::GET, url)
        .bearer(&world.ig_token)
        .send()
        .await;
    assert!(expected(&bearer.body), "{}", bearer.text);
    let oauth = server
        .graph(Method::GET, url)
        .header("Authorization", format!("OAuth {}", world.ig_token))
        .send()
        .await;
    assert!(expected(&oauth.body), "{}", oauth.text);
    let form = server
        .graph(Method::POST, "/v24.0/me")
        .form(&[
            ("method", "get"),
            ("fields", "username"),
            ("access_token", world.ig_token.as_str()),
        ])
        .send()
        .await;
    assert!(expected(&form.body), "{}", form.text);
    server.stop().await;
}

#[tokio::test]
async fn parameters_come_from_form_multipart_and_json_bodies_alike() {
    // ref 001 inventory §1.3: query string, JSON body and form fields must all be accepted.
    let server = TestServer::start().await;
    let world = server.world().await;
    let url = "/v24.0/me";
    let json_body = server
        .graph(Method::POST, url)
        .bearer(&world.ig_token)
        .json(json!({"method": "get", "fields": "username,followers_count"}))
        .send()
        .await;
    assert_eq!(
        json_body.body["followers_count"],
        json!(5000),
        "{}",
        json_body.text
    );
    let form = reqwest::multipart::Form::new()
        .text("method", "get")
        .text("fields", "username");
    let multipart = server
        .graph(Method::POST, url)
        .bearer(&world.ig_token)
        .multipart(form)
        .send()
        .await;
    assert_eq!(
        multipart.body["username"],
        json!("metricsaurus"),
        "{}",
        multipart.text
    );
    // A JSON list for `fields` works too.
    let list = server
        .graph(Method::POST, url)
        .bearer(&world.ig_token)
        .json(json!({"method": "get", "fields": ["username", "name"]}))
        .send()
        .await;
    assert_eq!(list.body["name"], json!("Metricsaurus"));
    server.stop().await;
}

#[tokio::test]
async fn host_and_token_decide_the_api() {
    // 002-004 inventory §1.1: Instagram Login on graph.instagram.com, Facebook Login on
    // graph.facebook.com; a token of the other login cannot be parsed there.
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();

    let ig = server
        .get_ig(&format!("/v24.0/{id}?fields=user_id"), &world.ig_token)
        .await;
    assert_eq!(ig.body["user_id"], json!(id));
    let fb = server
        .get_fb(&format!("/v24.0/{id}?fields=username"), &world.fb_token)
        .await;
    assert_eq!(fb.body, json!({"username": "metricsaurus", "id": id}));

    for answer in [
        server.get_ig("/v24.0/me", &world.fb_token).await,
        server.get_fb("/v24.0/me", &world.ig_token).await,
        server.get("/v24.0/me", "not-a-token").await,
    ] {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            answer.error(),
            (
                190,
                None,
                "OAuthException".into(),
                "Invalid OAuth access token - Cannot parse access token".into()
            )
        );
        assert_eq!(
            answer.header("www-authenticate"),
            Some("OAuth \"Facebook Platform\" \"invalid_token\" \"Invalid OAuth access token - Cannot parse access token\"")
        );
        assert!(answer.body["error"]["fbtrace_id"]
            .as_str()
            .is_some_and(|t| !t.is_empty()));
    }

    // Without a Meta Host header, the token decides: user_id exists only on Instagram Login.
    let neutral = server
        .get(&format!("/v24.0/{id}?fields=user_id"), &world.fb_token)
        .await;
    assert_eq!(
        neutral.error().3,
        "(#100) Tried accessing nonexisting field (user_id) on node type (ShadowIGUser)"
    );
    server.stop().await;
}

#[tokio::test]
async fn token_is_checked_before_the_path() {
    let server = TestServer::start().await;
    let answer = server.get("/v24.0/12345/nonsense/deeper", "bogus").await;
    assert_eq!(answer.error().0, 190);
    server.stop().await;
}

// ----- fields ----------------------------------------------------------------------------------

#[tokio::test]
async fn fields_select_expand_and_always_include_id() {
    // ref 001 L1700-1725 (fields, id always returned), 001 inventory §1.4 (expansion).
    let server = TestServer::start().await;
    let (world, media) = world_with_media(&server, 3).await;
    let id = world.business_id();

    let defaults = server
        .get_fb(&format!("/v24.0/{id}"), &world.fb_token)
        .await;
    assert_eq!(defaults.body, json!({"id": id}));

    let nested = server
        .get_fb(
            &format!("/v24.0/{id}?fields=username,media.limit(2){{caption,id}},media_count"),
            &world.fb_token,
        )
        .await;
    assert_eq!(nested.status, StatusCode::OK, "{}", nested.text);
    let body = &nested.body;
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["username", "media", "media_count", "id"]
    );
    assert_eq!(body["media_count"], json!(3));
    assert_eq!(
        body["media"]["data"],
        json!([{"caption": "post 2", "id": media[0]}, {"caption": "post 1", "id": media[1]}])
    );
    // An edge expanded through fields carries cursors only (no next/previous).
    let paging = body["media"]["paging"].as_object().unwrap();
    assert_eq!(paging.keys().collect::<Vec<_>>(), vec!["cursors"]);

    // Aliases with .as()
    let alias = server
        .get_fb(
            &format!("/v24.0/{id}?fields=username.as(handle)"),
            &world.fb_token,
        )
        .await;
    assert_eq!(alias.body, json!({"handle": "metricsaurus", "id": id}));
    server.stop().await;
}

#[tokio::test]
async fn unknown_fields_malformed_expressions_and_edges_on_the_wrong_node() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();

    let unknown = server
        .get_fb(
            &format!("/v24.0/{id}?fields=username,nope"),
            &world.fb_token,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        unknown.error(),
        (
            100,
            None,
            "OAuthException".into(),
            "(#100) Tried accessing nonexisting field (nope) on node type (ShadowIGUser)".into()
        )
    );

    let malformed = server
        .get_fb(&format!("/v24.0/{id}?fields=id,name%7D"), &world.fb_token)
        .await;
    assert_eq!(
        malformed.error(),
        (
            2500,
            None,
            "OAuthException".into(),
            "Syntax error \"Expected end of string instead of \"}\".\" at character 7: id,name}"
                .into()
        )
    );

    // `media` is an IG User edge, not a Page field.
    let page = world.page_id();
    let wrong_node = server
        .get_fb(&format!("/v24.0/{page}?fields=media"), &world.fb_token)
        .await;
    assert_eq!(
        wrong_node.error().3,
        "(#100) Tried accessing nonexisting field (media) on node type (Page)"
    );

    // And as a path.
    let wrong_path = server
        .get_fb(&format!("/v24.0/{page}/media"), &world.fb_token)
        .await;
    assert_eq!(
        wrong_path.error().3,
        "(#100) Tried accessing nonexisting field (media) on node type (Page)"
    );

    let scalar_with_subfields = server
        .get_fb(
            &format!("/v24.0/{id}?fields=username{{id}}"),
            &world.fb_token,
        )
        .await;
    assert_eq!(scalar_with_subfields.error().0, 100);
    let bad_modifier = server
        .get_fb(
            &format!("/v24.0/{id}?fields=username.limit(2)"),
            &world.fb_token,
        )
        .await;
    assert_eq!(
        bad_modifier.error().3,
        "(#100) Unknown modifier (limit) on field (username)"
    );
    server.stop().await;
}

#[tokio::test]
async fn metadata_lists_fields_and_connections() {
    // ref 001 L1636-1665 (Node Metadata).
    let server = TestServer::start().await;
    let world = server.world().await;
    let answer = server
        .get_fb(
            &format!("/v24.0/{}?metadata=1&fields=username", world.business_id()),
            &world.fb_token,
        )
        .await;
    let metadata = &answer.body["metadata"];
    let fields = metadata["fields"].as_array().unwrap();
    assert!(fields.contains(&json!({"name": "id", "description": "The app user's ID: app-scoped with Instagram Login, the IG User ID with Facebook Login.", "type": "numeric string"})));
    assert!(
        fields.iter().all(|f| f["name"] != json!("user_id")),
        "user_id is Instagram Login only"
    );
    assert_eq!(metadata["type"], json!("shadowiguser"));
    assert!(metadata["connections"]["media"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/v24.0/{}/media", world.business_id())));
    server.stop().await;
}

// ----- paging ----------------------------------------------------------------------------------

#[tokio::test]
async fn edges_page_with_cursors_and_links_back_to_localgram() {
    // 001 inventory §1.5 (edge envelope); 002-004 inventory §2 (cursor paging everywhere).
    let server = TestServer::start().await;
    let (world, media) = world_with_media(&server, 5).await;

    let first = server
        .get("/v24.0/me/media?fields=caption&limit=2", &world.ig_token)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let ids = |a: &common::Answer| {
        a.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), media[0..2]);
    assert_eq!(
        first.body["data"][0],
        json!({"caption": "post 4", "id": media[0]})
    );
    let paging = &first.body["paging"];
    assert!(paging["cursors"]["before"]
        .as_str()
        .unwrap()
        .starts_with("QVFI"));
    assert!(paging.get("previous").is_none());
    let next = paging["next"].as_str().unwrap().to_string();
    assert!(
        next.starts_with(&format!("{}/v24.0/me/media?", server.base)),
        "{next}"
    );
    assert!(
        next.contains("limit=2")
            && next.contains("fields=caption")
            && next.contains("access_token=")
    );

    // A new post between pages does not shift the next page.
    server
        .post_control(
            &format!("/accounts/{}/media", world.business_id()),
            json!({"caption": "late"}),
        )
        .await;

    let second = server.graph(Method::GET, &next).send().await;
    assert_eq!(ids(&second), media[2..4]);
    assert!(second.body["paging"]["previous"].as_str().is_some());
    let third = server
        .graph(Method::GET, second.body["paging"]["next"].as_str().unwrap())
        .send()
        .await;
    assert_eq!(ids(&third), media[4..5]);
    assert!(third.body["paging"].get("next").is_none());

    // Going back from the second page gives the first page again.
    let back = server
        .graph(
            Method::GET,
            second.body["paging"]["previous"].as_str().unwrap(),
        )
        .send()
        .await;
    assert_eq!(ids(&back), media[0..2]);

    let bad_cursor = server
        .get("/v24.0/me/media?after=garbage", &world.ig_token)
        .await;
    assert_eq!(
        bad_cursor.error().3,
        "(#100) The after parameter is not a valid cursor"
    );
    let bad_limit = server
        .get("/v24.0/me/media?limit=abc", &world.ig_token)
        .await;
    assert_eq!(bad_limit.error().3, "(#100) Param limit must be an integer");
    server.stop().await;
}

#[tokio::test]
async fn media_edge_filters_by_since_and_until() {
    // 004 changelog June 8, 2021: since/until on GET /{ig-user-id}/media.
    let server = TestServer::start().await;
    let (world, media) = world_with_media(&server, 5).await;
    let answer = server
        .get(
            "/v24.0/me/media?since=2026-01-02&until=2026-01-04T12:00:00Z",
            &world.ig_token,
        )
        .await;
    let ids: Vec<_> = answer.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(media[1]), json!(media[2]), json!(media[3])]);
    server.stop().await;
}

#[tokio::test]
async fn empty_edges_are_empty_lists() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let answer = server
        .get_fb(
            &format!("/v24.0/{}/tags", world.business_id()),
            &world.fb_token,
        )
        .await;
    assert_eq!(answer.body, json!({"data": []}));
    server.stop().await;
}

// ----- errors ----------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_objects_paths_and_methods_get_metas_errors() {
    let server = TestServer::start().await;
    let world = server.world().await;

    let fb_missing = server
        .get_fb("/v24.0/17841400000000001", &world.fb_token)
        .await;
    assert_eq!(fb_missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        fb_missing.error(),
        (
            100,
            Some(33),
            "GraphMethodException".into(),
            "Unsupported get request. Object with ID '17841400000000001' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api".into()
        )
    );
    assert_eq!(fb_missing.header("www-authenticate"), None);

    let ig_missing = server
        .get_ig("/v24.0/17841400000000001", &world.ig_token)
        .await;
    assert_eq!(
        ig_missing.error(),
        (
            100,
            Some(33),
            "IGApiException".into(),
            "Unsupported get request. Object with ID '17841400000000001' does not exist, cannot be loaded due to missing permissions, or does not support this operation".into()
        )
    );

    let post = server
        .graph(Method::POST, &format!("/v24.0/{}", world.business_id()))
        .bearer(&world.ig_token)
        .send()
        .await;
    assert_eq!(post.error().1, Some(33));
    assert!(post.error().3.starts_with("Unsupported post request."));

    let deep = server.get("/v24.0/me/media/extra", &world.ig_token).await;
    assert_eq!(
        deep.error(),
        (
            2500,
            None,
            "OAuthException".into(),
            "Unknown path components: /extra".into()
        )
    );

    let alias = server.get("/v24.0/nosuchthing", &world.ig_token).await;
    assert_eq!(alias.status, StatusCode::NOT_FOUND);
    assert_eq!(
        alias.error(),
        (
            803,
            None,
            "OAuthException".into(),
            "(#803) Some of the aliases you requested do not exist: nosuchthing".into()
        )
    );

    let put = server
        .graph(Method::PUT, "/v24.0/me")
        .bearer(&world.ig_token)
        .send()
        .await;
    assert_eq!(put.error().3, "Unsupported method: PUT");
    server.stop().await;
}

#[tokio::test]
async fn missing_tokens_get_their_own_errors() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let me = server.graph(Method::GET, "/v24.0/me").send().await;
    assert_eq!(
        me.error(),
        (
            2500,
            None,
            "OAuthException".into(),
            "An active access token must be used to query information about the current user."
                .into()
        )
    );
    let node = server
        .graph(Method::GET, &format!("/v24.0/{}", world.business_id()))
        .send()
        .await;
    assert_eq!(
        node.error(),
        (
            104,
            None,
            "OAuthException".into(),
            "An access token is required to request this resource.".into()
        )
    );
    server.stop().await;
}

#[tokio::test]
async fn malformed_bodies_never_panic() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let url = "/v24.0/me";
    let bad_json = server
        .graph(Method::POST, url)
        .bearer(&world.ig_token)
        .header("Content-Type", "application/json")
        .body("{nope")
        .send()
        .await;
    assert_eq!(bad_json.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad_json.error().3,
        "(#100) The request body could not be parsed"
    );
    let not_object = server
        .graph(Method::POST, url)
        .bearer(&world.ig_token)
        .header("Content-Type", "application/json")
        .body("[1,2]")
        .send()
        .await;
    assert_eq!(not_object.error().0, 100);
    let bad_multipart = server
        .graph(Method::POST, url)
        .bearer(&world.ig_token)
        .header("Content-Type", "multipart/form-data; boundary=xyz")
        .body("garbage")
        .send()
        .await;
    assert_eq!(bad_multipart.error().0, 100);
    let too_large = server
        .graph(Method::POST, url)
        .bearer(&world.ig_token)
        .body(vec![b'a'; 33 * 1024 * 1024])
        .send()
        .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.error().3, "(#100) The request body is too large");
    let binary = server
        .graph(Method::GET, "/v24.0/me?fields=%FF%FE")
        .token(&world.ig_token)
        .send()
        .await;
    assert_eq!(binary.status, StatusCode::BAD_REQUEST);
    server.stop().await;
}

// ----- /me, multi-node reads, batch ------------------------------------------------------------

#[tokio::test]
async fn me_resolves_to_the_tokens_owner() {
    // ref 001 L1666-1672 (/me).
    let server = TestServer::start().await;
    let world = server.world().await;
    let fb_user = world.business["facebook_user_id"].as_str().unwrap();
    let fb = server.get_fb("/v24.0/me", &world.fb_token).await;
    assert_eq!(
        fb.body,
        json!({"id": fb_user, "name": "Metricsaurus Admin"})
    );
    let ig = server
        .get_ig("/v24.0/me?fields=username", &world.creator_token)
        .await;
    assert_eq!(ig.body["username"], json!("dino.creator"));
    server.stop().await;
}

#[tokio::test]
async fn multi_node_reads_answer_an_object_keyed_by_id() {
    let server = TestServer::start().await;
    let (world, media) = world_with_media(&server, 2).await;
    let id = world.business_id();
    let answer = server
        .get_fb(
            &format!("/v24.0/?ids={id},{}&fields=id", media[0]),
            &world.fb_token,
        )
        .await;
    assert_eq!(
        answer.body,
        json!({id: {"id": id}, media[0].clone(): {"id": media[0]}})
    );
    // The relaxed list syntax works for ids too.
    let relaxed = server
        .get_fb(
            &format!("/v24.0/?ids=['{id}']&fields=username"),
            &world.fb_token,
        )
        .await;
    assert_eq!(
        relaxed.body,
        json!({id: {"username": "metricsaurus", "id": id}})
    );
    let missing = server
        .get_fb(
            &format!("/v24.0/?ids={id},17841499999999999"),
            &world.fb_token,
        )
        .await;
    assert_eq!(
        missing.error().3,
        "(#803) Some of the aliases you requested do not exist: 17841499999999999"
    );
    let none = server.get_fb("/v24.0/", &world.fb_token).await;
    assert_eq!(none.error().3, "(#100) The parameter ids is required");
    server.stop().await;
}

#[tokio::test]
async fn batch_requests_run_each_operation() {
    let server = TestServer::start().await;
    let (world, media) = world_with_media(&server, 1).await;
    let batch = json!([
        {"method": "GET", "relative_url": "me?fields=username"},
        {"method": "GET", "relative_url": "v24.0/17841400000000001"},
        {"method": "GET", "name": "first", "relative_url": "me/media?limit=1"},
        {"method": "GET", "relative_url": "{result=first:$.data.0.id}?fields=caption"}
    ]);
    let answer = server
        .graph(Method::POST, "/v24.0/")
        .form(&[
            ("batch", batch.to_string()),
            ("access_token", world.ig_token.clone()),
        ])
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let results = answer.body.as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(results[0]["code"], json!(200));
    assert_eq!(
        results[0]["headers"],
        json!([{"name": "Content-Type", "value": "application/json; charset=UTF-8"}])
    );
    let body0: Value = serde_json::from_str(results[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body0["username"], json!("metricsaurus"));
    assert_eq!(results[1]["code"], json!(400));
    let body1: Value = serde_json::from_str(results[1]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body1["error"]["error_subcode"], json!(33));
    // Named operations' responses are omitted by default.
    assert_eq!(results[2], Value::Null);
    let body3: Value = serde_json::from_str(results[3]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body3, json!({"caption": "post 0", "id": media[0]}));

    // The relaxed syntax the docs use works for the batch parameter too.
    let relaxed = server
        .graph(Method::POST, "/v24.0/")
        .bearer(&world.ig_token)
        .form(&[
            (
                "batch",
                "[{method:'GET', relative_url:'me?fields=username'}]",
            ),
            ("include_headers", "false"),
        ])
        .send()
        .await;
    assert_eq!(
        relaxed.body[0]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec!["code", "body"]
    );

    let too_many: Vec<Value> = (0..51)
        .map(|_| json!({"method": "GET", "relative_url": "me"}))
        .collect();
    let answer = server
        .graph(Method::POST, "/v24.0/")
        .bearer(&world.ig_token)
        .form(&[("batch", Value::Array(too_many).to_string())])
        .send()
        .await;
    assert_eq!(
        answer.error().3,
        "Too many requests in batch message. Maximum batch size is 50"
    );
    server.stop().await;
}

#[tokio::test]
async fn responses_escape_slashes_and_non_ascii_like_meta() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let answer = server
        .get_fb(
            &format!("/v24.0/{}?fields=website", world.business_id()),
            &world.fb_token,
        )
        .await;
    assert!(
        answer
            .text
            .contains(r#""website":"http:\/\/www.metricsaurus.com\/""#),
        "{}",
        answer.text
    );
    assert_eq!(
        answer.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    server.stop().await;
}

#[tokio::test]
async fn suppress_http_code_answers_errors_with_200() {
    // What the JavaScript SDK sends so a browser hands the error body to the script.
    let server = TestServer::start().await;
    let world = server.world().await;
    let answer = server
        .get(
            "/v24.0/me?fields=nope&suppress_http_code=1",
            &world.ig_token,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.error().0, 100);
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    server.stop().await;
}

#[tokio::test]
async fn method_override_turns_a_get_into_another_method() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let answer = server
        .get(
            &format!("/v24.0/{}?method=delete", world.business_id()),
            &world.ig_token,
        )
        .await;
    assert!(
        answer.error().3.starts_with("Unsupported delete request."),
        "{}",
        answer.text
    );
    let _ = Method::GET;
    server.stop().await;
}

#[tokio::test]
async fn graph_video_is_served_as_graph_facebook_com() {
    // ref 001 L1615-1616: video uploads use graph-video.facebook.com; localgram answers it
    // as graph.facebook.com (and intercepts it in the proxy, src/proxy/mod.rs).
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    let video = server
        .graph(Method::GET, &format!("/v24.0/{id}?fields=username"))
        .on(common::Host::Named("graph-video.facebook.com"))
        .bearer(&world.fb_token)
        .send()
        .await;
    assert_eq!(video.status, StatusCode::OK, "{}", video.text);
    assert_eq!(video.body, json!({"username": "metricsaurus", "id": id}));
    // An Instagram token is the other login's there, as on graph.facebook.com.
    let refused = server
        .graph(Method::GET, &format!("/v24.0/{id}"))
        .on(common::Host::Named("graph-video.facebook.com"))
        .bearer(&world.ig_token)
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn order_is_not_supported_and_changes_nothing() {
    // ref 000 L54, 004 L1658: "Ordering results is not supported": an `order` parameter is
    // ignored and edges keep their own order (decisions.md).
    let server = TestServer::start().await;
    let (world, ids) = world_with_media(&server, 3).await;
    let id = world.business_id();
    for order in ["chronological", "reverse_chronological", "anything"] {
        let listed = server
            .get_ig(&format!("/v24.0/{id}/media?order={order}"), &world.ig_token)
            .await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
        let got: Vec<&str> = listed.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap())
            .collect();
        assert_eq!(got, ids, "{order}");
    }
}

#[tokio::test]
async fn a_create_with_fields_reads_the_new_node_back() {
    // ref 001 L1725-1744: read-after-write; without `fields` only the id (001 L1729).
    let server = TestServer::start().await;
    let (world, ids) = world_with_media(&server, 1).await;
    freeze_at(&server, "2026-02-01T10:00:00Z").await;
    let media = &ids[0];
    let plain = server
        .graph(Method::POST, &format!("/v24.0/{media}/comments"))
        .bearer(&world.ig_token)
        .form(&[("message", "first")])
        .send()
        .await;
    assert_eq!(keys(&plain.body), ["id"]);
    let read = server
        .graph(Method::POST, &format!("/v24.0/{media}/comments"))
        .bearer(&world.ig_token)
        .form(&[("message", "second"), ("fields", "text,timestamp,id")])
        .send()
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let id = read.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        read.body,
        json!({"text": "second", "timestamp": "2026-02-01T10:00:00+0000", "id": id})
    );
    // The same answer as the read endpoint's.
    let get = server
        .get_ig(
            &format!("/v24.0/{id}?fields=text,timestamp,id"),
            &world.ig_token,
        )
        .await;
    assert_eq!(get.body, read.body);
    // A failed read is the read's error; the comment was still made (001 L1741-1744).
    let bad = server
        .graph(Method::POST, &format!("/v24.0/{media}/comments"))
        .bearer(&world.ig_token)
        .form(&[("message", "third"), ("fields", "nope")])
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error().0, 100);
    let listed = server
        .get_ig(
            &format!("/v24.0/{media}/comments?fields=text"),
            &world.ig_token,
        )
        .await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 3);
    // Replies read back too.
    let reply = server
        .graph(Method::POST, &format!("/v24.0/{id}/replies"))
        .bearer(&world.ig_token)
        .form(&[("message", "a reply"), ("fields", "text,parent_id")])
        .send()
        .await;
    assert_eq!(reply.body["text"], json!("a reply"));
    assert_eq!(reply.body["parent_id"], json!(id));
}

fn keys(value: &Value) -> Vec<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn instagram_v1_marketing_api_edges_are_gone() {
    // ref 004 L1213-1250: the Instagram v1.0 (Marketing API) endpoints are deprecated, an
    // error on v22.0+ from Jan 21, 2025 and on every version from May 20, 2025. localgram's
    // clock is past both dates here: every version answers an error (decisions.md).
    let server = TestServer::start().await;
    let world = server.world().await;
    freeze_at(&server, "2026-01-05T00:00:00Z").await;
    let page = world.page_id().to_string();
    for version in ["v21.0", "v22.0", "v24.0"] {
        for edge in ["instagram_accounts", "page_backed_instagram_accounts"] {
            let answer = server
                .get_fb(&format!("/{version}/{page}/{edge}"), &world.fb_token)
                .await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{version} {edge}");
            let (code, _, _, message) = answer.error();
            assert_eq!(code, 100, "{version} {edge}");
            assert!(message.contains(edge), "{message}");
        }
    }
}
