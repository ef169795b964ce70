//! The IG User node for both logins, the Page node that reaches it, and the access rules
//! around them. Reference: IG User 001 L5847-6095, Me 001 L8705-8735, Page 001 L8826-8883,
//! Getting Started 001 L1773-1892; samples in tests/fixtures/samples.json.

mod common;

use common::{assert_same_shape, TestServer};
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

#[tokio::test]
async fn facebook_login_reads_the_ig_user_as_the_sample_shows() {
    // Sample 001-ig-user-get-L6069: fields=biography,id,username,website (ref 001 L6069-6082).
    let server = TestServer::start().await;
    let world = server.world().await;
    let s = sample("001-ig-user-get-L6076");
    let id = world.business_id();
    let answer = server
        .get_fb(
            &format!("/v24.0/{id}?fields=biography,id,username,website"),
            &world.fb_token,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_same_shape(&answer.body, &s["response"], "$");
    assert_eq!(
        answer.body,
        json!({"biography": "Dino data crunching app", "id": id, "username": "metricsaurus", "website": "http://www.metricsaurus.com/"})
    );
    server.stop().await;
}

#[tokio::test]
async fn facebook_login_offers_every_documented_field() {
    // ref 001 L5880-5960: the IG User fields.
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    let fields = "biography,followers_count,follows_count,has_profile_pic,id,is_published,legacy_instagram_user_id,media_count,name,shopping_product_tag_eligibility,username,website";
    // shopping_product_tag_eligibility needs the two tagging permissions (001 L5878-5881).
    let tagging = server
        .token(
            world.app_id(),
            id,
            "facebook",
            Some(vec![
                "instagram_basic",
                "pages_read_engagement",
                "catalog_management",
                "instagram_shopping_tag_products",
            ]),
        )
        .await;
    let answer = server
        .get_fb(&format!("/v24.0/{id}?fields={fields}"), &tagging)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let body = answer.body.as_object().unwrap();
    assert_eq!(
        body.keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(","),
        fields
    );
    assert_eq!(answer.body["followers_count"], json!(5000));
    assert_eq!(answer.body["follows_count"], json!(12));
    assert_eq!(answer.body["media_count"], json!(0));
    assert_eq!(answer.body["has_profile_pic"], json!(false));
    assert_eq!(answer.body["is_published"], json!(true));
    assert_eq!(
        answer.body["shopping_product_tag_eligibility"],
        json!(false)
    );
    assert!(answer.body["legacy_instagram_user_id"]
        .as_str()
        .unwrap()
        .chars()
        .all(|c| c.is_ascii_digit()));
    // profile_picture_url is left out while the account has none.
    let none = server
        .get_fb(
            &format!("/v24.0/{id}?fields=profile_picture_url"),
            &world.fb_token,
        )
        .await;
    assert_eq!(none.body, json!({"id": id}));
    server.stop().await;
}

#[tokio::test]
async fn shopping_eligibility_needs_the_product_tagging_permissions() {
    // ref 001 L5878-5881: requesting shopping_product_tag_eligibility "you will also need"
    // catalog_management and instagram_shopping_tag_products; refused as product tagging
    // without them is (001 L48-56; decisions.md): 403, code 200.
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    for scopes in [
        vec!["instagram_basic", "pages_read_engagement"],
        vec![
            "instagram_basic",
            "pages_read_engagement",
            "catalog_management",
        ],
        vec![
            "instagram_basic",
            "pages_read_engagement",
            "instagram_shopping_tag_products",
        ],
    ] {
        let token = server
            .token(world.app_id(), id, "facebook", Some(scopes.clone()))
            .await;
        let refused = server
            .get_fb(
                &format!("/v24.0/{id}?fields=username,shopping_product_tag_eligibility"),
                &token,
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{scopes:?}");
        assert_eq!(
            refused.body["error"],
            json!({"message": "(#200) Requires catalog_management, instagram_shopping_tag_products permission to manage the object",
                   "type": "OAuthException", "code": 200, "fbtrace_id": refused.body["error"]["fbtrace_id"]})
        );
        // The node's other fields need nothing more.
        let plain = server
            .get_fb(&format!("/v24.0/{id}?fields=username"), &token)
            .await;
        assert_eq!(plain.body, json!({"username": "metricsaurus", "id": id}));
    }
    let both = server
        .token(
            world.app_id(),
            id,
            "facebook",
            Some(vec![
                "instagram_basic",
                "pages_read_engagement",
                "catalog_management",
                "instagram_shopping_tag_products",
            ]),
        )
        .await;
    let read = server
        .get_fb(
            &format!("/v24.0/{id}?fields=shopping_product_tag_eligibility"),
            &both,
        )
        .await;
    assert_eq!(
        read.body,
        json!({"shopping_product_tag_eligibility": false, "id": id})
    );
    server.stop().await;
}

#[tokio::test]
async fn instagram_login_me_has_an_app_scoped_id_and_the_user_id() {
    // ref 001 L8705-8735 (Me); decisions: "Instagram Login /me ids".
    let server = TestServer::start().await;
    let world = server.world().await;
    let fields = "id,user_id,username,name,account_type,followers_count,follows_count,media_count,biography,website";
    let me = server
        .get_ig(&format!("/v24.0/me?fields={fields}"), &world.ig_token)
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    let scoped = me.body["id"].as_str().unwrap().to_string();
    assert_ne!(scoped, world.business_id());
    assert!(scoped.starts_with("9001") && scoped.len() == 14, "{scoped}");
    assert_eq!(
        me.body,
        json!({"id": scoped, "user_id": world.business_id(), "username": "metricsaurus", "name": "Metricsaurus",
               "account_type": "BUSINESS", "followers_count": 5000, "follows_count": 12, "media_count": 0,
               "biography": "Dino data crunching app", "website": "http://www.metricsaurus.com/"})
    );
    // Both ids address the account.
    for id in [scoped.as_str(), world.business_id()] {
        let by_id = server
            .get_ig(
                &format!("/v24.0/{id}?fields=username,user_id"),
                &world.ig_token,
            )
            .await;
        assert_eq!(
            by_id.body,
            json!({"username": "metricsaurus", "user_id": world.business_id(), "id": scoped})
        );
    }
    // Creators show Instagram's MEDIA_CREATOR.
    let creator = server
        .get_ig("/v24.0/me?fields=account_type", &world.creator_token)
        .await;
    assert_eq!(creator.body["account_type"], json!("MEDIA_CREATOR"));
    server.stop().await;
}

#[tokio::test]
async fn fields_of_one_login_do_not_exist_on_the_other() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    let fb_only = server
        .get_ig(
            &format!("/v24.0/{id}?fields=legacy_instagram_user_id"),
            &world.ig_token,
        )
        .await;
    assert_eq!(
        fb_only.error().3,
        "(#100) Tried accessing nonexisting field (legacy_instagram_user_id) on node type (ShadowIGUser)"
    );
    let ig_only = server
        .get_fb(&format!("/v24.0/{id}?fields=account_type"), &world.fb_token)
        .await;
    assert_eq!(
        ig_only.error().3,
        "(#100) Tried accessing nonexisting field (account_type) on node type (ShadowIGUser)"
    );
    // Facebook-only edges are not there on graph.instagram.com either.
    let tags = server
        .get_ig(&format!("/v24.0/{id}/tags"), &world.ig_token)
        .await;
    assert_eq!(
        tags.error().3,
        "(#100) Tried accessing nonexisting field (tags) on node type (ShadowIGUser)"
    );
    server.stop().await;
}

#[tokio::test]
async fn edges_later_areas_fill_answer_as_empty_edges() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let id = world.business_id();
    // content_publishing_limit answers its own shape (tests/publishing_errors.rs).
    for edge in ["live_media", "stories"] {
        let answer = server
            .get_ig(&format!("/v24.0/me/{edge}"), &world.ig_token)
            .await;
        assert_eq!(answer.body, json!({"data": []}), "{edge}: {}", answer.text);
    }
    // available_catalogs and upcoming_events need their own permissions (issue #13:
    // tests/shopping.rs, tests/ig_user_extras.rs).
    for edge in ["tags", "recently_searched_hashtags"] {
        let answer = server
            .get_fb(&format!("/v24.0/{id}/{edge}"), &world.fb_token)
            .await;
        assert_eq!(answer.body, json!({"data": []}), "{edge}: {}", answer.text);
    }
    let expanded = server
        .get_fb(
            &format!("/v24.0/{id}?fields=tags,live_media"),
            &world.fb_token,
        )
        .await;
    assert_eq!(
        expanded.body,
        json!({"tags": {"data": []}, "live_media": {"data": []}, "id": id})
    );
    server.stop().await;
}

#[tokio::test]
async fn a_token_sees_only_its_own_accounts() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let creator_id = world.creator["id"].as_str().unwrap();
    // The business account's Instagram token cannot read the creator.
    let other = server
        .get_ig(&format!("/v24.0/{creator_id}"), &world.ig_token)
        .await;
    assert_eq!(other.error().1, Some(33));
    assert_eq!(other.error().2, "IGApiException");
    // The Facebook user reaches only the accounts linked to their Pages.
    let fb_other = server
        .get_fb(&format!("/v24.0/{creator_id}"), &world.fb_token)
        .await;
    assert_eq!(fb_other.error().1, Some(33));
    server.stop().await;
}

#[tokio::test]
async fn missing_permissions_are_refused() {
    // ref 001 L5860-5875: instagram_business_basic / instagram_basic + pages_read_engagement.
    let server = TestServer::start().await;
    let world = server.world().await;
    let token = server
        .token(
            world.app_id(),
            world.business_id(),
            "instagram",
            Some(vec!["instagram_business_content_publish"]),
        )
        .await;
    let answer = server.get_ig("/v24.0/me", &token).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.error(),
        (
            10,
            None,
            "OAuthException".into(),
            "(#10) Application does not have permission for this action".into()
        )
    );
    let fb = server
        .token(
            world.app_id(),
            world.business_id(),
            "facebook",
            Some(vec!["instagram_basic"]),
        )
        .await;
    let answer = server
        .get_fb(&format!("/v24.0/{}", world.business_id()), &fb)
        .await;
    assert_eq!(answer.error().0, 10);
    server.stop().await;
}

#[tokio::test]
async fn the_page_leads_to_the_ig_user_as_getting_started_shows() {
    // Sample 001-page-get-L8860 and Getting Started 001 L1833-1846.
    let server = TestServer::start().await;
    let world = server.world().await;
    let page = world.page_id();
    let s = sample("001-page-get-L8860");
    let answer = server
        .get_fb(
            &format!("/v24.0/{page}?fields=instagram_business_account"),
            &world.fb_token,
        )
        .await;
    assert_same_shape(&answer.body, &s["response"], "$");
    assert_eq!(
        answer.body,
        json!({"instagram_business_account": {"id": world.business_id()}, "id": page})
    );
    let nested = server
        .get_fb(
            &format!(
                "/v24.0/{page}?fields=name,instagram_business_account{{username,followers_count}}"
            ),
            &world.fb_token,
        )
        .await;
    assert_eq!(
        nested.body,
        json!({"name": "Metricsaurus", "instagram_business_account": {"username": "metricsaurus", "followers_count": 5000, "id": world.business_id()}, "id": page})
    );
    let defaults = server
        .get_fb(&format!("/v24.0/{page}"), &world.fb_token)
        .await;
    assert_eq!(defaults.body, json!({"id": page, "name": "Metricsaurus"}));
    server.stop().await;
}

#[tokio::test]
async fn media_of_the_user_render_with_owner_only_for_the_owner() {
    // ref 001 L520-700: owner returned only to the creator; sample 001-ig-media-get-L703.
    let server = TestServer::start().await;
    let world = server.world().await;
    let media = server
        .post_control(
            &format!("/accounts/{}/media", world.business_id()),
            json!({"caption": "hi", "timestamp": "2019-09-26T22:36:43Z"}),
        )
        .await;
    let id = media["id"].as_str().unwrap();
    let answer = server
        .get_ig(
            &format!("/v24.0/{id}?fields=id,media_type,media_url,owner,timestamp"),
            &world.ig_token,
        )
        .await;
    assert_same_shape(
        &answer.body,
        &sample("001-ig-media-get-L703")["response"],
        "$",
    );
    assert_eq!(answer.body["owner"], json!({"id": world.business_id()}));
    assert_eq!(answer.body["timestamp"], json!("2019-09-26T22:36:43+0000"));
    assert_eq!(answer.body["media_type"], json!("IMAGE"));
    let album = server
        .post_control(
            &format!("/accounts/{}/media", world.business_id()),
            json!({"media_type": "CAROUSEL_ALBUM", "children": 3}),
        )
        .await;
    let children = server
        .get_ig(
            &format!("/v24.0/{}/children", album["id"].as_str().unwrap()),
            &world.ig_token,
        )
        .await;
    assert_eq!(children.body["data"].as_array().unwrap().len(), 3);
    let counted = server
        .get_ig("/v24.0/me?fields=media_count", &world.ig_token)
        .await;
    assert_eq!(counted.body["media_count"], json!(2));
    server.stop().await;
}
