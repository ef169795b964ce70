//! Publishing, the media: fetching and checking the files, the container's states across virtual
//! time, and the media host with its control API.
//!
//! Content publishing end to end: containers of every variant, the media checks against files
//! a loopback server hands out, resumable uploads, the container's states across virtual time,
//! publishing, the limits and the media host.
//! Reference: 001 L1-384 (IG User Media), L1372-1595 (Content Publishing guide), L2121-2268
//! (resumable upload), L3287-3545 (errors), L3916-4027 (IG Container), L6564-6662
//! (content_publishing_limit), L7902-7974 (media_publish), L9448-9510 (copyright); 000
//! L153-306; 004 L2608-2860. Choices where the documents differ: docs/decisions.md
//! "Content publishing (issue #4)".

mod common;
#[macro_use]
#[path = "publishing/support.rs"]
mod support;

use support::*;

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
