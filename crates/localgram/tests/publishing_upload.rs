//! Publishing, resumable uploads to rupload.facebook.com.
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

// ----- resumable upload -------------------------------------------------------------------

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
