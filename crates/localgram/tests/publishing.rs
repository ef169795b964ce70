//! Content publishing end to end: containers of every variant, the media checks against files
//! a loopback server hands out, resumable uploads, the container's states across virtual time,
//! publishing, the limits and the media host.
//! Reference: 001 L1-384 (IG User Media), L1372-1595 (Content Publishing guide), L2121-2268
//! (resumable upload), L3287-3545 (errors), L3916-4027 (IG Container), L6564-6662
//! (content_publishing_limit), L7902-7974 (media_publish), L9448-9510 (copyright); 000
//! L153-306; 004 L2608-2860. Choices where the documents differ: docs/decisions.md
//! "Content publishing (issue #4)".

mod common;

use axum::extract::{Path, State};
use axum::http::StatusCode as AxumStatus;
use axum::response::IntoResponse;
use base64::Engine;
use common::{Answer, Call, Host, TestServer, World};
use localgram::publishing::synth::{self, Audio, Codec, VideoSpec};
use localgram::publishing::Settings;
use localgram::Config;
use parking_lot::Mutex;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

// ----- helpers -------------------------------------------------------------------------------

fn sample(id: &str) -> Value {
    let all: Value = serde_json::from_str(include_str!("fixtures/samples.json")).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == json!(id))
        .cloned()
        .unwrap_or_else(|| panic!("no sample {id}"))
}

/// Same keys in the same order, recursively, and the same JSON types.
fn assert_same_shape(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let ak: Vec<_> = a.keys().collect();
            let ek: Vec<_> = e.keys().collect();
            assert_eq!(ak, ek, "keys at {path}: {actual}");
            for (k, v) in e {
                assert_same_shape(&a[k], v, &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if let (Some(first), Some(expected)) = (a.first(), e.first()) {
                assert_same_shape(first, expected, &format!("{path}[0]"));
            }
        }
        (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::Null, Value::Null)
        | (Value::Number(_), Value::Number(_)) => {}
        (a, e) => panic!("type at {path}: {a} vs {e}"),
    }
}

type Served = Arc<Mutex<HashMap<String, (String, Vec<u8>)>>>;

/// A loopback file server standing in for the app's CDN: files by name, `404` for the rest,
/// and `/slow/...` that answers after the fetch timeout.
struct Cdn {
    base: String,
    files: Served,
    task: tokio::task::JoinHandle<()>,
}

async fn cdn_file(
    State(files): State<Served>,
    Path(name): Path<String>,
) -> axum::response::Response {
    if name.starts_with("slow") {
        tokio::time::sleep(Duration::from_secs(8)).await;
    }
    match files.lock().get(&name).cloned() {
        Some((content_type, bytes)) => {
            ([(axum::http::header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        None => (AxumStatus::NOT_FOUND, "no such file").into_response(),
    }
}

impl Cdn {
    async fn start() -> Cdn {
        let files: Served = Arc::default();
        let app = axum::Router::new()
            .route("/{name}", axum::routing::get(cdn_file))
            .with_state(files.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Cdn { base, files, task }
    }

    /// Serves `bytes` at `/name` with `content_type`, and answers the URL.
    fn put(&self, name: &str, content_type: &str, bytes: Vec<u8>) -> String {
        self.files
            .lock()
            .insert(name.to_string(), (content_type.to_string(), bytes));
        format!("{}/{name}", self.base)
    }

    fn jpeg(&self, name: &str, width: u16, height: u16) -> String {
        self.put(name, "image/jpeg", synth::jpeg(width, height))
    }

    fn mp4(&self, name: &str, spec: &VideoSpec) -> String {
        self.put(name, "video/mp4", synth::mp4_bytes(spec).unwrap())
    }
}

impl Drop for Cdn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The virtual time every test starts at (after July 9, 2025: story user tags exist).
const START: &str = "2026-01-15T12:00:00Z";
const START_UNIX: i64 = 1_768_478_400;

struct T {
    server: TestServer,
    cdn: Cdn,
    world: World,
}

fn config(publishing: Settings) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(7),
        publishing,
        ..Config::default()
    }
}

fn settings() -> Settings {
    Settings {
        fetch_timeout: Duration::from_secs(3),
        ..Settings::default()
    }
}

impl T {
    async fn start() -> T {
        Self::with(settings()).await
    }

    async fn with(publishing: Settings) -> T {
        let server = TestServer::start_with(config(publishing)).await;
        let world = server.world().await;
        server
            .post_control("/clock", json!({"set": START, "frozen": true}))
            .await;
        T {
            server,
            cdn: Cdn::start().await,
            world,
        }
    }

    fn id(&self) -> &str {
        self.world.business_id()
    }

    async fn advance(&self, seconds: f64) {
        self.server
            .post_control("/clock", json!({"advance_seconds": seconds}))
            .await;
    }

    /// A form POST as an app on `host` sends it, the token among the form fields.
    async fn post(&self, host: Host, path: &str, token: &str, form: &[(&str, &str)]) -> Answer {
        let mut form: Vec<(&str, &str)> = form.to_vec();
        form.push(("access_token", token));
        self.server
            .graph(Method::POST, path)
            .on(host)
            .form(&form)
            .send()
            .await
    }

    /// `POST /{ig-user-id}/media` on graph.facebook.com.
    async fn create(&self, form: &[(&str, &str)]) -> Answer {
        self.post(
            Host::Facebook,
            &format!("/v24.0/{}/media", self.id()),
            &self.world.fb_token,
            form,
        )
        .await
    }

    /// `POST /{ig-user-id}/media` on graph.instagram.com.
    async fn create_ig(&self, form: &[(&str, &str)]) -> Answer {
        self.post(
            Host::Instagram,
            &format!("/v24.0/{}/media", self.id()),
            &self.world.ig_token,
            form,
        )
        .await
    }

    async fn created(&self, form: &[(&str, &str)]) -> String {
        let answer = self.create(form).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.body["id"].as_str().unwrap().to_string()
    }

    async fn publish(&self, creation_id: &str) -> Answer {
        self.post(
            Host::Facebook,
            &format!("/v24.0/{}/media_publish", self.id()),
            &self.world.fb_token,
            &[("creation_id", creation_id)],
        )
        .await
    }

    async fn published(&self, creation_id: &str) -> String {
        let answer = self.publish(creation_id).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.body["id"].as_str().unwrap().to_string()
    }

    async fn container(&self, id: &str, fields: &str) -> Value {
        let answer = self
            .server
            .get_fb(
                &format!("/v24.0/{id}?fields={fields}"),
                &self.world.fb_token,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.body
    }

    async fn status_code(&self, id: &str) -> String {
        self.container(id, "status_code").await["status_code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn media(&self, id: &str, fields: &str) -> Value {
        let answer = self
            .server
            .get_fb(
                &format!("/v24.0/{id}?fields={fields}"),
                &self.world.fb_token,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.body
    }

    /// A finished single-image container.
    async fn image(&self, name: &str) -> String {
        let url = self.cdn.jpeg(name, 1080, 1080);
        self.created(&[("image_url", &url)]).await
    }

    async fn person(&self, username: &str, private: bool) {
        self.server
            .post_control(
                "/people",
                json!({"username": username, "is_private": private}),
            )
            .await;
    }

    /// A served media file: raw, since the tests read its bytes and headers (not JSON).
    async fn fetch(&self, url: &str) -> reqwest::Response {
        self.server.http.get(url).send().await.unwrap()
    }
}

fn error_of(answer: &Answer) -> (i64, Option<i64>, String) {
    let e = &answer.body["error"];
    (
        e["code"].as_i64().unwrap_or_default(),
        e["error_subcode"].as_i64(),
        e["error_user_msg"]
            .as_str()
            .or(e["message"].as_str())
            .unwrap_or_default()
            .to_string(),
    )
}

/// A create call's parameters, and the error code, subcode and text it must get.
type Case<'a> = (Vec<(&'a str, &'a str)>, i64, Option<i64>, &'a str);
/// Code, subcode and user message of a container's error.
type Expected = (i64, i64, String);

fn short_reel() -> VideoSpec {
    VideoSpec {
        width: 720,
        height: 1280,
        duration_ms: 4_000,
        frame_bytes: 500,
        ..VideoSpec::default()
    }
}

// ----- creating, reading and publishing -------------------------------------------------------

#[tokio::test]
async fn an_image_post_goes_from_container_to_published_media() {
    // ref 001 L105-115, L356-384 (sample 001-ig-user-media-post-L364), L3916-4027 (sample
    // 001-ig-container-get-L4014), L7902-7974 (sample 001-ig-user-media-publish-post-L7949),
    // 000 L236-274 (sample 000-ig-container-get-L236).
    let t = T::start().await;
    t.person("kevinhart4real", false).await;
    t.person("therock", false).await;
    t.person("username1", false).await;
    t.person("username2", false).await;
    let location = t
        .server
        .post_control(
            "/locations",
            json!({"name": "Bronze Beach", "latitude": 34.0, "longitude": -118.5}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let jpeg = synth::jpeg(1080, 1350);
    let url = t.cdn.put("bronzed-fonzes.jpg", "image/jpeg", jpeg.clone());
    let answer = t
        .create(&[
            ("image_url", &url),
            ("caption", "#BronzedFonzes!"),
            ("collaborators", "[‘username1’,’username2’]"),
            (
                "user_tags",
                "[{username:'kevinhart4real',x: 0.5,y: 0.8},{username:'therock',x:0.3,y:0.2}]",
            ),
            ("location_id", &location),
            ("alt_text", "Two friends with a tan"),
        ])
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_same_shape(
        &answer.body,
        &sample("001-ig-user-media-post-L364")["response"],
        "$",
    );
    let container = answer.body["id"].as_str().unwrap().to_string();
    assert_eq!(container.len(), 17);

    // Images are ready at once (processing takes no virtual time by default).
    let read = t.container(&container, "status_code").await;
    assert_same_shape(
        &read,
        &sample("001-ig-container-get-L4014")["response"],
        "$",
    );
    assert_eq!(read, json!({"status_code": "FINISHED", "id": container}));
    let read = t.container(&container, "status_code,status").await;
    assert_same_shape(&read, &sample("000-ig-container-get-L236")["response"], "$");
    assert_eq!(
        read["status"],
        "Finished: Media has been uploaded and it is ready to be published."
    );
    // Images have no video status or copyright check.
    let read = t
        .container(&container, "id,video_status,copyright_check_status")
        .await;
    assert_eq!(read, json!({"id": container}));

    let published = t.publish(&container).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text);
    assert_same_shape(
        &published.body,
        &sample("001-ig-user-media-publish-post-L7949")["response"],
        "$",
    );
    let media_id = published.body["id"].as_str().unwrap().to_string();
    assert_ne!(
        media_id, container,
        "a new IG Media id (ref 001 L7949-7956)"
    );

    let media = t
        .media(
            &media_id,
            "id,media_type,media_product_type,caption,alt_text,permalink,shortcode,timestamp,media_url,username,is_comment_enabled,owner",
        )
        .await;
    assert_eq!(media["media_type"], "IMAGE");
    assert_eq!(media["media_product_type"], "FEED");
    assert_eq!(media["caption"], "#BronzedFonzes!");
    assert_eq!(media["alt_text"], "Two friends with a tan");
    assert_eq!(media["username"], "metricsaurus");
    assert_eq!(media["is_comment_enabled"], true);
    assert_eq!(media["owner"], json!({"id": t.id()}));
    assert_eq!(media["timestamp"], "2026-01-15T12:00:00+0000");
    let shortcode = media["shortcode"].as_str().unwrap();
    assert_eq!(
        media["permalink"],
        format!("https://www.instagram.com/p/{shortcode}/")
    );
    // media_url is served by localgram's media host, byte for byte.
    let media_url = media["media_url"].as_str().unwrap();
    assert!(
        media_url.starts_with(&format!("{}/media/", t.server.base)),
        "{media_url}"
    );
    let served = t.fetch(media_url).await;
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert_eq!(served.bytes().await.unwrap().as_ref(), jpeg.as_slice());

    // The container now reads PUBLISHED (ref 001 L2233-2251).
    let read = t.container(&container, "status_code,status").await;
    assert_eq!(read["status_code"], "PUBLISHED");
    assert_eq!(
        read["status"],
        "Published: Media has been successfully published."
    );
    // It is the account's newest media.
    let listed = t
        .server
        .get_fb(&format!("/v24.0/{}/media", t.id()), &t.world.fb_token)
        .await;
    assert_eq!(listed.body["data"][0]["id"], json!(media_id));
    t.server.stop().await;
}

#[tokio::test]
async fn instagram_login_publishes_with_a_json_body_and_bearer_token() {
    // ref 001 L1452-1472 and L1549-1569: JSON bodies, Authorization: Bearer, graph.instagram.com.
    let t = T::start().await;
    let url = t.cdn.jpeg("a.jpg", 1080, 1080);
    let send = |path: String, body: Value| {
        t.server
            .graph(Method::POST, &path)
            .on(Host::Instagram)
            .bearer(&t.world.ig_token)
            .json(&body)
            .send()
    };
    let created = send(
        format!("/v24.0/{}/media", t.id()),
        json!({"image_url": url}),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    assert_same_shape(
        &created.body,
        &sample("004-ig-user-media-post-L2684")["response"],
        "$",
    );
    let published = send(
        format!("/v24.0/{}/media_publish", t.id()),
        json!({"creation_id": created.body["id"]}),
    )
    .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text);
    let media = t
        .server
        .get_ig(
            &format!(
                "/v24.0/{}?fields=media_type",
                published.body["id"].as_str().unwrap()
            ),
            &t.world.ig_token,
        )
        .await;
    assert_eq!(media.body["media_type"], "IMAGE");
    t.server.stop().await;
}

#[tokio::test]
async fn a_reel_processes_in_virtual_time_then_publishes_as_video_reels() {
    // ref 001 L116-130 (reel variant), L356-363 (asynchronous), L1570-1575 (VIDEO/REELS),
    // L321-327 (share_to_feed), L329-333 (thumb_offset), L3975-3986 (copyright).
    let t = T::start().await;
    let video = t.cdn.mp4("reel.mp4", &short_reel());
    let container = t
        .created(&[
            ("media_type", "REELS"),
            ("video_url", &video),
            ("caption", "How we pour a cortado"),
            ("share_to_feed", "false"),
            ("thumb_offset", "1500"),
            ("audio_name", "Cortado theme"),
        ])
        .await;
    let read = t
        .container(
            &container,
            "status_code,status,video_status,copyright_check_status",
        )
        .await;
    assert_eq!(read["status_code"], "IN_PROGRESS");
    assert_eq!(
        read["status"],
        "In Progress: Media is still being processed."
    );
    assert_eq!(
        read["video_status"]["processing_phase"]["status"],
        "in_progress"
    );
    assert_eq!(
        read["video_status"]["uploading_phase"]["status"],
        "complete"
    );
    assert_eq!(
        read["copyright_check_status"],
        json!({"status": "in_progress", "matches_found": false})
    );
    // Publishing too early: 9007/2207027 (ref 001 L3495-3503).
    let early = t.publish(&container).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&early),
        (
            9007,
            Some(2207027),
            "The media is not ready for publishing, please wait for a moment".into()
        )
    );
    // Processing takes 10 s of virtual time for a small video (the default settings).
    t.advance(9.0).await;
    assert_eq!(t.status_code(&container).await, "IN_PROGRESS");
    t.advance(1.0).await;
    let read = t
        .container(
            &container,
            "status_code,video_status,copyright_check_status",
        )
        .await;
    assert_eq!(read["status_code"], "FINISHED");
    assert_eq!(
        read["video_status"]["processing_phase"]["status"],
        "complete"
    );
    // The sample prints "complete" (ref 001 L9464-9485; decisions.md).
    assert_eq!(
        read["copyright_check_status"],
        json!({"status": "complete", "matches_found": false})
    );
    let media_id = t.published(&container).await;
    let media = t
        .media(
            &media_id,
            "media_type,media_product_type,is_shared_to_feed,permalink,shortcode,media_url,thumbnail_url,caption",
        )
        .await;
    assert_eq!(media["media_type"], "VIDEO");
    assert_eq!(media["media_product_type"], "REELS");
    assert_eq!(media["is_shared_to_feed"], false);
    // The published video carries its container's copyright check (ref 001 L9486-9510).
    let checked = t.media(&media_id, "copyright_check_information").await;
    assert_eq!(
        checked["copyright_check_information"],
        json!({"status": {"status": "complete", "matches_found": false}})
    );
    let shortcode = media["shortcode"].as_str().unwrap();
    assert_eq!(
        media["permalink"],
        format!("https://www.instagram.com/reel/{shortcode}/")
    );
    let video = t.fetch(media["media_url"].as_str().unwrap()).await;
    assert_eq!(video.headers()["content-type"], "video/mp4");
    let thumb = t.fetch(media["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    assert!(thumb
        .bytes()
        .await
        .unwrap()
        .starts_with(&[0xFF, 0xD8, 0xFF]));

    // With cover_url, the cover is the thumbnail; thumb_offset is then ignored (ref 001 L271-275).
    let cover = t.cdn.jpeg("cover.jpg", 1080, 1920);
    let with_cover = t
        .created(&[
            ("media_type", "REELS"),
            ("video_url", &video_url(&t, "reel2.mp4")),
            ("cover_url", &cover),
            ("thumb_offset", "999999"),
        ])
        .await;
    t.advance(10.0).await;
    let media = t
        .media(
            &t.published(&with_cover).await,
            "thumbnail_url,is_shared_to_feed",
        )
        .await;
    // share_to_feed left out: the reel is shared to the feed.
    assert_eq!(media["is_shared_to_feed"], true);
    let thumb = t.fetch(media["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(
        thumb.bytes().await.unwrap().as_ref(),
        synth::jpeg(1080, 1920).as_slice()
    );

    // thumb_offset past the video's end: ERROR 2207057 (ref 001 L3355-3363).
    let past = t
        .created(&[
            ("media_type", "REELS"),
            ("video_url", &video_url(&t, "reel3.mp4")),
            ("thumb_offset", "4000"),
        ])
        .await;
    t.advance(10.0).await;
    assert_eq!(
        t.container(&past, "status_code,status").await,
        json!({"status_code": "ERROR", "status": "2207057", "id": past})
    );
    assert_eq!(
        error_of(&t.publish(&past).await),
        (
            1,
            Some(2207057),
            "Thumbnail offset must be greater than or equal to 0 and less than video duration, i.e. 4000".into()
        )
    );
    t.server.stop().await;
}

fn video_url(t: &T, name: &str) -> String {
    t.cdn.mp4(name, &short_reel())
}

#[tokio::test]
async fn a_carousel_mixes_images_and_videos_and_counts_as_one_post() {
    // ref 001 L149-169, L1476-1502 (carousel), L265-269 (children), L2211-2227 (resumable
    // items), L4778-4838 (children edge); sample 001-ig-user-media-post-L1488.
    let t = T::start().await;
    let a = t
        .created(&[
            ("image_url", &t.cdn.jpeg("a.jpg", 1080, 1080)),
            ("is_carousel_item", "true"),
        ])
        .await;
    let b = t
        .created(&[
            ("media_type", "VIDEO"),
            ("is_carousel_item", "true"),
            ("video_url", &video_url(&t, "b.mp4")),
        ])
        .await;
    let c = t
        .created(&[
            ("image_url", &t.cdn.jpeg("c.jpg", 1080, 1350)),
            ("is_carousel_item", "true"),
            ("alt_text", "third slide"),
        ])
        .await;
    // The guide's comma-separated form, with spaces (000 L2218-2253).
    let children = format!("{a}, {b}, {c}");
    let carousel = t
        .create(&[
            ("media_type", "CAROUSEL"),
            ("caption", "Fruit candies"),
            ("children", &children),
        ])
        .await;
    assert_eq!(carousel.status, StatusCode::OK, "{}", carousel.text);
    assert_same_shape(
        &carousel.body,
        &sample("001-ig-user-media-post-L1488")["response"],
        "$",
    );
    let carousel = carousel.body["id"].as_str().unwrap().to_string();
    // Ready when every child is: the video still processes.
    assert_eq!(t.status_code(&carousel).await, "IN_PROGRESS");
    t.advance(10.0).await;
    assert_eq!(t.status_code(&carousel).await, "FINISHED");
    let album = t.published(&carousel).await;
    let media = t
        .media(
            &album,
            "media_type,media_product_type,caption,children{media_type,caption,alt_text}",
        )
        .await;
    assert_eq!(media["media_type"], "CAROUSEL_ALBUM");
    assert_eq!(media["media_product_type"], "FEED");
    assert_eq!(media["caption"], "Fruit candies");
    let kids: Vec<&str> = media["children"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["media_type"].as_str().unwrap())
        .collect();
    assert_eq!(kids, vec!["IMAGE", "VIDEO", "IMAGE"], "album order");
    assert_eq!(media["children"]["data"][2]["alt_text"], "third slide");
    // A carousel counts as a single post (ref 001 L1447-1450).
    let limit = t
        .server
        .get_fb(
            &format!("/v24.0/{}/content_publishing_limit", t.id()),
            &t.world.fb_token,
        )
        .await;
    assert_eq!(limit.body, json!({"data": [{"quota_usage": 1}]}));
    // The children were consumed with the carousel.
    assert_eq!(t.status_code(&a).await, "PUBLISHED");
    // A child cannot be published alone, nor reused.
    let alone = t.publish(&c).await;
    assert_eq!(alone.status, StatusCode::BAD_REQUEST);
    let reuse = t
        .create(&[
            ("media_type", "CAROUSEL"),
            ("children", &format!("{a},{b}")),
        ])
        .await;
    assert_eq!(error_of(&reuse).1, Some(2207006));
    t.server.stop().await;
}

#[tokio::test]
async fn stories_publish_images_and_videos_to_the_story_surface() {
    // ref 001 L170-188 (story variants), L3-4 (story user tags since July 9, 2025),
    // L1577-1580 (IMAGE/VIDEO with STORY), L8530-8604 (/stories), L93-104 (story video spec).
    let t = T::start().await;
    t.person("ana.sousa", false).await;
    let image = t
        .created(&[
            ("media_type", "STORIES"),
            ("image_url", &t.cdn.jpeg("story.jpg", 1080, 1920)),
            ("user_tags", "[{username:'ana.sousa'}]"),
        ])
        .await;
    let video = t
        .created(&[
            ("media_type", "STORIES"),
            ("video_url", &video_url(&t, "story.mp4")),
        ])
        .await;
    t.advance(10.0).await;
    let image_media = t.published(&image).await;
    let video_media = t.published(&video).await;
    let read = t
        .media(&image_media, "media_type,media_product_type,permalink")
        .await;
    assert_eq!(read["media_type"], "IMAGE");
    assert_eq!(read["media_product_type"], "STORY");
    assert_eq!(
        read["permalink"],
        format!("https://www.instagram.com/stories/metricsaurus/{image_media}/")
    );
    let read = t.media(&video_media, "media_type,media_product_type").await;
    assert_eq!(
        (
            read["media_type"].as_str(),
            read["media_product_type"].as_str()
        ),
        (Some("VIDEO"), Some("STORY"))
    );
    // Stories are listed on /stories, not /media (ref 001 L385-438).
    let stories = t
        .server
        .get_fb(&format!("/v24.0/{}/stories", t.id()), &t.world.fb_token)
        .await;
    assert_eq!(stories.body["data"].as_array().unwrap().len(), 2);
    let feed = t
        .server
        .get_fb(&format!("/v24.0/{}/media", t.id()), &t.world.fb_token)
        .await;
    assert_eq!(feed.body["data"], json!([]));
    // A 61-second story video is out of spec (60 s maximum).
    let long = t.cdn.mp4(
        "long.mp4",
        &VideoSpec {
            duration_ms: 61_000,
            frame_bytes: 10,
            ..short_reel()
        },
    );
    let too_long = t
        .created(&[("media_type", "STORIES"), ("video_url", &long)])
        .await;
    t.advance(10.0).await;
    assert_eq!(
        error_of(&t.publish(&too_long).await),
        (
            352,
            Some(2207026),
            "The video format is not supported. Please check spec for supported duration (3 to 60 seconds) format".into()
        )
    );
    // Stories are for business accounts (ref 004 L1657).
    let creator = t
        .post(
            Host::Instagram,
            &format!("/v24.0/{}/media", t.world.creator["id"].as_str().unwrap()),
            &t.world.creator_token,
            &[
                ("media_type", "STORIES"),
                ("image_url", &t.cdn.jpeg("c.jpg", 1080, 1920)),
            ],
        )
        .await;
    assert_eq!(error_of(&creator).0, 10);
    t.server.stop().await;
}

// ----- validation -------------------------------------------------------------------------------

#[tokio::test]
async fn every_parameter_is_validated_with_the_documented_error() {
    // ref 001 L223-354 (parameters), L3287-3545 (error table), L289-297 (location_id).
    let t = T::start().await;
    t.person("public.person", false).await;
    t.person("private.person", true).await;
    let jpeg = t.cdn.jpeg("v.jpg", 1080, 1080);
    let mp4 = video_url(&t, "v.mp4");
    let long_caption = "a".repeat(2201);
    let mentions: String = (0..21).map(|i| format!("@user{i} ")).collect();
    let hashtags: String = (0..31).map(|i| format!("#tag{i} ")).collect();
    let eleven: Vec<String> = (0..11).map(|i| format!("1790000000000000{i}")).collect();
    let eleven = eleven.join(",");
    let other_account = t
        .server
        .post_control(
            "/accounts",
            json!({"username": "other.shop", "facebook_page": true}),
        )
        .await;
    let other_token = t
        .server
        .token(
            t.world.app_id(),
            other_account["id"].as_str().unwrap(),
            "facebook",
            None,
        )
        .await;
    let foreign = t
        .post(
            Host::Facebook,
            &format!("/v24.0/{}/media", other_account["id"].as_str().unwrap()),
            &other_token,
            &[("image_url", &jpeg), ("is_carousel_item", "true")],
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let not_item = t.created(&[("image_url", &jpeg)]).await;
    let page_id = t.world.page_id().to_string();
    let long_alt = "a".repeat(1001);
    let foreign_children = format!("{foreign},{not_item}");
    let foreign_message = format!("The media with {foreign} cannot be found");
    let twice = format!("{not_item},{not_item}");
    let with_one = format!("{not_item},1");
    let cases: Vec<Case> = vec![
        (vec![("media_type", "PHOTO"), ("image_url", &jpeg)], 100, Some(2207023), "The media type PHOTO is unknown."),
        (vec![("image_url", &jpeg), ("caption", &long_caption)], 36004, Some(2207010), "The submitted image's caption was 2201 characters long. The maximum number of characters permitted for a caption is 2200. Please submit media with a shorter caption."),
        (vec![("image_url", &jpeg), ("caption", &mentions)], 100, Some(2207040), "Cannot use more than 20 tags per created media."),
        (vec![("image_url", &jpeg), ("caption", &hashtags)], 100, Some(2207040), "Cannot use more than 30 tags per created media."),
        (vec![("media_type", "CAROUSEL"), ("children", "17900000000000001")], 100, Some(2207028), "Your post won't work as a carousel. Carousels need at least 2 photos/videos and no more than 10 photos/videos."),
        (vec![("media_type", "CAROUSEL"), ("children", &eleven)], 100, Some(2207028), "Your post won't work as a carousel."),
        (vec![("media_type", "CAROUSEL"), ("children", &foreign_children)], 24, Some(2207006), &foreign_message),
        (vec![("media_type", "CAROUSEL"), ("children", &twice)], 100, None, "appears twice"),
        (vec![("image_url", "https://www.example.com/café.jpg")], 9004, Some(2207052), "The media could not be fetched from this uri: https://www.example.com/café.jpg"),
        (vec![("image_url", "curls//www.example.com/images/bronzed-fonzes.jpg")], 9004, Some(2207052), "could not be fetched"),
        (vec![("media_type", "VIDEO"), ("video_url", &mp4)], 100, Some(2207023), "The media type VIDEO is unknown."),
        (vec![("media_type", "REELS")], 100, None, "(#100) The parameter video_url is required"),
        (vec![("caption", "no media")], 100, None, "(#100) The parameter image_url is required"),
        (vec![("media_type", "CAROUSEL")], 100, None, "(#100) The parameter children is required"),
        (vec![("image_url", &jpeg), ("video_url", &mp4)], 100, None, "not both"),
        (vec![("media_type", "REELS"), ("upload_type", "RESUMABLE")], 100, None, "upload_type"),
        (vec![("media_type", "REELS"), ("video_url", &mp4), ("upload_type", "resumable")], 100, None, "takes no media URL"),
        (vec![("media_type", "REELS"), ("video_url", &mp4), ("is_carousel_item", "true")], 100, None, "is_carousel_item is not supported for reels"),
        (vec![("image_url", &jpeg), ("is_carousel_item", "true"), ("caption", "x")], 100, None, "caption is not supported for carousel images"),
        (vec![("image_url", &jpeg), ("is_carousel_item", "true"), ("location_id", &page_id)], 100, None, "location_id is not supported for carousel images"),
        (vec![("media_type", "REELS"), ("video_url", &mp4), ("alt_text", "x")], 100, None, "alt_text is not supported for reels"),
        (vec![("media_type", "STORIES"), ("image_url", &jpeg), ("alt_text", "x")], 100, None, "alt_text is not supported for image stories"),
        (vec![("image_url", &jpeg), ("alt_text", &long_alt)], 100, None, "maximum is 1000"),
        (vec![("image_url", &jpeg), ("audio_name", "x")], 100, None, "audio_name is not supported for images"),
        (vec![("image_url", &jpeg), ("cover_url", &jpeg)], 100, None, "cover_url is not supported for images"),
        (vec![("image_url", &jpeg), ("share_to_feed", "true")], 100, None, "share_to_feed is not supported for images"),
        (vec![("image_url", &jpeg), ("thumb_offset", "10")], 100, None, "thumb_offset is not supported for images"),
        (vec![("media_type", "REELS"), ("video_url", &mp4), ("thumb_offset", "soon")], 100, None, "(#100) Param thumb_offset must be an integer"),
        (vec![("image_url", &jpeg), ("is_carousel_item", "maybe")], 100, None, "(#100) Param is_carousel_item must be a boolean"),
        (vec![("media_type", "STORIES"), ("image_url", &jpeg), ("collaborators", "public.person")], 100, None, "collaborators is not supported for image stories"),
        (vec![("image_url", &jpeg), ("collaborators", "a,b,c,d")], 100, None, "up to 3 collaborators"),
        (vec![("image_url", &jpeg), ("collaborators", "nobody.here")], 100, None, "The collaborator nobody.here does not exist"),
        (vec![("image_url", &jpeg), ("collaborators", "metricsaurus")], 100, None, "its own collaborator"),
        (vec![("image_url", &jpeg), ("user_tags", "[{username:'public.person'}]")], 100, None, "need x and y"),
        (vec![("image_url", &jpeg), ("user_tags", "[{username:'public.person',x:1.5,y:0.2}]")], 100, None, "from 0.0 to 1.0"),
        (vec![("image_url", &jpeg), ("user_tags", "[{username:'private.person',x:0.5,y:0.2}]")], 100, None, "private"),
        (vec![("image_url", &jpeg), ("user_tags", "[{username:'ghost',x:0.5,y:0.2}]")], 100, None, "does not exist"),
        (vec![("media_type", "REELS"), ("video_url", &mp4), ("user_tags", "[{username:'public.person',x:0.5,y:0.2}]")], 100, None, "coordinates apply only to images and stories"),
        (vec![("media_type", "VIDEO"), ("is_carousel_item", "true"), ("video_url", &mp4), ("user_tags", "[{username:'public.person'}]")], 100, None, "user_tags is not supported for carousel videos"),
        (vec![("media_type", "CAROUSEL"), ("children", &with_one), ("user_tags", "[{username:'public.person'}]")], 100, None, "user_tags is not supported for carousels"),
        (vec![("image_url", &jpeg), ("location_id", &page_id)], 100, None, "INSTAGRAM_PLATFORM_API__INVALID_LOCATION_ID"),
        (vec![("media_type", "STORIES"), ("image_url", &jpeg), ("location_id", &page_id)], 100, None, "location_id is not supported for image stories"),
        (vec![("media_type", "STORIES"), ("image_url", &jpeg), ("caption", "hi")], 100, None, "caption is not supported for image stories"),
        (vec![("image_url", &jpeg), ("trial_params", "{graduation_strategy:'MANUAL'}")], 100, None, "trial_params is not supported for images"),
        (vec![("media_type", "REELS"), ("video_url", &mp4), ("trial_params", "{graduation_strategy:'LATER'}")], 100, None, "graduation_strategy"),
        (vec![("image_url", &jpeg), ("product_tags", "[{product_id:'3231775643511089',x:0.5,y:0.8}]")], 200, None, "catalog_management"),
        (vec![("image_url", &jpeg), ("children", "1,2")], 100, None, "children is not supported for images"),
    ];
    for (form, code, subcode, text) in cases {
        let answer = t.create(&form).await;
        assert_eq!(answer.status.as_u16() / 100, 4, "{form:?}: {}", answer.text);
        let (got_code, got_subcode, message) = error_of(&answer);
        assert_eq!(
            (got_code, got_subcode),
            (code, subcode),
            "{form:?}: {}",
            answer.text
        );
        let full = answer.body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(text) || full.contains(text),
            "{form:?}: {message} / {full} lacks {text}"
        );
        // Errors from the reference's table carry its envelope (ref 001 L3289-3304).
        if subcode.is_some() {
            assert_eq!(answer.body["error"]["type"], "OAuthException");
            assert_eq!(answer.body["error"]["is_transient"], false);
            assert!(answer.body["error"]["fbtrace_id"].is_string());
        }
    }
    // Nothing of the above made a container: the limit endpoint still shows no posts, and the
    // trial reel variant and caption counting work when valid.
    let trial = t
        .create(&[
            ("media_type", "REELS"),
            ("video_url", &mp4),
            (
                "trial_params",
                "{\"graduation_strategy\":\"SS_PERFORMANCE\"}",
            ),
            ("caption", &"#tag ".repeat(30)),
            ("collaborators", "public.person"),
        ])
        .await;
    assert_eq!(trial.status, StatusCode::OK, "{}", trial.text);
    // Resumable sessions are Facebook Login only (ref 001 L2123-2125, 004 L2645).
    let ig = t
        .create_ig(&[("media_type", "REELS"), ("upload_type", "resumable")])
        .await;
    assert!(error_of(&ig).2.contains("upload_type"), "{}", ig.text);
    t.server.stop().await;
}

#[tokio::test]
async fn product_tags_follow_the_shopping_rules() {
    // ref 001 L308-319, L3435-3463, L9835-9938; 004 L1391 (30 per reel).
    let t = T::start().await;
    let token = t
        .server
        .token(
            t.world.app_id(),
            t.id(),
            "facebook",
            Some(vec![
                "instagram_basic",
                "instagram_content_publish",
                "pages_read_engagement",
                "catalog_management",
                "instagram_shopping_tag_products",
            ]),
        )
        .await;
    let jpeg = t.cdn.jpeg("p.jpg", 1080, 1080);
    let mp4 = video_url(&t, "p.mp4");
    let path = format!("/v24.0/{}/media", t.id());
    let create = |form: Vec<(&'static str, String)>| {
        let (t, token, path) = (&t, token.clone(), path.clone());
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.post(Host::Facebook, &path, &token, &form).await
        }
    };
    let tag = "[{product_id:'3231775643511089',x: 0.5,y: 0.8}]".to_string();
    // Without an approved shop: 2207037.
    let answer = create(vec![
        ("image_url", jpeg.clone()),
        ("product_tags", tag.clone()),
    ])
    .await;
    assert_eq!(error_of(&answer).1, Some(2207037));
    t.server
        .post_control(
            &format!("/accounts/{}/publishing", t.id()),
            json!({"shopping_product_tag_eligibility": true}),
        )
        .await;
    let answer = create(vec![
        ("image_url", jpeg.clone()),
        ("product_tags", tag.clone()),
    ])
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let answer = create(vec![
        ("image_url", jpeg.clone()),
        ("product_tags", "[{product_id:'1'}]".into()),
    ])
    .await;
    assert_eq!(error_of(&answer).1, Some(2207036));
    let answer = create(vec![
        ("media_type", "REELS".into()),
        ("video_url", mp4.clone()),
        ("product_tags", tag.clone()),
    ])
    .await;
    assert_eq!(error_of(&answer).1, Some(2207035));
    let thirty: Vec<String> = (0..30).map(|i| format!("{{product_id:'{i}'}}")).collect();
    let answer = create(vec![
        ("media_type", "REELS".into()),
        ("video_url", mp4.clone()),
        ("product_tags", format!("[{}]", thirty.join(","))),
    ])
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let six: Vec<String> = (0..6)
        .map(|i| format!("{{product_id:'{i}',x:0.1,y:0.1}}"))
        .collect();
    let answer = create(vec![
        ("image_url", jpeg.clone()),
        ("is_carousel_item", "true".into()),
        ("product_tags", format!("[{}]", six.join(","))),
    ])
    .await;
    assert!(
        error_of(&answer).2.contains("5 product tags"),
        "{}",
        answer.text
    );
    // A carousel holds at most 20 over all its slides.
    let mut slides = Vec::new();
    for i in 0..5 {
        let tags: Vec<String> = (0..5)
            .map(|j| format!("{{product_id:'{i}{j}',x:0.1,y:0.1}}"))
            .collect();
        let answer = create(vec![
            ("image_url", jpeg.clone()),
            ("is_carousel_item", "true".into()),
            ("product_tags", format!("[{}]", tags.join(","))),
        ])
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        slides.push(answer.body["id"].as_str().unwrap().to_string());
    }
    let answer = create(vec![
        ("media_type", "CAROUSEL".into()),
        ("children", slides.join(",")),
    ])
    .await;
    assert!(
        error_of(&answer).2.contains("20 product tags"),
        "{}",
        answer.text
    );
    let answer = create(vec![
        ("media_type", "CAROUSEL".into()),
        ("children", slides[..4].join(",")),
    ])
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    t.server.stop().await;
}

// ----- fetching and checking the media ------------------------------------------------------

#[tokio::test]
async fn fetch_failures_and_out_of_spec_files_turn_the_container_to_error() {
    // ref 001 L60-104 (specifications), L1381-1382 (cURLed URLs), L1441 (JPEG only, not MPO
    // or JPS), L3307-3315, L3475-3533 (errors).
    let t = T::start().await;
    let cdn = &t.cdn;
    let missing = format!("{}/missing.jpg", cdn.base);
    let slow = cdn.jpeg("slow.jpg", 1080, 1080);
    // The file is read, not its name or Content-Type: a PNG served as a .jpg.
    let png = cdn.put("photo.jpg", "image/jpeg", synth::png_header(1080, 1080));
    let mpo = cdn.put(
        "mpo.jpg",
        "image/jpeg",
        synth::with_app_segment(&synth::jpeg(100, 100), 0xE2, b"MPF\0\0\0\0\0"),
    );
    let huge = cdn.put(
        "huge.jpg",
        "image/jpeg",
        synth::padded(synth::jpeg(1080, 1080), 9 * 1024 * 1024),
    );
    let tall = cdn.jpeg("tall.jpg", 1080, 1920);
    let wide = cdn.jpeg("wide.jpg", 2000, 1000);
    let narrow = cdn.jpeg("narrow.jpg", 200, 200);
    let image_cases: Vec<(&str, Option<Expected>)> = vec![
        (&missing, Some((9004, 2207052, format!("The media could not be fetched from this uri: {missing}")))),
        (&slow, Some((-2, 2207003, "It takes too long to download the media.".into()))),
        (&png, Some((36001, 2207005, "The image format png is not supported. Supported formats are: jpeg.".into()))),
        (&mpo, Some((36001, 2207005, "The image format mpo is not supported. Supported formats are: jpeg.".into()))),
        (&huge, Some((36000, 2207004, "The image is too large to download. It should be less than 8 MiB.".into()))),
        (&tall, Some((36003, 2207009, "The submitted image with aspect ratio 0.5625 cannot be published. Please submit an image with a valid aspect ratio.".into()))),
        (&wide, Some((36003, 2207009, "The submitted image with aspect ratio 2 cannot be published. Please submit an image with a valid aspect ratio.".into()))),
        // Narrower than 320 columns: scaled up, not refused (ref 001 L63).
        (&narrow, None),
    ];
    for (url, expected) in image_cases {
        let id = t.created(&[("image_url", url)]).await;
        let read = t.container(&id, "status_code,status").await;
        match expected {
            None => assert_eq!(read["status_code"], "FINISHED", "{url}"),
            Some((code, subcode, message)) => {
                assert_eq!(read["status_code"], "ERROR", "{url}");
                assert_eq!(read["status"], subcode.to_string(), "{url}");
                let answer = t.publish(&id).await;
                assert_eq!(answer.status, StatusCode::BAD_REQUEST);
                assert_eq!(error_of(&answer), (code, Some(subcode), message), "{url}");
            }
        }
    }
    // The 36000 envelope is the reference's sample exactly (ref 001 L3291-3304).
    let id = t.created(&[("image_url", &huge)]).await;
    let answer = t.publish(&id).await;
    assert_eq!(
        answer.body["error"]["message"],
        "The image size is too large."
    );
    assert_eq!(
        answer.body["error"]["error_user_title"],
        "Image size too large"
    );

    // Videos: each rule of the reel specification (ref 001 L68-81).
    let base = short_reel();
    let video_cases: Vec<(&str, VideoSpec, &str)> = vec![
        (
            "moov-last.mp4",
            VideoSpec {
                moov_first: false,
                ..base.clone()
            },
            "container (moov atom at the front of the file)",
        ),
        (
            "edits.mp4",
            VideoSpec {
                edit_list: true,
                ..base.clone()
            },
            "container (no edit lists)",
        ),
        (
            "vp9.mp4",
            VideoSpec {
                codec: Codec::Vp9,
                ..base.clone()
            },
            "video codec (HEVC or H264)",
        ),
        (
            "low-fps.mp4",
            VideoSpec {
                fps: 15,
                ..base.clone()
            },
            "frame rate (23-60 FPS)",
        ),
        (
            "short.mp4",
            VideoSpec {
                duration_ms: 2_000,
                ..base.clone()
            },
            "duration (3 seconds to 15 minutes)",
        ),
        (
            "wide.mp4",
            VideoSpec {
                width: 2160,
                height: 3840,
                ..base.clone()
            },
            "picture size (1920 columns maximum)",
        ),
        (
            "thin.mp4",
            VideoSpec {
                width: 2,
                height: 1080,
                ..base.clone()
            },
            "aspect ratio (0.01:1 to 10:1)",
        ),
        (
            "hifi.mp4",
            VideoSpec {
                audio: Some(Audio {
                    sample_rate: 96_000,
                    channels: 2,
                }),
                ..base.clone()
            },
            "audio sample rate (48 kHz maximum)",
        ),
        (
            "surround.mp4",
            VideoSpec {
                audio: Some(Audio {
                    sample_rate: 48_000,
                    channels: 6,
                }),
                ..base.clone()
            },
            "audio channels (mono or stereo)",
        ),
        (
            "fat.mp4",
            VideoSpec {
                frame_bytes: 120_000,
                ..base.clone()
            },
            "video bitrate (25 Mbps maximum)",
        ),
    ];
    let mut ids = Vec::new();
    for (name, spec, rule) in &video_cases {
        let url = cdn.mp4(name, spec);
        ids.push((
            t.created(&[("media_type", "REELS"), ("video_url", &url)])
                .await,
            *rule,
        ));
    }
    // Not a video at all.
    let not_video = t
        .created(&[("media_type", "REELS"), ("video_url", &tall)])
        .await;
    ids.push((not_video, "container (MOV or MP4)"));
    // HEVC as Apple writes it is fine.
    let hvc1 = cdn.mp4(
        "hvc1.mp4",
        &VideoSpec {
            codec: Codec::Hvc1,
            ..base.clone()
        },
    );
    let hvc1 = t
        .created(&[("media_type", "REELS"), ("video_url", &hvc1)])
        .await;
    t.advance(30.0).await;
    for (id, rule) in ids {
        let read = t.container(&id, "status_code,status,video_status").await;
        assert_eq!(
            (read["status_code"].as_str(), read["status"].as_str()),
            (Some("ERROR"), Some("2207026")),
            "{rule}"
        );
        assert_eq!(read["video_status"]["processing_phase"]["status"], "error");
        let answer = t.publish(&id).await;
        assert_eq!(
            error_of(&answer),
            (
                352,
                Some(2207026),
                format!("The video format is not supported. Please check spec for supported {rule} format")
            )
        );
    }
    assert_eq!(t.status_code(&hvc1).await, "FINISHED");
    // A video URL that does not answer: the upload phase failed.
    let gone = t
        .created(&[("media_type", "REELS"), ("video_url", &missing)])
        .await;
    t.advance(30.0).await;
    let read = t.container(&gone, "status,video_status").await;
    assert_eq!(read["status"], "2207052");
    assert_eq!(read["video_status"]["uploading_phase"]["status"], "error");
    t.server.stop().await;
}

// ----- the container's states ----------------------------------------------------------------

#[tokio::test]
async fn container_states_follow_virtual_time_and_the_control_api() {
    // ref 001 L3995-4003 (status codes), L19 (24-hour expiry), L3991-3993 (subcode status),
    // L3395-3403 (2207008); control API 2.14, 2.18.
    let t = T::start().await;
    let finished = t.image("f.jpg").await;
    let failing = t.image("e.jpg").await;
    let slow = t.image("s.jpg").await;
    // Chosen outcomes: a failure and a longer processing time.
    let control = t
        .server
        .post_control(
            &format!("/containers/{failing}"),
            json!({"fail_with": 2207053}),
        )
        .await;
    assert_eq!(control["status_code"], "ERROR");
    assert_eq!(control["error_subcode"], 2207053);
    t.server
        .post_control(
            &format!("/containers/{slow}"),
            json!({"processing_seconds": 120}),
        )
        .await;
    assert_eq!(t.status_code(&slow).await, "IN_PROGRESS");
    assert_eq!(
        t.container(&failing, "status_code,status").await,
        json!({"status_code": "ERROR", "status": "2207053", "id": failing})
    );
    assert_eq!(
        error_of(&t.publish(&failing).await),
        (-1, Some(2207053), "unknown upload error".into())
    );
    t.advance(120.0).await;
    assert_eq!(t.status_code(&slow).await, "FINISHED");
    // 24 hours after creation an unpublished container expires.
    t.advance(24.0 * 3600.0 - 121.0).await;
    assert_eq!(t.status_code(&finished).await, "FINISHED");
    t.advance(1.0).await;
    let read = t.container(&finished, "status_code,status").await;
    assert_eq!(read["status_code"], "EXPIRED");
    assert_eq!(
        read["status"],
        "Expired: Media was not published within 24 hours."
    );
    assert_eq!(
        error_of(&t.publish(&finished).await),
        (
            24,
            Some(2207008),
            format!("The media builder with creation id = {finished} does not exist or has been expired.")
        )
    );
    // Copyright outcome chosen for a video (ref 001 L9464-9485; sample 001-ig-container-get-L9468).
    let video = t
        .created(&[
            ("media_type", "REELS"),
            ("video_url", &video_url(&t, "v.mp4")),
        ])
        .await;
    t.server
        .post_control(
            &format!("/containers/{video}"),
            json!({"copyright": {"status": "completed", "matches_found": true}}),
        )
        .await;
    let read = t.container(&video, "copyright_check_status").await;
    assert_eq!(
        read["copyright_check_status"],
        json!({"status": "in_progress", "matches_found": false})
    );
    t.advance(10.0).await;
    let read = t.container(&video, "copyright_check_status").await;
    assert_same_shape(
        &read,
        &sample("001-ig-container-get-L9468")["response"],
        "$",
    );
    assert_eq!(
        read["copyright_check_status"],
        json!({"status": "complete", "matches_found": true})
    );
    // The control API refuses subcodes outside the table.
    let Answer { status, .. } = t
        .server
        .control_api(reqwest::Method::POST, &format!("/containers/{video}"))
        .json(json!({"fail_with": 1234}))
        .send()
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    t.server.stop().await;
}

#[tokio::test]
async fn the_container_node_reads_like_any_node() {
    // ref 001 L3916-4027: default fields, no edges, unknown fields, other accounts.
    let t = T::start().await;
    let id = t.image("n.jpg").await;
    let plain = t
        .server
        .get_fb(&format!("/v24.0/{id}"), &t.world.fb_token)
        .await;
    assert_eq!(plain.body, json!({"id": id}));
    let unknown = t
        .server
        .get_fb(&format!("/v24.0/{id}?fields=caption"), &t.world.fb_token)
        .await;
    assert_eq!(
        unknown.body["error"]["message"],
        "(#100) Tried accessing nonexisting field (caption) on node type (ShadowIGMediaBuilder)"
    );
    let metadata = t
        .server
        .get_ig(&format!("/v24.0/{id}?metadata=1"), &t.world.ig_token)
        .await;
    assert_eq!(metadata.body["metadata"]["type"], "shadowigmediabuilder");
    let names: Vec<&str> = metadata.body["metadata"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "id",
            "copyright_check_status",
            "status",
            "status_code",
            "video_status"
        ]
    );
    // Another account's token sees nothing.
    let creator = t
        .server
        .get_ig(&format!("/v24.0/{id}"), &t.world.creator_token)
        .await;
    assert_eq!(creator.error().0, 100);
    assert_eq!(creator.error().1, Some(33));
    // Containers take no POST or DELETE.
    let delete = t
        .server
        .graph(Method::DELETE, &format!("/v24.0/{id}"))
        .token(&t.world.fb_token)
        .send()
        .await;
    assert_eq!(delete.status, StatusCode::BAD_REQUEST);
    t.server.stop().await;
}

// ----- resumable upload -------------------------------------------------------------------

fn rupload<'a>(t: &'a T, path: &str) -> Call<'a> {
    t.server
        .graph(Method::POST, path)
        .on(Host::Named("rupload.facebook.com"))
        .header("Authorization", format!("OAuth {}", t.world.fb_token))
}

#[tokio::test]
async fn a_resumable_upload_resumes_at_the_right_offset() {
    // ref 001 L131-148 (session), L190-208 (upload), L2170-2210 (responses), L2228-2267
    // (video_status, interrupted upload resumed at bytes_transferred); samples
    // 001-ig-user-media-post-L143, 004-ig-api-upload-ig-container-post-L2757,
    // 001-ig-api-upload-ig-container-post-L1541, 001-ig-container-get-L2233.
    let t = T::start().await;
    let session = t
        .create(&[
            ("media_type", "REELS"),
            ("upload_type", "resumable"),
            ("caption", "big"),
        ])
        .await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.text);
    assert_same_shape(
        &session.body,
        &sample("001-ig-user-media-post-L143")["response"],
        "$",
    );
    let id = session.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        session.body["uri"],
        format!("https://rupload.facebook.com/ig-api-upload/v24.0/{id}")
    );
    let read = t.container(&id, "status_code,video_status").await;
    assert_eq!(read["status_code"], "IN_PROGRESS");
    assert_eq!(
        read["video_status"],
        json!({"uploading_phase": {"status": "not_started", "bytes_transferred": 0},
               "processing_phase": {"status": "not_started"}})
    );

    let video = synth::mp4_bytes(&VideoSpec {
        frame_bytes: 4_000,
        ..short_reel()
    })
    .unwrap();
    let total = video.len();
    let half = total / 2;
    let path = format!("/ig-api-upload/v24.0/{id}");
    // First half, announcing the whole size: the upload stays in progress.
    let first = rupload(&t, &path)
        .header("offset", "0")
        .header("file_size", total.to_string())
        .body(video[..half].to_vec())
        .send()
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["success"], true);
    assert_eq!(
        first.body["message"],
        format!("Upload successful. {half} of {total} bytes received; resume at offset {half}.")
    );
    let read = t.container(&id, "id,status,status_code,video_status").await;
    assert_eq!(read["status_code"], "IN_PROGRESS");
    assert_eq!(
        read["video_status"],
        json!({"uploading_phase": {"status": "in_progress", "bytes_transferred": half},
               "processing_phase": {"status": "not_started"}})
    );
    // A resume past what arrived is refused with rupload's envelope.
    let gap = rupload(&t, &path)
        .header("offset", (half + 10).to_string())
        .header("file_size", total.to_string())
        .body(video[half + 10..].to_vec())
        .send()
        .await;
    assert_eq!(gap.status, StatusCode::BAD_REQUEST);
    assert_eq!(gap.body["debug_info"]["type"], "ProcessingFailedError");
    let inner: Value =
        serde_json::from_str(gap.body["debug_info"]["message"].as_str().unwrap()).unwrap();
    assert_eq!(
        inner["error"]["message"],
        format!(
            "offset {} is past the {half} bytes received; resume at offset {half}",
            half + 10
        )
    );
    // A token that may not publish for the account: the documented failure, exactly.
    let stranger = t
        .server
        .graph(Method::POST, &path)
        .header("Authorization", format!("OAuth {}", t.world.creator_token))
        .header("offset", half.to_string())
        .header("file_size", total.to_string())
        .body(video[half..].to_vec())
        .send()
        .await;
    assert_eq!(
        stranger.body,
        sample("001-ig-api-upload-ig-container-post-L1541")["response"]
    );
    // Resume at bytes_transferred, on the path without the version (ref 001 L1433).
    let rest = rupload(&t, &format!("/ig-api-upload/{id}"))
        .header("offset", half.to_string())
        .header("file_size", total.to_string())
        .body(video[half..].to_vec())
        .send()
        .await;
    assert_eq!(rest.status, StatusCode::OK, "{}", rest.text);
    assert_eq!(
        rest.body,
        sample("004-ig-api-upload-ig-container-post-L2757")["response"]
    );
    let read = t.container(&id, "id,status,status_code,video_status").await;
    assert_eq!(read["status_code"], "IN_PROGRESS");
    assert_eq!(
        read["video_status"],
        json!({"uploading_phase": {"status": "complete", "bytes_transferred": total},
               "processing_phase": {"status": "in_progress"}})
    );
    // A finished upload takes no more bytes.
    let again = rupload(&t, &path)
        .header("offset", "0")
        .header("file_size", total.to_string())
        .body(video.clone())
        .send()
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    t.advance(10.0).await;
    let media = t.published(&id).await;
    let read = t.container(&id, "id,status,status_code,video_status").await;
    assert_same_shape(
        &read,
        &sample("001-ig-container-get-L2233")["response"],
        "$",
    );
    assert_eq!(read["status_code"], "PUBLISHED");
    assert_eq!(
        read["video_status"],
        json!({"uploading_phase": {"status": "complete", "bytes_transferred": total},
               "processing_phase": {"status": "complete"}})
    );
    // The published reel serves exactly the uploaded bytes.
    let url = t.media(&media, "media_url,caption").await;
    assert_eq!(url["caption"], "big");
    let served = t.fetch(url["media_url"].as_str().unwrap()).await;
    assert_eq!(served.bytes().await.unwrap().as_ref(), video.as_slice());
    t.server.stop().await;
}

#[tokio::test]
async fn an_interrupted_upload_keeps_what_arrived() {
    // ref 001 L2253-2267: the interrupted sample resumes at bytes_transferred (the sample's
    // PUBLISHED status is impossible there; localgram answers IN_PROGRESS, decisions.md).
    let t = T::start().await;
    let id = t
        .created(&[("media_type", "STORIES"), ("upload_type", "resumable")])
        .await;
    let video = synth::mp4_bytes(&VideoSpec {
        frame_bytes: 3_000,
        ..short_reel()
    })
    .unwrap();
    let total = video.len();
    let sent = 65_536usize;
    // The client sends part of the body, then its connection breaks.
    let first = video[..sent].to_vec();
    use futures_util::StreamExt;
    let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from(
        first,
    ))])
    .chain(futures_util::stream::once(async {
        // The bytes leave before the connection breaks.
        tokio::time::sleep(Duration::from_millis(300)).await;
        Err(std::io::Error::other("network down"))
    }));
    // A body stream that breaks mid-way is raw HTTP: the builder's request, sent by hand.
    let broken = rupload(&t, &format!("/ig-api-upload/v24.0/{id}"))
        .header("offset", "0")
        .header("file_size", total.to_string())
        .header("content-length", total.to_string())
        .request()
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await;
    assert!(broken.is_err() || broken.unwrap().status() != StatusCode::OK);
    // The server records what landed once it sees the connection end.
    let mut transferred = 0;
    for _ in 0..200 {
        let read = t.container(&id, "video_status").await;
        transferred = read["video_status"]["uploading_phase"]["bytes_transferred"]
            .as_u64()
            .unwrap();
        if transferred == sent as u64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(transferred, sent as u64);
    let rest = rupload(&t, &format!("/ig-api-upload/v24.0/{id}"))
        .header("offset", sent.to_string())
        .header("file_size", total.to_string())
        .body(video[sent..].to_vec())
        .send()
        .await;
    assert_eq!(rest.body["message"], "Upload successful.", "{}", rest.text);
    t.advance(10.0).await;
    let media = t.published(&id).await;
    let read = t.media(&media, "media_product_type,media_url").await;
    assert_eq!(read["media_product_type"], "STORY");
    let served = t.fetch(read["media_url"].as_str().unwrap()).await;
    assert_eq!(served.bytes().await.unwrap().len(), total);
    t.server.stop().await;
}

#[tokio::test]
async fn a_hosted_file_uploads_through_file_url() {
    // ref 001 L209-214, L2192-2195 (file_url header, no body); resumable carousel items
    // (ref 001 L162-168, L2211-2227).
    let t = T::start().await;
    let item = t
        .created(&[
            ("media_type", "VIDEO"),
            ("is_carousel_item", "true"),
            ("upload_type", "resumable"),
        ])
        .await;
    let hosted = video_url(&t, "hosted.mp4");
    let answer = rupload(&t, &format!("/ig-api-upload/v24.0/{item}"))
        .header("file_url", &hosted)
        .send()
        .await;
    assert_eq!(
        answer.body,
        json!({"success": true, "message": "Upload successful."})
    );
    let image = t
        .created(&[
            ("image_url", &t.cdn.jpeg("i.jpg", 1080, 1080)),
            ("is_carousel_item", "true"),
        ])
        .await;
    let carousel = t
        .created(&[
            ("media_type", "CAROUSEL"),
            ("children", &format!("[{item},{image}]")),
        ])
        .await;
    t.advance(10.0).await;
    let album = t.published(&carousel).await;
    let media = t.media(&album, "children{media_type,thumbnail_url}").await;
    assert_eq!(media["children"]["data"][0]["media_type"], "VIDEO");
    assert!(media["children"]["data"][0]["thumbnail_url"].is_string());
    // A file_url that does not answer fails the upload and the container.
    let other = t
        .created(&[("media_type", "REELS"), ("upload_type", "resumable")])
        .await;
    let missing = format!("{}/nothing.mp4", t.cdn.base);
    let answer = rupload(&t, &format!("/ig-api-upload/v24.0/{other}"))
        .header("file_url", &missing)
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    t.advance(10.0).await;
    assert_eq!(t.container(&other, "status").await["status"], "2207052");
    t.server.stop().await;
}

// ----- publishing errors --------------------------------------------------------------------

#[tokio::test]
async fn publishing_refuses_what_cannot_be_published() {
    // ref 001 L3395-3403 (2207008), L3495-3503 (2207027), L7902-7974; decisions.md for a
    // container published twice and for another account's container.
    let t = T::start().await;
    let done = t.image("d.jpg").await;
    t.published(&done).await;
    let twice = t.publish(&done).await;
    assert_eq!(
        error_of(&twice),
        (
            24,
            Some(2207008),
            format!(
                "The media builder with creation id = {done} does not exist or has been expired."
            )
        )
    );
    let unknown = t.publish("17999999999999999").await;
    assert_eq!(error_of(&unknown).1, Some(2207008));
    let missing = t.publish("").await;
    assert_eq!(
        missing.body["error"]["message"],
        "(#100) The parameter creation_id is required"
    );
    // Another account's container, published with that account's id in the path by a token
    // that cannot reach it: the path is refused; with its own path, the container is unknown.
    let other = t
        .server
        .post_control(
            "/accounts",
            json!({"username": "other.brand", "facebook_page": true}),
        )
        .await;
    let other_id = other["id"].as_str().unwrap().to_string();
    let other_token = t
        .server
        .token(t.world.app_id(), &other_id, "facebook", None)
        .await;
    let foreign = t
        .post(
            Host::Facebook,
            &format!("/v24.0/{other_id}/media"),
            &other_token,
            &[("image_url", &t.cdn.jpeg("o.jpg", 1080, 1080))],
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(error_of(&t.publish(&foreign).await).1, Some(2207008));
    let cross = t
        .post(
            Host::Facebook,
            &format!("/v24.0/{other_id}/media_publish"),
            &t.world.fb_token,
            &[("creation_id", &foreign)],
        )
        .await;
    assert_eq!(cross.error().1, Some(33));
    // The container is still publishable by its own account.
    let own = t
        .post(
            Host::Facebook,
            &format!("/v24.0/{other_id}/media_publish"),
            &other_token,
            &[("creation_id", &foreign)],
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    // GET on media_publish is not an endpoint.
    let get = t
        .server
        .get_fb(
            &format!("/v24.0/{}/media_publish", t.id()),
            &t.world.fb_token,
        )
        .await;
    assert_eq!(get.status, StatusCode::BAD_REQUEST);
    t.server.stop().await;
}

#[tokio::test]
async fn account_flags_and_page_tasks_gate_publishing() {
    // ref 001 L21-22 (PPA, 2FA), L55-58 (MANAGE or CREATE_CONTENT), L3365-3373 (2207051),
    // L3405-3413 (2207050); control API 2.16.
    let t = T::start().await;
    let ready = t.image("r.jpg").await;
    let flags = format!("/accounts/{}/publishing", t.id());
    t.server.post_control(&flags, json!({"spam": true})).await;
    assert_eq!(
        error_of(&t.publish(&ready).await),
        (4, Some(2207051), "We restrict certain activity to protect our community. Tell us if you think we made a mistake.".into())
    );
    t.server
        .post_control(&flags, json!({"spam": false, "restricted": true}))
        .await;
    assert_eq!(error_of(&t.publish(&ready).await).1, Some(2207050));
    assert_eq!(
        error_of(&t.create(&[("image_url", "http://x.example/a.jpg")]).await).1,
        Some(2207050)
    );
    t.server
        .post_control(&flags, json!({"restricted": false, "ppa_required": true}))
        .await;
    let ppa = t.publish(&ready).await;
    assert_eq!((ppa.status, error_of(&ppa).0), (StatusCode::FORBIDDEN, 10));
    t.server
        .post_control(
            &flags,
            json!({"ppa_required": false, "two_factor_required": true}),
        )
        .await;
    assert_eq!(error_of(&t.publish(&ready).await).0, 10);
    // Two-factor authentication is a Facebook user's: Instagram Login publishes.
    let ig = t
        .post(
            Host::Instagram,
            &format!("/v24.0/{}/media_publish", t.id()),
            &t.world.ig_token,
            &[("creation_id", &ready)],
        )
        .await;
    assert_eq!(ig.status, StatusCode::OK, "{}", ig.text);
    let read = t
        .server
        .control_api(reqwest::Method::GET, &flags)
        .send()
        .await
        .body;
    assert_eq!(
        read,
        json!({"restricted": false, "spam": false, "ppa_required": false,
               "two_factor_required": true, "shopping_product_tag_eligibility": false})
    );

    // A Facebook user who can only analyse the Page cannot publish; the IG token can.
    let analyst = t
        .server
        .post_control(
            "/accounts",
            json!({"username": "analysed", "facebook_page": true, "page_tasks": ["ANALYZE"]}),
        )
        .await;
    let analyst_id = analyst["id"].as_str().unwrap();
    let token = t
        .server
        .token(t.world.app_id(), analyst_id, "facebook", None)
        .await;
    let refused = t
        .post(
            Host::Facebook,
            &format!("/v24.0/{analyst_id}/media"),
            &token,
            &[("image_url", &t.cdn.jpeg("x.jpg", 1080, 1080))],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(error_of(&refused).0, 10);
    // Without the publishing permission: the permission error.
    let reader = t
        .server
        .token(
            t.world.app_id(),
            t.id(),
            "instagram",
            Some(vec!["instagram_business_basic"]),
        )
        .await;
    let denied = t
        .post(
            Host::Instagram,
            &format!("/v24.0/{}/media", t.id()),
            &reader,
            &[("image_url", &t.cdn.jpeg("y.jpg", 1080, 1080))],
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(denied.error().0, 10);
    t.server.stop().await;
}

// ----- limits -------------------------------------------------------------------------------

#[tokio::test]
async fn the_publishing_limit_refuses_then_recovers_as_the_window_rolls() {
    // ref 001 L1447-1450, L3375-3383 (9/2207042), L6564-6662 (content_publishing_limit,
    // sample 001-ig-user-content-publishing-limit-get-L6640).
    let t = T::with(Settings {
        publish_limit: 3,
        ..settings()
    })
    .await;
    for i in 0..3 {
        let c = t.image(&format!("l{i}.jpg")).await;
        t.published(&c).await;
        t.advance(3600.0).await;
    }
    let fourth = t.image("l3.jpg").await;
    let refused = t.publish(&fourth).await;
    assert_eq!(
        error_of(&refused),
        (9, Some(2207042), "You reached maximum number of posts that is allowed to be published by Content Publishing API.".into())
    );
    let since = START_UNIX + 3600;
    let limit = t
        .server
        .get_fb(
            &format!(
                "/v24.0/{}/content_publishing_limit?fields=quota_usage,rate_limit_settings&since={since}",
                t.id()
            ),
            &t.world.fb_token,
        )
        .await;
    assert_same_shape(
        &limit.body,
        &sample("001-ig-user-content-publishing-limit-get-L6640")["response"],
        "$",
    );
    assert_eq!(
        limit.body,
        json!({"data": [{"quota_usage": 2, "config": {"quota_total": 3, "quota_duration": 86400}}]})
    );
    let old = t
        .server
        .get_fb(
            &format!(
                "/v24.0/{}/content_publishing_limit?since={}",
                t.id(),
                START_UNIX - 86_400
            ),
            &t.world.fb_token,
        )
        .await;
    assert_eq!(old.status, StatusCode::BAD_REQUEST);
    let bad = t
        .server
        .get_fb(
            &format!(
                "/v24.0/{}/content_publishing_limit?fields=quota_left",
                t.id()
            ),
            &t.world.fb_token,
        )
        .await;
    assert_eq!(bad.error().0, 100);
    // The limit is read only (ref 001 L6595-6596, L6655-6659).
    let post = t
        .post(
            Host::Facebook,
            &format!("/v24.0/{}/content_publishing_limit", t.id()),
            &t.world.fb_token,
            &[],
        )
        .await;
    assert_eq!(post.status, StatusCode::BAD_REQUEST);
    // 24 hours after the first publish, one slot frees: the fourth goes through.
    t.advance(21.0 * 3600.0).await;
    let usage = t
        .server
        .get_ig(
            &format!("/v24.0/{}/content_publishing_limit", t.id()),
            &t.world.ig_token,
        )
        .await;
    assert_eq!(usage.body, json!({"data": [{"quota_usage": 2}]}));
    t.published(&fourth).await;
    t.server.stop().await;
}

#[tokio::test]
async fn the_default_limit_is_100_and_configurable() {
    // ref 001 L1447-1450 and 004 L2668 (100) vs 001 L1487, L6628-6634, L7912 (50).
    let t = T::start().await;
    let limit = t
        .server
        .get_fb(
            &format!("/v24.0/{}/content_publishing_limit?fields=config", t.id()),
            &t.world.fb_token,
        )
        .await;
    assert_eq!(
        limit.body,
        json!({"data": [{"config": {"quota_total": 100, "quota_duration": 86400}}]})
    );
    t.server.stop().await;
}

#[tokio::test]
async fn the_container_limit_refuses_then_recovers() {
    // ref 001 L18-20: 400 containers per rolling 24 hours (configured to 3 here).
    let t = T::with(Settings {
        container_limit: 3,
        ..settings()
    })
    .await;
    for i in 0..3 {
        t.image(&format!("c{i}.jpg")).await;
    }
    let refused = t
        .create(&[("image_url", &t.cdn.jpeg("c3.jpg", 1080, 1080))])
        .await;
    assert_eq!(error_of(&refused).0, 9);
    assert!(refused.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("(3)"));
    t.advance(24.0 * 3600.0).await;
    t.image("c4.jpg").await;
    t.server.stop().await;
}

#[tokio::test]
async fn concurrent_publishes_make_one_media_and_limits_hold() {
    // Quality: two concurrent publishes of one container create one media; the limits hold
    // under concurrent calls.
    let t = T::with(Settings {
        publish_limit: 3,
        container_limit: 12,
        ..settings()
    })
    .await;
    let container = t.image("once.jpg").await;
    let (a, b) = tokio::join!(t.publish(&container), t.publish(&container));
    let ok = [&a, &b]
        .iter()
        .filter(|x| x.status == StatusCode::OK)
        .count();
    assert_eq!(ok, 1, "{} / {}", a.text, b.text);
    let loser = if a.status == StatusCode::OK { &b } else { &a };
    assert_eq!(error_of(loser).1, Some(2207008));
    let listed = t
        .server
        .get_fb(&format!("/v24.0/{}/media", t.id()), &t.world.fb_token)
        .await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);

    // Eight publishes at once against a limit of 3 (one already used): two succeed.
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(t.image(&format!("p{i}.jpg")).await);
    }
    let results = futures_util::future::join_all(ids.iter().map(|id| t.publish(id))).await;
    let published = results
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(published, 2);
    for refused in results.iter().filter(|r| r.status != StatusCode::OK) {
        assert_eq!(error_of(refused).1, Some(2207042));
    }
    // Ten creations at once against 12 containers (9 used): three succeed.
    let url = t.cdn.jpeg("burst.jpg", 1080, 1080);
    let form = [("image_url", url.as_str())];
    let results = futures_util::future::join_all((0..10).map(|_| t.create(&form))).await;
    assert_eq!(
        results
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count(),
        3
    );
    t.server.stop().await;
}

// ----- the media host and the control API -------------------------------------------------

#[tokio::test]
async fn the_media_host_serves_types_lengths_and_ranges() {
    // Quality: content-addressed files with Content-Type, Content-Length and ranges.
    let t = T::start().await;
    let jpeg = synth::jpeg(1080, 1080);
    let file = t
        .server
        .post_control(
            "/files",
            json!({"base64": base64::engine::general_purpose::STANDARD.encode(&jpeg)}),
        )
        .await;
    let url = file["url"].as_str().unwrap().to_string();
    assert_eq!(file["content_type"], "image/jpeg");
    assert_eq!(file["size"], jpeg.len());
    // The same bytes twice are one file.
    let again = t
        .server
        .post_control(
            "/files",
            json!({"base64": base64::engine::general_purpose::STANDARD.encode(&jpeg)}),
        )
        .await;
    assert_eq!(again["url"], file["url"]);
    let full = t.fetch(&url).await;
    assert_eq!(full.status(), StatusCode::OK);
    assert_eq!(full.headers()["content-type"], "image/jpeg");
    assert_eq!(
        full.headers()["content-length"],
        jpeg.len().to_string().as_str()
    );
    // Range requests on media bytes: raw responses, the bytes are what is asserted.
    let ranged = t
        .server
        .http
        .get(&url)
        .header("Range", "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        ranged.headers()["content-range"],
        format!("bytes 0-9/{}", jpeg.len()).as_str()
    );
    assert_eq!(ranged.bytes().await.unwrap().as_ref(), &jpeg[..10]);
    let tail = t
        .server
        .http
        .get(&url)
        .header("Range", "bytes=-4")
        .send()
        .await
        .unwrap();
    assert_eq!(
        tail.bytes().await.unwrap().as_ref(),
        &jpeg[jpeg.len() - 4..]
    );
    let beyond = t
        .server
        .http
        .get(&url)
        .header("Range", format!("bytes={}-", jpeg.len() + 10))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    let head = t.server.http.head(&url).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        head.headers()["content-length"],
        jpeg.len().to_string().as_str()
    );
    // Unknown hashes and wrong extensions are not found.
    let wrong = url.replace(".jpg", ".mp4");
    assert_eq!(t.fetch(&wrong).await.status(), StatusCode::NOT_FOUND);
    let unknown = format!("{}/media/{}.jpg", t.server.base, "0".repeat(64));
    assert_eq!(t.fetch(&unknown).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        t.fetch(&format!("{}/media/..%2F..%2Fetc.jpg", t.server.base))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // A generated video fixture is an MP4 the pipeline accepts.
    let video = t
        .server
        .post_control(
            "/files",
            json!({"kind": "mp4", "duration_ms": 3000, "width": 720, "height": 1280}),
        )
        .await;
    assert_eq!(video["content_type"], "video/mp4");
    let reel = t
        .created(&[
            ("media_type", "REELS"),
            ("video_url", video["url"].as_str().unwrap()),
        ])
        .await;
    t.advance(10.0).await;
    assert_eq!(t.status_code(&reel).await, "FINISHED");
    // After a reset the store forgets the files: the host stops serving them.
    t.server.post_control("/reset", json!({})).await;
    assert_eq!(t.fetch(&url).await.status(), StatusCode::NOT_FOUND);
    t.server.stop().await;
}

#[tokio::test]
async fn media_posted_from_the_app_has_real_files() {
    // Control API 2.10b: POST /_localgram/accounts/{id}/media, with bytes or generated ones.
    let t = T::start().await;
    let jpeg = synth::jpeg(640, 800);
    let posted = t
        .server
        .post_control(
            &format!("/accounts/{}/media", t.id()),
            json!({"caption": "from the app", "image_base64": base64::engine::general_purpose::STANDARD.encode(&jpeg)}),
        )
        .await;
    let media = t
        .media(posted["id"].as_str().unwrap(), "media_url,caption")
        .await;
    let served = t.fetch(media["media_url"].as_str().unwrap()).await;
    assert_eq!(served.bytes().await.unwrap().as_ref(), jpeg.as_slice());
    // Without bytes: generated files, still served.
    let reel = t
        .server
        .post_control(
            &format!("/accounts/{}/media", t.id()),
            json!({"media_type": "VIDEO", "media_product_type": "REELS"}),
        )
        .await;
    let media = t
        .media(reel["id"].as_str().unwrap(), "media_url,thumbnail_url")
        .await;
    let video = t.fetch(media["media_url"].as_str().unwrap()).await;
    assert_eq!(video.headers()["content-type"], "video/mp4");
    let thumb = t.fetch(media["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    // Bytes that are not what the media type says are refused.
    let Answer { status, .. } = t
        .server
        .control_api(reqwest::Method::POST, &format!("/accounts/{}/media", t.id())).json(json!({"image_base64": base64::engine::general_purpose::STANDARD.encode(synth::png_header(10, 10))})).send()
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Published through the API or not, the account's own posts do not count.
    let usage = t
        .server
        .get_fb(
            &format!("/v24.0/{}/content_publishing_limit", t.id()),
            &t.world.fb_token,
        )
        .await;
    assert_eq!(usage.body, json!({"data": [{"quota_usage": 0}]}));
    t.server.stop().await;
}

#[tokio::test]
async fn containers_uploads_and_media_survive_a_restart() {
    // Nothing is lost across a restart (--data): states are computed from stored times.
    let dir = tempfile::tempdir().unwrap();
    let start = || async {
        TestServer::start_with(Config {
            data_dir: Some(dir.path().to_path_buf()),
            ..config(settings())
        })
        .await
    };
    let server = start().await;
    let world = server.world().await;
    server
        .post_control("/clock", json!({"set": START, "frozen": true}))
        .await;
    let t = T {
        server,
        cdn: Cdn::start().await,
        world,
    };
    let published = t.image("keep.jpg").await;
    let media = t.published(&published).await;
    let waiting = t
        .created(&[
            ("media_type", "REELS"),
            ("video_url", &video_url(&t, "w.mp4")),
        ])
        .await;
    let session = t
        .created(&[("media_type", "REELS"), ("upload_type", "resumable")])
        .await;
    let video = synth::mp4_bytes(&short_reel()).unwrap();
    let half = video.len() / 2;
    rupload(&t, &format!("/ig-api-upload/v24.0/{session}"))
        .header("offset", "0")
        .header("file_size", video.len().to_string())
        .body(video[..half].to_vec())
        .send()
        .await;
    let media_url = t.media(&media, "media_url").await["media_url"]
        .as_str()
        .unwrap()
        .to_string();
    let T { server, cdn, world } = t;
    server.stop().await;

    let server = start().await;
    let t = T { server, cdn, world };
    assert_eq!(t.status_code(&published).await, "PUBLISHED");
    assert_eq!(t.status_code(&waiting).await, "IN_PROGRESS");
    let read = t.container(&session, "video_status").await;
    assert_eq!(
        read["video_status"]["uploading_phase"]["bytes_transferred"],
        half
    );
    let media_url = media_url.replace(media_url.split("/media/").next().unwrap(), &t.server.base);
    let served = t.fetch(&media_url).await;
    assert_eq!(served.status(), StatusCode::OK);
    let rest = rupload(&t, &format!("/ig-api-upload/v24.0/{session}"))
        .header("offset", half.to_string())
        .header("file_size", video.len().to_string())
        .body(video[half..].to_vec())
        .send()
        .await;
    assert_eq!(rest.body["message"], "Upload successful.");
    t.advance(10.0).await;
    assert_eq!(t.status_code(&waiting).await, "FINISHED");
    assert_eq!(t.status_code(&session).await, "FINISHED");
    t.server.stop().await;
}

#[tokio::test]
async fn caption_mentions_notify_the_mentioned_accounts() {
    // ref 001 L249-255: "@Mentioned Instagram users receive a notification when the container
    // is published"; mentions webhooks are not sent for stories (001 L7980-7985).
    let t = T::start().await;
    let id = t
        .created(&[
            ("image_url", &t.cdn.jpeg("m.jpg", 1080, 1080)),
            ("caption", "Dinner with @dino.creator and @metricsaurus"),
        ])
        .await;
    let media = t.published(&id).await;
    let Answer { body: log, .. } = t
        .server
        .control_api(
            reqwest::Method::GET,
            "/webhooks/deliveries?include=skipped,body",
        )
        .send()
        .await;
    // One notification, to the creator account; the publishing account mentions itself.
    let events = log["data"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{log}");
    assert_eq!(events[0]["field"], "mentions");
    assert_eq!(events[0]["account_id"], t.world.creator["id"]);
    assert_eq!(
        events[0]["payload"]["entry"][0]["changes"][0]["value"],
        json!({"media_id": media})
    );
    // A story's caption cannot mention anyone; nothing more is sent for other media.
    let quiet = t
        .created(&[
            ("image_url", &t.cdn.jpeg("q.jpg", 1080, 1080)),
            ("caption", "no one"),
        ])
        .await;
    t.published(&quiet).await;
    let Answer { body: log, .. } = t
        .server
        .control_api(reqwest::Method::GET, "/webhooks/deliveries?include=skipped")
        .send()
        .await;
    assert_eq!(log["data"].as_array().unwrap().len(), 1);
    t.server.stop().await;
}
