//! Publishing, what a container's `user_tags` and `collaborators` do once published (issue
//! #11): no accepted parameter is dropped. Tagged professional accounts find the media on their
//! `tags` edge; collaborators are invited, listed on the media's `collaborators` edge with their
//! invite status, and answer through the control API. Reference: `user_tags` 001 L341-349,
//! `collaborators` 001 L257-263, the tags edge 001 L8605-8704, the collaborators edge 001
//! L4840-4931.

mod common;
#[macro_use]
#[path = "publishing/support.rs"]
mod support;

use support::*;

/// The creator account's Facebook Login token (it has no Page, so it reads its tags with
/// the token of the business's Facebook user only when it manages it: a Page is needed).
async fn tagged_account(t: &T, username: &str) -> (String, String) {
    let account = t
        .server
        .post_control(
            "/accounts",
            json!({"username": username, "account_type": "BUSINESS", "facebook_page": true}),
        )
        .await;
    let id = account["id"].as_str().unwrap().to_string();
    let token = t
        .server
        .token(t.world.app_id(), &id, "facebook", None)
        .await;
    (id, token)
}

async fn tags(t: &T, account: &str, token: &str, query: &str) -> Answer {
    t.server
        .get_fb(&format!("/v24.0/{account}/tags?{query}"), token)
        .await
}

fn ids(answer: &Answer) -> Vec<String> {
    answer.body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", answer.text))
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn user_tags_put_the_media_on_the_tagged_accounts_tags_edge() {
    // ref 001 L341-349 (user_tags), L8605-8620 (the tags edge: media in which the account was
    // tagged by another Instagram user, default field id, cursors only).
    let t = T::start().await;
    let (roaster, token) = tagged_account(&t, "roaster.co").await;
    t.person("ana.sousa", false).await;
    let url = t.cdn.jpeg("a.jpg", 1080, 1080);
    let container = t
        .created(&[
            ("image_url", &url),
            ("caption", "Beans from our friends"),
            (
                "user_tags",
                "[{username:'roaster.co',x:0.5,y:0.8},{username:'ana.sousa',x:0.3,y:0.2}]",
            ),
        ])
        .await;
    // Not before it is published.
    assert!(ids(&tags(&t, &roaster, &token, "").await).is_empty());
    let media = t.published(&container).await;
    let listed = tags(&t, &roaster, &token, "fields=id,username,caption").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(
        listed.body["data"],
        json!([{"id": media, "username": "metricsaurus", "caption": "Beans from our friends"}])
    );
    // Through field expansion on the tagged account, too.
    let expanded = t
        .server
        .get_fb(
            &format!("/v24.0/{roaster}?fields=tags{{id,media_type}}"),
            &token,
        )
        .await;
    assert_eq!(
        expanded.body["tags"]["data"],
        json!([{"id": media, "media_type": "IMAGE"}])
    );
    // The publisher is not tagged in its own media.
    let own = tags(&t, t.id(), &t.world.fb_token, "").await;
    assert_eq!(own.body, json!({"data": []}));
    t.server.stop().await;
}

#[tokio::test]
async fn tags_from_reels_and_carousel_items_and_stories() {
    // ref 001 L341-349: images, videos (not in carousels) and stories take user_tags; a
    // carousel item's tag tags the album, which is what the edge lists; stories list while
    // they last (24 hours, ref 001 L8530-8545).
    let t = T::start().await;
    let (roaster, token) = tagged_account(&t, "roaster.co").await;
    let tag = "[{username:'roaster.co',x:0.5,y:0.5}]";
    let reel_url = video_url(&t, "reel.mp4");
    let reel = t
        .created(&[
            ("media_type", "REELS"),
            ("video_url", &reel_url),
            ("user_tags", "[{username:'roaster.co'}]"),
        ])
        .await;
    t.advance(10.0).await;
    let reel = t.published(&reel).await;
    t.advance(1.0).await;
    let first = t.cdn.jpeg("1.jpg", 1080, 1080);
    let second = t.cdn.jpeg("2.jpg", 1080, 1080);
    let tagged_item = t
        .created(&[
            ("image_url", &first),
            ("is_carousel_item", "true"),
            ("user_tags", tag),
        ])
        .await;
    let plain_item = t
        .created(&[("image_url", &second), ("is_carousel_item", "true")])
        .await;
    let album = t
        .created(&[
            ("media_type", "CAROUSEL"),
            ("children", &format!("{tagged_item},{plain_item}")),
        ])
        .await;
    let album = t.published(&album).await;
    t.advance(1.0).await;
    let story_url = t.cdn.jpeg("s.jpg", 1080, 1920);
    let story = t
        .created(&[
            ("media_type", "STORIES"),
            ("image_url", &story_url),
            ("user_tags", "[{username:'roaster.co'}]"),
        ])
        .await;
    let story = t.published(&story).await;
    let listed = tags(&t, &roaster, &token, "fields=media_product_type").await;
    assert_eq!(
        listed.body["data"],
        json!([
            {"media_product_type": "STORY", "id": story},
            {"media_product_type": "FEED", "id": album},
            {"media_product_type": "REELS", "id": reel}
        ])
    );
    // A day later the story is gone from the edge, the posts stay.
    t.advance(86_400.0).await;
    assert_eq!(
        ids(&tags(&t, &roaster, &token, "").await),
        [album.clone(), reel.clone()]
    );
    t.server.stop().await;
}

#[tokio::test]
async fn the_tags_edge_pages_by_cursor_without_links() {
    // ref 001 L8680-8684: before and after cursors, no previous or next; same-second media
    // keep the order they were published in.
    let t = T::start().await;
    let (roaster, token) = tagged_account(&t, "roaster.co").await;
    let mut published = Vec::new();
    for i in 0..3 {
        let url = t.cdn.jpeg(&format!("{i}.jpg"), 1080, 1080);
        let container = t
            .created(&[
                ("image_url", &url),
                ("user_tags", "[{username:'roaster.co',x:0.1,y:0.1}]"),
            ])
            .await;
        published.push(t.published(&container).await);
    }
    published.reverse();
    let first = tags(&t, &roaster, &token, "limit=2").await;
    assert_eq!(ids(&first), published[..2]);
    let paging = &first.body["paging"];
    assert!(paging.get("next").is_none() && paging.get("previous").is_none());
    let after = paging["cursors"]["after"].as_str().unwrap();
    let second = tags(&t, &roaster, &token, &format!("limit=2&after={after}")).await;
    assert_eq!(ids(&second), published[2..]);
    let before = second.body["paging"]["cursors"]["before"].as_str().unwrap();
    let back = tags(&t, &roaster, &token, &format!("limit=2&before={before}")).await;
    assert_eq!(ids(&back), published[..2]);
    t.server.stop().await;
}

#[tokio::test]
async fn collaborators_are_invited_and_answer_through_the_control_api() {
    // ref 001 L257-263 (collaborators on a container), L4840-4931 (the edge: id, username,
    // invite_status Accepted or Pending; the sample's "Accpeted" is a typo).
    let t = T::start().await;
    let (roaster, _) = tagged_account(&t, "roaster.co").await;
    t.person("ana.sousa", false).await;
    let url = t.cdn.jpeg("a.jpg", 1080, 1080);
    let container = t
        .created(&[
            ("image_url", &url),
            ("collaborators", "['roaster.co','ana.sousa']"),
        ])
        .await;
    let media = t.published(&container).await;
    let edge = |media: String| {
        let t = &t;
        async move {
            let answer = t
                .server
                .get_fb(&format!("/v24.0/{media}/collaborators"), &t.world.fb_token)
                .await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
            answer.body
        }
    };
    let people = t.server.get_control("/people").await;
    let ana = people["data"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        edge(media.clone()).await,
        json!({"data": [
            {"id": roaster, "username": "roaster.co", "invite_status": "Pending"},
            {"id": ana, "username": "ana.sousa", "invite_status": "Pending"}
        ]})
    );
    // The invited side as the control API shows it.
    assert_eq!(
        t.server
            .get_control(&format!("/media/{media}/collaborators"))
            .await,
        json!({"data": [
            {"username": "roaster.co", "invite_status": "Pending"},
            {"username": "ana.sousa", "invite_status": "Pending"}
        ]})
    );
    // roaster.co accepts, ana.sousa declines and leaves the list.
    assert_eq!(
        t.server
            .post_control(
                &format!("/media/{media}/collaborators/roaster.co/accept"),
                json!({})
            )
            .await,
        json!({"success": true, "username": "roaster.co", "invite_status": "Accepted"})
    );
    assert_eq!(
        t.server
            .post_control(
                &format!("/media/{media}/collaborators/ana.sousa/decline"),
                json!({})
            )
            .await,
        json!({"success": true, "username": "ana.sousa", "invite_status": "Declined"})
    );
    assert_eq!(
        edge(media.clone()).await,
        json!({"data": [{"id": roaster, "username": "roaster.co", "invite_status": "Accepted"}]})
    );
    // Someone who was not invited cannot answer.
    let stranger = t
        .server
        .control_api(
            Method::POST,
            &format!("/media/{media}/collaborators/ana.sousa/accept"),
        )
        .send()
        .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    assert_eq!(
        stranger.body,
        json!({"error": {"message": format!("@ana.sousa was not invited on media {media}"), "status": 404}})
    );
    t.server.stop().await;
}
