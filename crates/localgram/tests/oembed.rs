//! oEmbed (issue #13): `GET /instagram_oembed`. Reference: 001 L3151-3285 (guide and
//! samples), 004 L2945-3110; spec seed001a §20, seed002-004 §9.

mod common;

use common::{assert_same_shape, Host, TestServer, World};
use reqwest::{Method, StatusCode};
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

fn app_token(world: &World) -> String {
    format!(
        "{}|{}",
        world.app_id(),
        world.app["secret"].as_str().unwrap()
    )
}

fn client_token(world: &World) -> String {
    format!(
        "{}|{}",
        world.app_id(),
        world.app["client_token"].as_str().unwrap()
    )
}

/// A public post of the world's business account (clock before the field removal).
async fn post(server: &TestServer, world: &World, body: Value) -> Value {
    server
        .post_control(&format!("/accounts/{}/media", world.business_id()), body)
        .await
}

async fn oembed(server: &TestServer, query: &str, token: &str) -> common::Answer {
    server
        .get_fb(&format!("/v24.0/instagram_oembed?{query}"), token)
        .await
}

async fn before_the_removal(server: &TestServer) {
    server
        .post_control("/clock", json!({"set": "2025-06-01T00:00:00Z"}))
        .await;
}

#[tokio::test]
async fn an_app_token_gets_the_embed_as_the_sample_shows() {
    // Sample 001-instagram-oembed-get-L3225 (ref 001 L3225-3240): the default fields.
    let server = TestServer::start().await;
    let world = server.world().await;
    before_the_removal(&server).await;
    let media = post(&server, &world, json!({"caption": "Dino <data> & more"})).await;
    let permalink = media["permalink"].as_str().unwrap();
    let answer = oembed(&server, &format!("url={permalink}"), &app_token(&world)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_same_shape(
        &answer.body,
        &sample("001-instagram-oembed-get-L3225")["response"],
        "$",
    );
    let body = &answer.body;
    assert_eq!(body["version"], json!("1.0"));
    assert_eq!(body["author_name"], json!("metricsaurus"));
    assert_eq!(body["provider_name"], json!("Instagram"));
    assert_eq!(body["provider_url"], json!("https://www.instagram.com/"));
    assert_eq!(body["type"], json!("rich"));
    assert_eq!(body["width"], json!(658));
    assert_eq!(
        (
            body["thumbnail_width"].clone(),
            body["thumbnail_height"].clone()
        ),
        (json!(640), json!(640))
    );
    // The blockquote renders the post from localgram's media host, caption escaped, then
    // embed.js.
    let html = body["html"].as_str().unwrap();
    assert!(html.starts_with("<blockquote class=\"instagram-media\" data-instgrm-captioned data-instgrm-permalink=\""), "{html}");
    assert!(html.contains(&format!("{permalink}?utm_source=ig_embed")));
    assert!(
        html.contains(&format!("<img src=\"{}/media/", server.base)),
        "{html}"
    );
    assert!(html.contains("Dino &lt;data&gt; &amp; more"));
    assert!(html.ends_with("<script async src=\"//www.instagram.com/embed.js\"></script>"));
    // The image the embed shows is served.
    let src = html
        .split("<img src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let image = reqwest::get(src).await.unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn client_tokens_work_with_the_app_id_and_fail_alone() {
    // Ref 001 L3198-3200: a client token must be combined with the app id using a pipe,
    // otherwise the request fails; the token may come as a Bearer header (ref 001 L3210).
    let server = TestServer::start().await;
    let world = server.world().await;
    let media = post(&server, &world, json!({})).await;
    let url = media["permalink"].as_str().unwrap();
    let ok = oembed(&server, &format!("url={url}"), &client_token(&world)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let bearer = server
        .graph(Method::GET, &format!("/v24.0/instagram_oembed?url={url}"))
        .on(Host::Facebook)
        .bearer(&client_token(&world))
        .send()
        .await;
    assert_eq!(bearer.status, StatusCode::OK, "{}", bearer.text);
    let bare = oembed(
        &server,
        &format!("url={url}"),
        world.app["client_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST);
    assert_eq!(bare.error().0, 190);
    // A user token is not an app or client token.
    let user = oembed(&server, &format!("url={url}"), &world.fb_token).await;
    assert_eq!(user.status, StatusCode::BAD_REQUEST, "{}", user.text);
    // No token at all.
    let none = server
        .graph(Method::GET, &format!("/v24.0/instagram_oembed?url={url}"))
        .on(Host::Facebook)
        .send()
        .await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    server.stop().await;
}

#[tokio::test]
async fn every_url_form_and_the_parameters() {
    // Ref 001 L3245-3250 (URL forms, percent-encoded and without the trailing slash as the
    // samples send them, ref 001 L3215-3220), maxwidth (L3257-3259), omitscript
    // (L3252-3255), hidecaption, fields (L3261-3275, sample L3269).
    let server = TestServer::start().await;
    let world = server.world().await;
    before_the_removal(&server).await;
    let media = post(&server, &world, json!({"caption": "hello"})).await;
    let code = media["shortcode"].as_str().unwrap();
    let token = app_token(&world);
    for url in [
        format!("https://www.instagram.com/p/{code}/"),
        format!("https://www.instagram.com/p/{code}"),
        format!("https%3A%2F%2Fwww.instagram.com%2Fp%2F{code}"),
        format!("https://www.instagram.com/tv/{code}/"),
        format!("https://www.instagram.com/reel/{code}/?utm_source=ig_web_copy_link"),
    ] {
        let answer = oembed(&server, &format!("url={url}"), &token).await;
        assert_eq!(answer.status, StatusCode::OK, "{url}: {}", answer.text);
    }
    let url = format!("https://www.instagram.com/p/{code}/");
    let narrow = oembed(
        &server,
        &format!("url={url}&maxwidth=400&omitscript=true&hidecaption=true"),
        &token,
    )
    .await;
    assert_eq!(narrow.body["width"], json!(400));
    assert_eq!(narrow.body["thumbnail_width"], json!(400));
    let html = narrow.body["html"].as_str().unwrap();
    assert!(html.contains("max-width:400px"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("data-instgrm-captioned") && !html.contains(">hello<"));
    let thumb = oembed(
        &server,
        &format!(
            "url={url}&maxwidth=320&fields=thumbnail_url,author_name,provider_name,provider_url"
        ),
        &token,
    )
    .await;
    assert_same_shape(
        &thumb.body,
        &sample("001-instagram-oembed-get-L3269")["response"],
        "$",
    );
    assert!(thumb.body["thumbnail_url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/media/", server.base)));
    let author = oembed(&server, &format!("url={url}&fields=author_url"), &token).await;
    assert_eq!(
        author.body,
        json!({"author_url": "https://www.instagram.com/metricsaurus"})
    );
    let unknown = oembed(&server, &format!("url={url}&fields=likes"), &token).await;
    assert_eq!(
        unknown.error().3,
        "(#100) Tried accessing nonexisting field (likes) on node type (InstagramOembed)"
    );
    let no_url = oembed(&server, "maxwidth=300", &token).await;
    assert_eq!(no_url.error().3, "(#100) The parameter url is required");
    let bad_width = oembed(&server, &format!("url={url}&maxwidth=wide"), &token).await;
    assert_eq!(bad_width.error().0, 100);
    let not_instagram = oembed(&server, "url=https://example.com/p/abc/", &token).await;
    assert_eq!(not_instagram.status, StatusCode::BAD_REQUEST);
    assert!(not_instagram.error().3.starts_with("(#100) Invalid URL"));
    server.stop().await;
}

#[tokio::test]
async fn the_removed_fields_are_gone_from_november_3_2025() {
    // Ref 001 L3160-3170, 004 changelog: author_name, author_url, thumbnail_url,
    // thumbnail_width and thumbnail_height are no longer returned from November 3, 2025.
    let server = TestServer::start().await;
    let world = server.world().await;
    let media = post(&server, &world, json!({})).await;
    let url = media["permalink"].as_str().unwrap().to_string();
    let token = app_token(&world);
    server
        .post_control("/clock", json!({"set": "2025-11-02T23:59:59Z"}))
        .await;
    let before = oembed(&server, &format!("url={url}"), &token).await;
    assert!(
        before.body.get("author_name").is_some() && before.body.get("thumbnail_width").is_some()
    );
    server
        .post_control("/clock", json!({"set": "2025-11-03T00:00:00Z"}))
        .await;
    let after = oembed(&server, &format!("url={url}"), &token).await;
    let keys: Vec<&str> = after
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        vec![
            "version",
            "provider_name",
            "provider_url",
            "type",
            "width",
            "html"
        ]
    );
    let asked = oembed(
        &server,
        &format!("url={url}&fields=author_name,thumbnail_url,html"),
        &token,
    )
    .await;
    let keys: Vec<&str> = asked
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, vec!["html"]);
    server.stop().await;
}

#[tokio::test]
async fn private_inactive_age_restricted_disabled_and_stories_are_refused() {
    // Ref 001 L3176-3183: posts of private, inactive and age-restricted accounts, accounts
    // that disabled embeds, and stories are not supported.
    let server = TestServer::start().await;
    let world = server.world().await;
    let token = app_token(&world);
    let refused = |answer: &common::Answer| {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
        assert_eq!(answer.error().0, 100);
        assert!(
            answer.error().3.starts_with("(#100) No oEmbed data"),
            "{}",
            answer.text
        );
    };
    let media = post(&server, &world, json!({})).await;
    let url = media["permalink"].as_str().unwrap().to_string();
    let id = world.business_id();
    for switch in ["is_private", "inactive", "age_gated", "embeds_disabled"] {
        server
            .post_control(&format!("/accounts/{id}/discovery"), json!({switch: true}))
            .await;
        refused(&oembed(&server, &format!("url={url}"), &token).await);
        server
            .post_control(&format!("/accounts/{id}/discovery"), json!({switch: false}))
            .await;
        assert_eq!(
            oembed(&server, &format!("url={url}"), &token).await.status,
            StatusCode::OK
        );
    }
    let story = post(&server, &world, json!({"media_product_type": "STORY"})).await;
    refused(
        &oembed(
            &server,
            &format!("url={}", story["permalink"].as_str().unwrap()),
            &token,
        )
        .await,
    );
    refused(
        &oembed(
            &server,
            "url=https://www.instagram.com/p/NoSuchPost1/",
            &token,
        )
        .await,
    );
    // Guides are not modelled: no guide can be embedded.
    refused(
        &oembed(
            &server,
            "url=https://www.instagram.com/metricsaurus/guide/spots/17800000000000001",
            &token,
        )
        .await,
    );
    // A person's public post embeds; a private person's does not.
    let person = server
        .post_control("/people", json!({"username": "photo.fan"}))
        .await;
    let person_id = person["id"].as_str().unwrap();
    let theirs = server
        .post_control(
            &format!("/people/{person_id}/media"),
            json!({"caption": "mine"}),
        )
        .await;
    let their_url = theirs["permalink"].as_str().unwrap().to_string();
    let ok = oembed(&server, &format!("url={their_url}"), &token).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    server
        .post_control(
            &format!("/people/{person_id}/discovery"),
            json!({"is_private": true}),
        )
        .await;
    refused(&oembed(&server, &format!("url={their_url}"), &token).await);
    server.stop().await;
}
