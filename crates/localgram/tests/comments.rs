//! Media and the conversation around it: the comments edge, the comment node, replies,
//! moderation, mentions, tags, stories and live media, with people played through the control
//! API. Reference: comments edge 001 L4933-5032, comment node 001 L3623-3831, replies 001
//! L3833-3914, comment_enabled 001 L754-796, mentions 001 L7975-8304, tags 001 L8605-8704,
//! stories 001 L8530-8604, live media 001 L7407-7522, collaborators 001 L4840-4931.

mod common;

use common::{Answer, Host, TestServer, World};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

struct Scene {
    world: World,
    media: String,
    ana: String,
    sam: String,
}

async fn scene(server: &TestServer) -> Scene {
    let world = server.world().await;
    let media = server
        .post_control(
            &format!("/accounts/{}/media", world.business_id()),
            json!({"caption": "Our new roast"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ana = server
        .post_control("/people", json!({"username": "ana.sousa", "name": "Ana"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sam = server
        .post_control("/people", json!({"username": "sam_tries"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    Scene {
        world,
        media,
        ana,
        sam,
    }
}

async fn comment(
    server: &TestServer,
    person: &str,
    media: &str,
    text: &str,
    parent: Option<&str>,
) -> String {
    let mut body = json!({"media_id": media, "text": text});
    if let Some(parent) = parent {
        body["parent_id"] = json!(parent);
    }
    server
        .post_control(&format!("/people/{person}/comments"), body)
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn ids(answer: &Answer) -> Vec<String> {
    answer.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_comments_edge_lists_top_level_comments_newest_first() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    server
        .post_control(
            "/clock",
            json!({"set": "2026-01-01T10:00:00Z", "frozen": true}),
        )
        .await;
    let first = comment(&server, &s.ana, &s.media, "This is awesome!", None).await;
    server
        .post_control("/clock", json!({"advance_seconds": 60}))
        .await;
    let second = comment(&server, &s.sam, &s.media, "*Sniff*", None).await;
    let reply = comment(&server, &s.ana, &s.media, "agreed", Some(&second)).await;

    // Default fields are timestamp, text, id; replies are not listed (sample
    // 001-ig-media-comments-get-L5008).
    let list = server
        .get_ig(&format!("/v24.0/{}/comments", s.media), &s.world.ig_token)
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert_eq!(
        list.body["data"],
        json!([
            {"timestamp": "2026-01-01T10:01:00+0000", "text": "*Sniff*", "id": second},
            {"timestamp": "2026-01-01T10:00:00+0000", "text": "This is awesome!", "id": first}
        ])
    );
    // Replies come through expansion.
    let expanded = server
        .get_ig(
            &format!(
                "/v24.0/{}/comments?fields=text,replies{{text,parent_id}}",
                s.media
            ),
            &s.world.ig_token,
        )
        .await;
    assert_eq!(
        expanded.body["data"][0]["replies"]["data"],
        json!([{"text": "agreed", "parent_id": second, "id": reply}])
    );
    // comments_count includes replies (ref 001 L553-556).
    let media = server
        .get_ig(
            &format!("/v24.0/{}?fields=comments_count", s.media),
            &s.world.ig_token,
        )
        .await;
    assert_eq!(media.body["comments_count"], json!(3));
    server.stop().await;
}

#[tokio::test]
async fn comment_pages_hold_at_most_50_and_stay_stable() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    server
        .post_control(
            "/clock",
            json!({"set": "2026-01-01T00:00:00Z", "frozen": true}),
        )
        .await;
    let mut made = Vec::new();
    for i in 0..60 {
        server
            .post_control("/clock", json!({"advance_seconds": 1}))
            .await;
        made.push(comment(&server, &s.ana, &s.media, &format!("c{i}"), None).await);
    }
    made.reverse();
    let first = server
        .get_ig(
            &format!("/v24.0/{}/comments?limit=100", s.media),
            &s.world.ig_token,
        )
        .await;
    assert_eq!(ids(&first), made[..50]);
    // Between pages: a new comment arrives and one of the next page is deleted.
    comment(&server, &s.sam, &s.media, "late", None).await;
    let Answer { status, .. } = server
        .control_api(Method::DELETE, &format!("/comments/{}", made[55]))
        .send()
        .await;
    assert_eq!(status, StatusCode::OK);
    // The link points back at the host the app used (graph.instagram.com here).
    let next = first.body["paging"]["next"].as_str().unwrap();
    assert!(
        next.starts_with("http://graph.instagram.com/v24.0/"),
        "{next}"
    );
    let next = next.replacen("http://graph.instagram.com", &server.base, 1);
    let second = server
        .graph(Method::GET, &next)
        .on(Host::Instagram)
        .send()
        .await;
    let expected: Vec<String> = made[50..]
        .iter()
        .filter(|id| **id != made[55])
        .cloned()
        .collect();
    assert_eq!(ids(&second), expected);
    assert!(second.body["paging"].get("next").is_none());
    server.stop().await;
}

#[tokio::test]
async fn the_comment_node_shows_who_wrote_what() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    let by_ana = comment(&server, &s.ana, &s.media, "Love it", None).await;
    server
        .post_control(
            &format!("/people/{}/likes", s.sam),
            json!({"comment_id": by_ana}),
        )
        .await;
    let by_account = server
        .graph(Method::POST, &format!("/v24.0/{}/comments", s.media))
        .bearer(&s.world.ig_token)
        .form(&[("message", "Thanks!")])
        .send()
        .await;
    let by_account = by_account.body["id"].as_str().unwrap().to_string();

    let fields = "from,hidden,like_count,media,text,timestamp,user,username,parent_id";
    let ana = server
        .get_ig(
            &format!("/v24.0/{by_ana}?fields={fields}"),
            &s.world.ig_token,
        )
        .await;
    assert_eq!(ana.status, StatusCode::OK, "{}", ana.text);
    let igsid = ana.body["from"]["id"].as_str().unwrap();
    assert!(
        igsid.starts_with("52") && igsid.len() == 16,
        "an Instagram-scoped id: {igsid}"
    );
    assert_ne!(igsid, s.ana);
    assert_eq!(ana.body["from"]["username"], json!("ana.sousa"));
    assert_eq!(ana.body["hidden"], json!(false));
    assert_eq!(ana.body["like_count"], json!(1));
    assert_eq!(
        ana.body["media"],
        json!({"id": s.media, "media_product_type": "FEED"})
    );
    assert_eq!(ana.body["username"], json!("ana.sousa"));
    assert!(
        ana.body.get("user").is_none(),
        "user only for the app user's own comments"
    );
    assert!(ana.body.get("parent_id").is_none());
    // The same person has the same IGSID on the account's other comments.
    let again = comment(&server, &s.ana, &s.media, "again", None).await;
    let again = server
        .get_ig(&format!("/v24.0/{again}?fields=from"), &s.world.ig_token)
        .await;
    assert_eq!(again.body["from"]["id"], json!(igsid));

    let own = server
        .get_ig(
            &format!("/v24.0/{by_account}?fields=user,username,from"),
            &s.world.ig_token,
        )
        .await;
    assert_eq!(own.body["user"], json!({"id": s.world.business_id()}));
    assert_eq!(
        own.body["from"],
        json!({"id": s.world.business_id(), "username": "metricsaurus"})
    );

    // `username` needs the comment-management permission (ref 001 L3761-3765); without it the
    // comment cannot be read at all here, as the node needs it too.
    let basic = server
        .token(
            s.world.app_id(),
            s.world.business_id(),
            "instagram",
            Some(vec!["instagram_business_basic"]),
        )
        .await;
    assert_eq!(
        server
            .get_ig(&format!("/v24.0/{by_ana}"), &basic)
            .await
            .error()
            .0,
        10
    );
    server.stop().await;
}

#[tokio::test]
async fn replies_are_one_level_deep_and_hidden_comments_take_none() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    let top = comment(&server, &s.ana, &s.media, "top", None).await;
    let reply = comment(&server, &s.sam, &s.media, "reply", Some(&top)).await;
    // A reply to a reply joins the top-level comment (ref 001 L3840-3846).
    let answer = server
        .graph(Method::POST, &format!("/v24.0/{reply}/replies"))
        .bearer(&s.world.ig_token)
        .json(json!({"message": "Thanks for sharing!"}))
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let ours = answer.body["id"].as_str().unwrap().to_string();
    let node = server
        .get_ig(
            &format!("/v24.0/{ours}?fields=parent_id,text"),
            &s.world.ig_token,
        )
        .await;
    assert_eq!(
        node.body,
        json!({"parent_id": top, "text": "Thanks for sharing!", "id": ours})
    );
    let replies = server
        .get_ig(
            &format!("/v24.0/{top}/replies?fields=text"),
            &s.world.ig_token,
        )
        .await;
    assert_eq!(
        replies.body["data"],
        json!([{"text": "Thanks for sharing!", "id": ours}, {"text": "reply", "id": reply}])
    );

    // Hide it: still listed to the owner, marked hidden; no reply allowed.
    let hidden = server
        .graph(Method::POST, &format!("/v24.0/{top}?hide=true"))
        .bearer(&s.world.ig_token)
        .send()
        .await;
    assert_eq!(hidden.body, json!({"success": true}));
    let node = server
        .get_ig(&format!("/v24.0/{top}?fields=hidden"), &s.world.ig_token)
        .await;
    assert_eq!(node.body["hidden"], json!(true));
    let refused = server
        .graph(Method::POST, &format!("/v24.0/{top}/replies"))
        .bearer(&s.world.ig_token)
        .form(&[("message", "x")])
        .send()
        .await;
    assert_eq!(
        refused.error(),
        (
            100,
            None,
            "OAuthException".into(),
            "(#100) Cannot reply to a hidden comment".into()
        )
    );
    // Unhide.
    server
        .graph(Method::POST, &format!("/v24.0/{top}"))
        .bearer(&s.world.ig_token)
        .form(&[("hide", "false")])
        .send()
        .await;
    assert_eq!(
        server
            .get_ig(&format!("/v24.0/{top}?fields=hidden"), &s.world.ig_token)
            .await
            .body["hidden"],
        json!(false)
    );

    // The owner's own comments always stay visible (ref 001 L3790-3800).
    let own = server
        .graph(Method::POST, &format!("/v24.0/{}/comments", s.media))
        .bearer(&s.world.ig_token)
        .form(&[("message", "mine")])
        .send()
        .await;
    let own = own.body["id"].as_str().unwrap().to_string();
    server
        .graph(Method::POST, &format!("/v24.0/{own}?hide=true"))
        .bearer(&s.world.ig_token)
        .send()
        .await;
    assert_eq!(
        server
            .get_ig(&format!("/v24.0/{own}?fields=hidden"), &s.world.ig_token)
            .await
            .body["hidden"],
        json!(false)
    );
    let missing = server
        .graph(Method::POST, &format!("/v24.0/{own}"))
        .bearer(&s.world.ig_token)
        .send()
        .await;
    assert_eq!(missing.error().3, "(#100) The parameter hide is required");
    server.stop().await;
}

#[tokio::test]
async fn deleting_a_comment_takes_its_replies_and_only_the_media_owner_may() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    let top = comment(&server, &s.ana, &s.media, "top", None).await;
    let reply = comment(&server, &s.sam, &s.media, "reply", Some(&top)).await;
    let other = comment(&server, &s.sam, &s.media, "other", None).await;
    // Another account cannot.
    let creator = server
        .graph(Method::DELETE, &format!("/v24.0/{top}"))
        .bearer(&s.world.creator_token)
        .send()
        .await;
    assert_eq!(creator.error().1, Some(33));
    let deleted = server
        .graph(Method::DELETE, &format!("/v24.0/{top}"))
        .bearer(&s.world.ig_token)
        .send()
        .await;
    assert_eq!(deleted.body, json!({"success": true}));
    for gone in [&top, &reply] {
        assert_eq!(
            server
                .get_ig(&format!("/v24.0/{gone}"), &s.world.ig_token)
                .await
                .error()
                .1,
            Some(33)
        );
    }
    assert_eq!(
        server
            .get_ig(&format!("/v24.0/{top}/replies"), &s.world.ig_token)
            .await
            .error()
            .1,
        Some(33)
    );
    let list = server
        .get_ig(&format!("/v24.0/{}/comments", s.media), &s.world.ig_token)
        .await;
    assert_eq!(ids(&list), vec![other]);
    let media = server
        .get_ig(
            &format!("/v24.0/{}?fields=comments_count", s.media),
            &s.world.ig_token,
        )
        .await;
    assert_eq!(media.body["comments_count"], json!(1));
    server.stop().await;
}

#[tokio::test]
async fn turning_comments_off_refuses_new_ones() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    let off = server
        .graph(Method::POST, &format!("/v24.0/{}", s.media))
        .bearer(&s.world.ig_token)
        .form(&[("comment_enabled", "false")])
        .send()
        .await;
    assert_eq!(off.body, json!({"success": true}));
    let media = server
        .get_ig(
            &format!("/v24.0/{}?fields=is_comment_enabled", s.media),
            &s.world.ig_token,
        )
        .await;
    assert_eq!(media.body["is_comment_enabled"], json!(false));
    let api = server
        .graph(Method::POST, &format!("/v24.0/{}/comments", s.media))
        .bearer(&s.world.ig_token)
        .form(&[("message", "x")])
        .send()
        .await;
    assert_eq!(api.error().3, "(#100) Comments are disabled for this media");
    let Answer { status, body, .. } = server
        .control_api(Method::POST, &format!("/people/{}/comments", s.ana))
        .json(json!({"media_id": s.media, "text": "x"}))
        .send()
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["message"],
        json!("(#100) Comments are disabled for this media")
    );
    let missing = server
        .graph(Method::POST, &format!("/v24.0/{}", s.media))
        .bearer(&s.world.ig_token)
        .send()
        .await;
    assert_eq!(
        missing.error().3,
        "(#100) The parameter comment_enabled is required"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_mentioned_comment_on_media_with_comments_off_is_an_error() {
    // ref 001 L8112-8115: mentioned_comment errors when comments are disabled on the media
    // the account was @mentioned on (the code is not given: the comments-disabled error).
    let server = TestServer::start().await;
    let s = scene(&server).await;
    let account = s.world.business_id();
    let mentioning = comment(&server, &s.ana, &s.media, "Hey @metricsaurus", None).await;
    let path =
        format!("/v24.0/{account}?fields=mentioned_comment.comment_id({mentioning}){{text}}");
    let before = server.get_fb(&path, &s.world.fb_token).await;
    assert_eq!(
        before.body["mentioned_comment"]["text"],
        json!("Hey @metricsaurus")
    );
    let off = server
        .graph(Method::POST, &format!("/v24.0/{}", s.media))
        .bearer(&s.world.ig_token)
        .form(&[("comment_enabled", "false")])
        .send()
        .await;
    assert_eq!(off.body, json!({"success": true}));
    let after = server.get_fb(&path, &s.world.fb_token).await;
    assert_eq!(after.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        after.error(),
        (
            100,
            None,
            "OAuthException".to_string(),
            "(#100) Comments are disabled for this media".to_string()
        )
    );
    server.stop().await;
}

#[tokio::test]
async fn restricted_people_are_not_heard() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    comment(&server, &s.ana, &s.media, "from ana", None).await;
    let sams = comment(&server, &s.sam, &s.media, "from sam", None).await;
    server
        .post_control(
            &format!("/accounts/{}/restricted", s.world.business_id()),
            json!({"person_id": s.ana}),
        )
        .await;
    let list = server
        .get_ig(&format!("/v24.0/{}/comments", s.media), &s.world.ig_token)
        .await;
    assert_eq!(ids(&list), vec![sams]);
    server.stop().await;
}

#[tokio::test]
async fn mentions_in_captions_and_comments_and_replying_to_them() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    let account = s.world.business_id();
    let theirs = server
        .post_control(
            &format!("/people/{}/media", s.ana),
            json!({"caption": "@metricsaurus headquarters!"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mentioning = comment(&server, &s.sam, &theirs, "Shout out to @metricsaurus", None).await;
    let plain = comment(&server, &s.sam, &theirs, "nice", None).await;

    // Sample 003-ig-user-get-L272 shape: the caption without its @ (ref 001 L8215-8304).
    let media = server
        .get_fb(
            &format!(
                "/v24.0/{account}?fields=mentioned_media.media_id({theirs}){{caption,media_type}}"
            ),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(
        media.body,
        json!({"mentioned_media": {"caption": "metricsaurus headquarters!", "media_type": "IMAGE", "id": theirs}, "id": account})
    );
    // Sample 003-ig-user-get-L200 shape (ref 001 L8098-8214).
    let c = server
        .get_fb(&format!("/v24.0/{account}?fields=mentioned_comment.comment_id({mentioning}){{timestamp,like_count,text,id}}"), &s.world.fb_token)
        .await;
    assert_eq!(
        c.body["mentioned_comment"]["text"],
        json!("Shout out to @metricsaurus")
    );
    assert_eq!(c.body["mentioned_comment"]["like_count"], json!(0));
    let defaults = server
        .get_fb(
            &format!("/v24.0/{account}?fields=mentioned_comment.comment_id({mentioning})"),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(
        defaults.body["mentioned_comment"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec!["timestamp", "text", "id"]
    );
    let not = server
        .get_fb(
            &format!("/v24.0/{account}?fields=mentioned_comment.comment_id({plain})"),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(
        not.error().3,
        format!("(#100) The user was not mentioned in the comment {plain}")
    );
    let wrong_field = server
        .get_fb(
            &format!("/v24.0/{account}?fields=mentioned_comment.comment_id({mentioning}){{from}}"),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(wrong_field.error().0, 100);

    // Reply to the caption mention, then to the comment mention (ref 001 L7975-8097).
    let on_caption = server
        .graph(Method::POST, &format!("/v24.0/{account}/mentions"))
        .on(Host::Facebook)
        .bearer(&s.world.fb_token)
        .form(&[
            ("media_id", theirs.as_str()),
            ("message", "Thanks for the dinosaur!"),
        ])
        .send()
        .await;
    assert_eq!(on_caption.status, StatusCode::OK, "{}", on_caption.text);
    let on_comment = server
        .graph(Method::POST, &format!("/v24.0/{account}/mentions"))
        .on(Host::Facebook)
        .bearer(&s.world.fb_token)
        .form(&[
            ("media_id", theirs.as_str()),
            ("comment_id", mentioning.as_str()),
            ("message", "Thanks!"),
        ])
        .send()
        .await;
    let reply_id = on_comment.body["id"].as_str().unwrap().to_string();
    let replies = server
        .get_fb(
            &format!("/v24.0/{account}?fields=mentioned_comment.comment_id({mentioning}){{id}}"),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(replies.status, StatusCode::OK);
    let _ = reply_id;
    let refused = server
        .graph(Method::POST, &format!("/v24.0/{account}/mentions"))
        .on(Host::Facebook)
        .bearer(&s.world.fb_token)
        .form(&[
            ("media_id", theirs.as_str()),
            ("comment_id", plain.as_str()),
            ("message", "x"),
        ])
        .send()
        .await;
    assert_eq!(
        refused.error().3,
        format!("(#100) The user was not mentioned in the comment {plain}")
    );

    // Mentions on stories are not supported.
    let story = server
        .post_control(
            &format!("/people/{}/media", s.ana),
            json!({"caption": "@metricsaurus", "media_product_type": "STORY"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let on_story = server
        .get_fb(
            &format!("/v24.0/{account}?fields=mentioned_media.media_id({story})"),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(
        on_story.error().3,
        "(#100) Mentions on stories are not supported"
    );
    server.stop().await;
}

#[tokio::test]
async fn comment_text_on_media_the_app_user_did_not_create_reads_without_the_at() {
    // ref 001 L8263: through `mentioned_media{comments{text}}`, "text that @mentions an IG User
    // will not include the @ symbol unless the app user created the IG Media", as captions
    // (L8260-8300); the mentioned comment itself keeps its text (L8160-8168).
    let server = TestServer::start().await;
    let s = scene(&server).await;
    let account = s.world.business_id();
    let theirs = server
        .post_control(
            &format!("/people/{}/media", s.ana),
            json!({"caption": "@metricsaurus headquarters!"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let top = comment(&server, &s.sam, &theirs, "Shout out to @metricsaurus", None).await;
    let reply = comment(&server, &s.ana, &theirs, "@sam_tries thanks!", Some(&top)).await;
    let read = server
        .get_fb(
            &format!(
                "/v24.0/{account}?fields=mentioned_media.media_id({theirs}){{caption,comments{{text,replies{{text}}}}}}"
            ),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(
        read.body["mentioned_media"]["caption"],
        json!("metricsaurus headquarters!")
    );
    assert_eq!(
        read.body["mentioned_media"]["comments"]["data"],
        json!([{
            "text": "Shout out to metricsaurus",
            "replies": {"data": [{"text": "sam_tries thanks!", "id": reply}], "paging": read.body["mentioned_media"]["comments"]["data"][0]["replies"]["paging"]},
            "id": top
        }])
    );
    let mentioned = server
        .get_fb(
            &format!("/v24.0/{account}?fields=mentioned_comment.comment_id({top}){{text}}"),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(
        mentioned.body["mentioned_comment"]["text"],
        json!("Shout out to @metricsaurus")
    );
    // On the account's own media the text reads as written.
    let own = comment(&server, &s.sam, &s.media, "cc @metricsaurus", None).await;
    let read = server
        .get_fb(
            &format!("/v24.0/{}?fields=comments{{text}}", s.media),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(
        read.body["comments"]["data"][0],
        json!({"text": "cc @metricsaurus", "id": own})
    );
    server.stop().await;
}

#[tokio::test]
async fn tags_list_public_media_that_tag_the_account() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    let secret = server
        .post_control(
            "/people",
            json!({"username": "secretive", "is_private": true}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let tagged = server
        .post_control(&format!("/people/{}/media", s.ana), json!({"caption": "with @metricsaurus", "user_tags": [{"username": "metricsaurus", "x": 0.5, "y": 0.8}]}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .post_control(
            &format!("/people/{secret}/media"),
            json!({"user_tags": [{"account_id": s.world.business_id()}]}),
        )
        .await;
    let tags = server
        .get_fb(
            &format!(
                "/v24.0/{}/tags?fields=id,username,caption",
                s.world.business_id()
            ),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(tags.status, StatusCode::OK, "{}", tags.text);
    assert_eq!(
        tags.body["data"],
        json!([{"id": tagged, "username": "ana.sousa", "caption": "with metricsaurus"}])
    );
    // Cursors only, no next/previous (ref 001 L8660-8668).
    assert_eq!(
        tags.body["paging"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec!["cursors"]
    );
    // The tagged media itself cannot be read directly.
    assert_eq!(
        server
            .get_fb(&format!("/v24.0/{tagged}"), &s.world.fb_token)
            .await
            .error()
            .1,
        Some(33)
    );
    server.stop().await;
}

#[tokio::test]
async fn stories_last_24_hours_and_live_media_only_while_on_air() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    let id = s.world.business_id();
    server.post_control("/clock", json!({"frozen": true})).await;
    let story = server
        .post_control(
            &format!("/accounts/{id}/media"),
            json!({"media_product_type": "STORY"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        ids(&server
            .get_fb(&format!("/v24.0/{id}/stories"), &s.world.fb_token)
            .await),
        vec![story.clone()]
    );
    server
        .post_control("/clock", json!({"advance_seconds": 86_400}))
        .await;
    assert!(ids(&server
        .get_fb(&format!("/v24.0/{id}/stories"), &s.world.fb_token)
        .await)
    .is_empty());

    let live = server
        .post_control(&format!("/accounts/{id}/live"), json!({}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    comment(&server, &s.ana, &live, "@metricsaurus hello live", None).await;
    let on_air = server
        .get_fb(
            &format!(
                "/v24.0/{id}/live_media?fields=id,media_type,media_product_type,comments{{text}}"
            ),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(on_air.body["data"][0]["media_type"], json!("BROADCAST"));
    assert_eq!(on_air.body["data"][0]["media_product_type"], json!("LIVE"));
    assert_eq!(
        on_air.body["data"][0]["comments"]["data"][0]["text"],
        json!("@metricsaurus hello live")
    );
    // The same list through field expansion on the account.
    let expanded = server
        .get_fb(
            &format!("/v24.0/{id}?fields=live_media{{media_product_type}}"),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(
        expanded.body["live_media"],
        json!({"data": [{"media_product_type": "LIVE", "id": live}]})
    );
    // The API does not comment on live video.
    let refused = server
        .graph(Method::POST, &format!("/v24.0/{live}/comments"))
        .bearer(&s.world.ig_token)
        .form(&[("message", "x")])
        .send()
        .await;
    assert_eq!(
        refused.error().3,
        "(#100) This operation is not supported on live video media"
    );
    // Live media is not in /media.
    assert!(!ids(&server
        .get_fb(&format!("/v24.0/{id}/media"), &s.world.fb_token)
        .await)
    .contains(&live));
    let Answer { status, .. } = server
        .control_api(Method::DELETE, &format!("/accounts/{id}/live"))
        .send()
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(ids(&server
        .get_fb(&format!("/v24.0/{id}/live_media"), &s.world.fb_token)
        .await)
    .is_empty());
    server.stop().await;
}

#[tokio::test]
async fn collaborators_and_their_invite_status() {
    // ref 001 L4840-4931 (sample 001-ig-media-collaborators-get-L4876).
    let server = TestServer::start().await;
    let s = scene(&server).await;
    server
        .post_control(
            &format!("/media/{}/collaborators", s.media),
            json!({"username": "dino.creator", "invite_status": "Accepted"}),
        )
        .await;
    server
        .post_control(
            &format!("/media/{}/collaborators", s.media),
            json!({"username": "ana.sousa"}),
        )
        .await;
    let list = server
        .get_fb(
            &format!("/v24.0/{}/collaborators", s.media),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    // In the order they were invited.
    assert_eq!(
        list.body["data"],
        json!([
            {"id": s.world.creator["id"], "username": "dino.creator", "invite_status": "Accepted"},
            {"id": s.ana, "username": "ana.sousa", "invite_status": "Pending"}
        ])
    );
    // "Only IG users who have enabled collaborator tagging will be returned" (001 L4856):
    // turned off, the account drops out of the list; its invite is kept and shows again,
    // answer and all, once tagging is back on (decisions.md).
    let creator = s.world.creator["id"].as_str().unwrap().to_string();
    let off = server
        .post_control(
            &format!("/accounts/{creator}/discovery"),
            json!({"collaborator_tagging": false}),
        )
        .await;
    assert_eq!(off["collaborator_tagging"], json!(false));
    let path = format!("/v24.0/{}/collaborators", s.media);
    assert_eq!(
        server.get_fb(&path, &s.world.fb_token).await.body["data"],
        json!([{"id": s.ana, "username": "ana.sousa", "invite_status": "Pending"}])
    );
    // People have the setting too.
    server
        .post_control(
            &format!("/people/{}/discovery", s.ana),
            json!({"collaborator_tagging": false}),
        )
        .await;
    assert_eq!(
        server.get_fb(&path, &s.world.fb_token).await.body["data"],
        json!([])
    );
    let on = server
        .post_control(
            &format!("/accounts/{creator}/discovery"),
            json!({"collaborator_tagging": true}),
        )
        .await;
    assert_eq!(on["collaborator_tagging"], json!(true));
    assert_eq!(
        server.get_fb(&path, &s.world.fb_token).await.body["data"],
        json!([{"id": creator, "username": "dino.creator", "invite_status": "Accepted"}])
    );
    // Facebook Login only.
    let ig = server
        .get_ig(
            &format!("/v24.0/{}/collaborators", s.media),
            &s.world.ig_token,
        )
        .await;
    assert_eq!(ig.error().0, 100);
    server.stop().await;
}

#[tokio::test]
async fn version_rules_for_changed_fields() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    // video_title is gone from v14.0 (004 changelog Oct 5, 2021).
    let gone = server
        .get_ig(
            &format!("/v24.0/{}?fields=video_title", s.media),
            &s.world.ig_token,
        )
        .await;
    assert_eq!(
        gone.error(),
        (
            12,
            None,
            "OAuthException".into(),
            "(#12) video_title field is deprecated for versions v14.0 and higher".into()
        )
    );
    // In 2019, v3.1 was still served: comments came oldest first (004 changelog Oct 23, 2018).
    server
        .post_control(
            "/clock",
            json!({"set": "2019-06-01T00:00:00Z", "frozen": true}),
        )
        .await;
    let old = comment(&server, &s.ana, &s.media, "old", None).await;
    server
        .post_control("/clock", json!({"advance_seconds": 60}))
        .await;
    let new = comment(&server, &s.ana, &s.media, "new", None).await;
    let v31 = server
        .get_ig(&format!("/v3.1/{}/comments", s.media), &s.world.ig_token)
        .await;
    assert_eq!(v31.header("facebook-api-version"), Some("v3.1"));
    assert_eq!(ids(&v31), vec![old.clone(), new.clone()]);
    let v32 = server
        .get_ig(&format!("/v3.2/{}/comments", s.media), &s.world.ig_token)
        .await;
    assert_eq!(ids(&v32), vec![new, old]);
    server.stop().await;
}

#[tokio::test]
async fn control_api_errors_are_clear() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    let cases: Vec<(&str, Value, StatusCode)> = vec![
        (
            "/people/123/comments",
            json!({"media_id": s.media, "text": "x"}),
            StatusCode::NOT_FOUND,
        ),
        (
            &format!("/people/{}/comments", s.ana),
            json!({"media_id": "1", "text": "x"}),
            StatusCode::NOT_FOUND,
        ),
        (
            &format!("/people/{}/comments", s.ana),
            json!({"media_id": s.media, "text": " "}),
            StatusCode::BAD_REQUEST,
        ),
        (
            &format!("/people/{}/likes", s.ana),
            json!({}),
            StatusCode::BAD_REQUEST,
        ),
        (
            &format!("/people/{}/media", s.ana),
            json!({"user_tags": [{"username": "nobody"}]}),
            StatusCode::BAD_REQUEST,
        ),
    ]
    .into_iter()
    .map(|(p, b, st)| (Box::leak(p.to_string().into_boxed_str()) as &str, b, st))
    .collect();
    for (path, body, status) in cases {
        let Answer {
            status: got,
            body: answer,
            ..
        } = server
            .control_api(Method::POST, path)
            .json(body)
            .send()
            .await;
        assert_eq!(got, status, "{path}: {answer}");
        assert!(answer["error"]["message"].is_string());
    }
    server.stop().await;
}

#[tokio::test]
async fn hidden_like_counts_are_left_out_of_indirect_reads() {
    // 004 changelog May 26 and June 8, 2021; ref 001 L622-626.
    let server = TestServer::start().await;
    let s = scene(&server).await;
    let shy = server
        .post_control(
            "/people",
            json!({"username": "shy", "hide_like_counts": true}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let theirs = server
        .post_control(
            &format!("/people/{shy}/media"),
            json!({"caption": "hi @metricsaurus"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .post_control(
            &format!("/people/{}/likes", s.ana),
            json!({"media_id": theirs}),
        )
        .await;
    let open = server
        .post_control(
            &format!("/people/{}/media", s.ana),
            json!({"caption": "yo @metricsaurus"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .post_control(
            &format!("/people/{}/likes", s.sam),
            json!({"media_id": open}),
        )
        .await;
    let account = s.world.business_id();
    let hidden = server
        .get_fb(
            &format!("/v24.0/{account}?fields=mentioned_media.media_id({theirs}){{like_count}}"),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(hidden.body["mentioned_media"], json!({"id": theirs}));
    let shown = server
        .get_fb(
            &format!("/v24.0/{account}?fields=mentioned_media.media_id({open}){{like_count}}"),
            &s.world.fb_token,
        )
        .await;
    assert_eq!(
        shown.body["mentioned_media"],
        json!({"like_count": 1, "id": open})
    );
    // On our own media the owner sees the real count.
    server
        .post_control(
            &format!("/people/{}/likes", s.ana),
            json!({"media_id": s.media}),
        )
        .await;
    let own = server
        .get_ig(
            &format!("/v24.0/{}?fields=like_count", s.media),
            &s.world.ig_token,
        )
        .await;
    assert_eq!(own.body["like_count"], json!(1));
    server.stop().await;
}
