//! Object-typed fields expand (issue #11): every field whose value is an object, or a list of
//! objects, takes a nested selection `{...}` as `media{id}` does: the subfields asked in
//! request order, `id` added when the object has one, Meta's errors for unknown subfields and
//! for subfields of plain values. One test per node's object fields. The messaging nodes'
//! fields are tested in messaging_inbox.rs. Reference: IG Comment 001 L3667-3792, IG Container
//! 001 L3964-4003 and L2228-2267, IG Media 001 L540-601 and L4840-4931, Page 001 L8826-8883 and
//! 000 L77-151, content_publishing_limit 001 L6564-6662.

mod common;
#[macro_use]
#[path = "publishing/support.rs"]
mod support;

use support::*;

/// A person who commented on a media of the business account: (media, person, comment).
async fn commented(t: &T) -> (String, String, String) {
    let media = t
        .server
        .post_control(
            &format!("/accounts/{}/media", t.id()),
            json!({"caption": "Our new roast"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let person = t
        .server
        .post_control("/people", json!({"username": "ana.sousa"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let comment = t
        .server
        .post_control(
            &format!("/people/{person}/comments"),
            json!({"media_id": media, "text": "Looks great"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    (media, person, comment)
}

async fn get(t: &T, path: &str) -> Answer {
    t.server.get_fb(path, &t.world.fb_token).await
}

fn assert_error(answer: &Answer, message: &str) {
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    let (code, _, _, text) = answer.error();
    assert_eq!((code, text.as_str()), (100, message), "{}", answer.text);
}

#[tokio::test]
async fn a_comments_from_expands() {
    // ref 001 L3711-3716: `from` is an object {id (the IGSID), username}; it answered "(#100)
    // Field from is not an object and cannot have subfields" before.
    let t = T::start().await;
    let (_, _, comment) = commented(&t).await;
    let plain = get(&t, &format!("/v24.0/{comment}?fields=from")).await;
    assert_eq!(plain.status, StatusCode::OK, "{}", plain.text);
    let igsid = plain.body["from"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        plain.body["from"],
        json!({"id": igsid, "username": "ana.sousa"})
    );
    let both = get(&t, &format!("/v24.0/{comment}?fields=from{{id,username}}")).await;
    assert_eq!(
        both.body,
        json!({"from": {"id": igsid, "username": "ana.sousa"}, "id": comment})
    );
    // Request order; `id` comes along as it does for nodes.
    let name = get(&t, &format!("/v24.0/{comment}?fields=from{{username}}")).await;
    assert_eq!(
        name.body["from"],
        json!({"username": "ana.sousa", "id": igsid})
    );
    assert_error(
        &get(&t, &format!("/v24.0/{comment}?fields=from{{biography}}")).await,
        "(#100) Tried accessing nonexisting field (biography) on node type (IGCommentFromUser)",
    );
    assert_error(
        &get(&t, &format!("/v24.0/{comment}?fields=from{{id{{x}}}}")).await,
        "(#100) Field id is not an object and cannot have subfields",
    );
    t.server.stop().await;
}

#[tokio::test]
async fn a_comments_from_expands_inside_the_media_edge() {
    // ref 001 L4988-5025 with L3711-3716: `comments{from{...}}` on the media.
    let t = T::start().await;
    let (media, _, comment) = commented(&t).await;
    let read = get(
        &t,
        &format!("/v24.0/{media}?fields=comments{{text,from{{username}}}}"),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let item = &read.body["comments"]["data"][0];
    assert_eq!(item["id"], json!(comment));
    assert_eq!(item["text"], json!("Looks great"));
    assert_eq!(item["from"]["username"], json!("ana.sousa"));
    assert_eq!(
        item["from"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["username", "id"]
    );
    t.server.stop().await;
}

#[tokio::test]
async fn a_comments_user_expands_for_the_comments_writer() {
    // ref 001 L3757-3759: `user` (the IG User) only when the app user wrote the comment.
    let t = T::start().await;
    let (media, _, by_person) = commented(&t).await;
    let own = t
        .post(
            Host::Facebook,
            &format!("/v24.0/{media}/comments"),
            &t.world.fb_token,
            &[("message", "Thanks!")],
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    let own = own.body["id"].as_str().unwrap().to_string();
    let plain = get(&t, &format!("/v24.0/{own}?fields=user")).await;
    assert_eq!(plain.body["user"], json!({"id": t.id()}));
    let expanded = get(&t, &format!("/v24.0/{own}?fields=user{{username,name}}")).await;
    assert_eq!(
        expanded.body["user"],
        json!({"username": "metricsaurus", "name": "Metricsaurus", "id": t.id()})
    );
    let other = get(&t, &format!("/v24.0/{by_person}?fields=user{{username}}")).await;
    assert_eq!(other.body, json!({"id": by_person}));
    assert_error(
        &get(&t, &format!("/v24.0/{own}?fields=user{{nope}}")).await,
        "(#100) Tried accessing nonexisting field (nope) on node type (ShadowIGUser)",
    );
    t.server.stop().await;
}

#[tokio::test]
async fn a_containers_video_status_and_copyright_check_status_expand() {
    // ref 001 L2228-2267 (video_status), L3975-3986 (copyright_check_status).
    let t = T::start().await;
    let video = video_url(&t, "reel.mp4");
    let container = t
        .created(&[("media_type", "REELS"), ("video_url", &video)])
        .await;
    t.advance(10.0).await;
    let whole = t.container(&container, "video_status").await;
    let bytes = whole["video_status"]["uploading_phase"]["bytes_transferred"].clone();
    assert!(bytes.as_i64().unwrap() > 0);
    let read = t
        .container(
            &container,
            "video_status{uploading_phase{bytes_transferred}},copyright_check_status{status}",
        )
        .await;
    assert_eq!(
        read,
        json!({
            "video_status": {"uploading_phase": {"bytes_transferred": bytes}},
            "copyright_check_status": {"status": "complete"},
            "id": container
        })
    );
    let phase = t
        .container(&container, "video_status{processing_phase}")
        .await;
    assert_eq!(
        phase["video_status"],
        json!({"processing_phase": {"status": "complete"}})
    );
    assert_error(
        &get(&t, &format!("/v24.0/{container}?fields=video_status{{speed}}")).await,
        "(#100) Tried accessing nonexisting field (speed) on node type (IGResumableVideoUploadStatus)",
    );
    t.server.stop().await;
}

#[tokio::test]
async fn a_medias_copyright_check_information_expands() {
    // ref 001 L558-601: status{status, matches_found} and copyright_matches[...].
    let t = T::start().await;
    let video = video_url(&t, "reel.mp4");
    let container = t
        .created(&[("media_type", "REELS"), ("video_url", &video)])
        .await;
    t.server
        .post_control(
            &format!("/containers/{container}"),
            json!({"copyright": {"matches_found": true, "copyright_matches": [{
                "author": "Label", "content_title": "Song",
                "matched_segments": [{"start_time_in_seconds": 1.0, "duration_in_seconds": 2.5, "segment_type": "AUDIO"}],
                "owner_copyright_policy": {"name": "Mute", "actions": [{"action": "MUTE", "territories": "US", "geos": ["US"]}]}
            }]}}),
        )
        .await;
    t.advance(10.0).await;
    let media = t.published(&container).await;
    let read = t
        .media(
            &media,
            "copyright_check_information{status{matches_found},copyright_matches{content_title,matched_segments{segment_type}}}",
        )
        .await;
    assert_eq!(
        read["copyright_check_information"],
        json!({
            "status": {"matches_found": true},
            "copyright_matches": [{"content_title": "Song", "matched_segments": [{"segment_type": "AUDIO"}]}]
        })
    );
    assert_error(
        &get(
            &t,
            &format!("/v24.0/{media}?fields=copyright_check_information{{owner}}"),
        )
        .await,
        "(#100) Tried accessing nonexisting field (owner) on node type (IGVideoCopyrightCheckMatchesInformation)",
    );
    t.server.stop().await;
}

#[tokio::test]
async fn a_medias_boost_eligibility_info_expands() {
    // ref 001 L544-546 (Facebook Login only; shape from Meta's Business SDKs, decisions.md).
    let t = T::start().await;
    let image = t.image("a.jpg").await;
    let media = t.published(&image).await;
    let plain = t.media(&media, "boost_eligibility_info").await;
    assert_eq!(
        plain["boost_eligibility_info"],
        json!({"eligible_to_boost": true})
    );
    let one = t
        .media(&media, "boost_eligibility_info{eligible_to_boost}")
        .await;
    assert_eq!(
        one,
        json!({"boost_eligibility_info": {"eligible_to_boost": true}, "id": media})
    );
    // Instagram Login does not offer it.
    let ig = t
        .server
        .get_ig(
            &format!("/v24.0/{media}?fields=boost_eligibility_info"),
            &t.world.ig_token,
        )
        .await;
    assert_eq!(ig.error().0, 100);
    t.server.stop().await;
}

#[tokio::test]
async fn a_medias_collaborators_expand() {
    // ref 001 L4840-4931: {id, username, invite_status}, through the edge and expansion.
    let t = T::start().await;
    let url = t.cdn.jpeg("a.jpg", 1080, 1080);
    let container = t
        .created(&[("image_url", &url), ("collaborators", "dino.creator")])
        .await;
    let media = t.published(&container).await;
    let edge = get(
        &t,
        &format!("/v24.0/{media}/collaborators?fields=username,invite_status"),
    )
    .await;
    assert_eq!(edge.status, StatusCode::OK, "{}", edge.text);
    let creator_id = t.world.creator["id"].as_str().unwrap();
    assert_eq!(
        edge.body["data"],
        json!([{"username": "dino.creator", "invite_status": "Pending", "id": creator_id}])
    );
    let expanded = t.media(&media, "collaborators{username}").await;
    assert_eq!(
        expanded["collaborators"]["data"],
        json!([{"username": "dino.creator", "id": creator_id}])
    );
    assert_error(
        &get(&t, &format!("/v24.0/{media}?fields=collaborators{{status}}")).await,
        "(#100) Tried accessing nonexisting field (status) on node type (ShadowIGMediaCollaborators)",
    );
    t.server.stop().await;
}

#[tokio::test]
async fn a_pages_category_list_and_instagram_account_expand() {
    // 000 L77-151 (the Page's fields), 001 L8826-8883 (instagram_business_account).
    let t = T::start().await;
    let page = t.world.page_id().to_string();
    let read = get(
        &t,
        &format!(
            "/v24.0/{page}?fields=category_list{{name}},instagram_business_account{{username}}"
        ),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(
        read.body,
        json!({
            "category_list": [{"name": "Brand", "id": "1605186416478696"}],
            "instagram_business_account": {"username": "metricsaurus", "id": t.id()},
            "id": page
        })
    );
    assert_error(
        &get(&t, &format!("/v24.0/{page}?fields=category_list{{icon}}")).await,
        "(#100) Tried accessing nonexisting field (icon) on node type (PageCategory)",
    );
    t.server.stop().await;
}

#[tokio::test]
async fn a_facebook_users_accounts_expand() {
    // 000 L77-126: `/me/accounts`; as a field of the user, `accounts{...}` is the same list
    // (cursors only, as for every edge expanded through fields).
    let t = T::start().await;
    let read = get(
        &t,
        "/v24.0/me?fields=name,accounts{name,instagram_business_account{username}}",
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(
        read.body["accounts"]["data"],
        json!([{
            "name": "Metricsaurus",
            "instagram_business_account": {"username": "metricsaurus", "id": t.id()},
            "id": t.world.page_id()
        }])
    );
    assert!(read.body["accounts"]["paging"].get("next").is_none());
    t.server.stop().await;
}

#[tokio::test]
async fn the_publishing_limits_config_expands() {
    // ref 001 L6564-6662: `config` {quota_total, quota_duration}.
    let t = T::start().await;
    let read = get(
        &t,
        &format!(
            "/v24.0/{}/content_publishing_limit?fields=quota_usage,config{{quota_total}}",
            t.id()
        ),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(
        read.body,
        json!({"data": [{"quota_usage": 0, "config": {"quota_total": 100}}]})
    );
    assert_error(
        &get(
            &t,
            &format!(
                "/v24.0/{}/content_publishing_limit?fields=config{{quota}}",
                t.id()
            ),
        )
        .await,
        "(#100) Tried accessing nonexisting field (quota) on node type (IGContentPublishingLimitConfig)",
    );
    t.server.stop().await;
}

#[tokio::test]
async fn an_ig_users_owner_business_expands() {
    // Meta's Business SDKs list `owner_business` (a Business); no business owns accounts here,
    // so it is left out (decisions.md), but its subfields are checked as Meta checks them.
    let t = T::start().await;
    let read = get(
        &t,
        &format!(
            "/v24.0/{}?fields=username,owner_business{{id,name}}",
            t.id()
        ),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(read.body, json!({"username": "metricsaurus", "id": t.id()}));
    assert_error(
        &get(
            &t,
            &format!("/v24.0/{}?fields=owner_business{{vertical}}", t.id()),
        )
        .await,
        "(#100) Tried accessing nonexisting field (vertical) on node type (Business)",
    );
    t.server.stop().await;
}
