//! A container's state at a moment of virtual time, computed from what is stored (ref 001
//! L3916-4027 fields, L2228-2267 `video_status`, L9448-9510 copyright). Nothing waits in
//! memory: a clock jump or a restart is seen at the next read.

use serde_json::{json, Value};

use super::failure::Failure;
use crate::store::containers::Container;

/// Containers not published within 24 hours expire (ref 001 L19, L3999; 004 L2851).
pub const EXPIRY_MS: i64 = 24 * 60 * 60 * 1000;

/// `status_code` (ref 001 L3995-4003).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Expired,
    Error,
    Finished,
    InProgress,
    Published,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Expired => "EXPIRED",
            Code::Error => "ERROR",
            Code::Finished => "FINISHED",
            Code::InProgress => "IN_PROGRESS",
            Code::Published => "PUBLISHED",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub code: Code,
    /// Set when `code` is `ERROR`.
    pub failure: Option<Failure>,
}

impl State {
    fn of(code: Code) -> State {
        State {
            code,
            failure: None,
        }
    }

    fn error(failure: Failure) -> State {
        State {
            code: Code::Error,
            failure: Some(failure),
        }
    }

    /// The `status` text. FINISHED and PUBLISHED are the samples' words (000 L236-274,
    /// 001 L2236); an ERROR shows its subcode (001 L3991-3993); the other two follow them.
    pub fn text(&self) -> String {
        match self.code {
            Code::Finished => {
                "Finished: Media has been uploaded and it is ready to be published.".into()
            }
            Code::Published => "Published: Media has been successfully published.".into(),
            Code::InProgress => "In Progress: Media is still being processed.".into(),
            Code::Expired => "Expired: Media was not published within 24 hours.".into(),
            Code::Error => self
                .failure
                .as_ref()
                .map(|f| f.subcode().to_string())
                .unwrap_or_default(),
        }
    }
}

/// When processing ends, if it has begun.
fn ready_at(c: &Container) -> Option<i64> {
    c.processing_started_at
        .map(|start| start.saturating_add(c.processing_ms.max(0)))
}

fn failure_of(c: &Container) -> Option<Failure> {
    c.failure.as_deref().map(Failure::from_json)
}

/// Whether the failure happened while getting the bytes (so the upload phase failed).
fn failed_in_upload(failure: &Failure) -> bool {
    matches!(failure, Failure::FetchFailed { .. } | Failure::Timeout)
}

/// The state of a single-media container.
pub fn single(c: &Container, now_ms: i64) -> State {
    if c.published_media_id.is_some() {
        return State::of(Code::Published);
    }
    if now_ms >= c.created_at.saturating_add(EXPIRY_MS) {
        return State::of(Code::Expired);
    }
    match ready_at(c) {
        Some(ready) if now_ms >= ready => match failure_of(c) {
            Some(failure) => State::error(failure),
            None => State::of(Code::Finished),
        },
        _ => State::of(Code::InProgress),
    }
}

/// The state of any container; a carousel's also depends on its children (in order).
pub fn state(c: &Container, children: &[Container], now_ms: i64) -> State {
    let own = single(c, now_ms);
    if c.kind != "CAROUSEL" || matches!(own.code, Code::Published | Code::Expired | Code::Error) {
        return own;
    }
    let mut waiting = false;
    for id in &c.children {
        let Some(child) = children.iter().find(|ch| &ch.id == id) else {
            return State::error(Failure::MediaNotFound { id: id.clone() });
        };
        let child_state = single(child, now_ms);
        match child_state.code {
            Code::Error => return child_state,
            Code::Expired => return State::error(Failure::MediaExpired),
            Code::Published => return State::error(Failure::MediaNotFound { id: id.clone() }),
            Code::InProgress => waiting = true,
            Code::Finished => {}
        }
    }
    if waiting {
        State::of(Code::InProgress)
    } else {
        own
    }
}

/// `video_status` of a video container (ref 001 L2228-2267): the upload and processing
/// phases, `not_started`, `in_progress`, `complete` or `error`.
pub fn video_status(c: &Container, now_ms: i64) -> Option<Value> {
    if !c.is_video {
        return None;
    }
    let failure = failure_of(c);
    let (uploading, processing) = match ready_at(c) {
        None if c.bytes_transferred == 0 => ("not_started", "not_started"),
        None => ("in_progress", "not_started"),
        Some(_) if failure.as_ref().is_some_and(failed_in_upload) => ("error", "not_started"),
        Some(ready) if now_ms < ready && c.published_media_id.is_none() => {
            ("complete", "in_progress")
        }
        Some(_) if failure.is_some() => ("complete", "error"),
        Some(_) => ("complete", "complete"),
    };
    Some(json!({
        "uploading_phase": {"status": uploading, "bytes_transferred": c.bytes_transferred},
        "processing_phase": {"status": processing},
    }))
}

/// `copyright_check_status` of a video container (ref 001 L3975-3986, L9464-9485): checked
/// while the video is processed. Finished checks read `complete`, as the sample prints it.
pub fn copyright(c: &Container, now_ms: i64) -> Option<Value> {
    if !c.is_video {
        return None;
    }
    let chosen = c
        .copyright
        .as_deref()
        .and_then(|text| serde_json::from_str::<Value>(text).ok());
    let (status, matches) = match ready_at(c) {
        None => ("not_started", false),
        Some(ready) if now_ms < ready && c.published_media_id.is_none() => ("in_progress", false),
        Some(_) if c.failure.is_some() => ("error", false),
        Some(_) => {
            if let Some(chosen) = chosen {
                return Some(json!({
                    "status": chosen["status"].as_str().unwrap_or("complete"),
                    "matches_found": chosen["matches_found"].as_bool().unwrap_or(false),
                }));
            }
            ("complete", false)
        }
    };
    Some(json!({"status": status, "matches_found": matches}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video(created_at: i64) -> Container {
        Container {
            id: "1".into(),
            kind: "REELS".into(),
            is_video: true,
            resumable: true,
            created_at,
            ..Container::default()
        }
    }

    #[test]
    fn a_resumable_video_goes_through_its_phases() {
        // ref 001 L2228-2267: uploading then processing, then FINISHED.
        let mut c = video(0);
        assert_eq!(single(&c, 10).code, Code::InProgress);
        assert_eq!(
            video_status(&c, 10).unwrap()["uploading_phase"]["status"],
            "not_started"
        );
        c.bytes_transferred = 50_002;
        c.file_size = Some(100_000);
        let status = video_status(&c, 10).unwrap();
        assert_eq!(
            status,
            json!({"uploading_phase": {"status": "in_progress", "bytes_transferred": 50_002},
                   "processing_phase": {"status": "not_started"}})
        );
        c.bytes_transferred = 100_000;
        c.processing_started_at = Some(1_000);
        c.processing_ms = 5_000;
        assert_eq!(single(&c, 5_999).code, Code::InProgress);
        assert_eq!(
            video_status(&c, 5_999).unwrap()["processing_phase"]["status"],
            "in_progress"
        );
        assert_eq!(copyright(&c, 5_999).unwrap()["status"], "in_progress");
        assert_eq!(single(&c, 6_000).code, Code::Finished);
        assert_eq!(
            copyright(&c, 6_000).unwrap(),
            json!({"status": "complete", "matches_found": false})
        );
        assert_eq!(single(&c, EXPIRY_MS).code, Code::Expired);
        c.published_media_id = Some("9".into());
        assert_eq!(single(&c, EXPIRY_MS + 1).code, Code::Published);
    }

    #[test]
    fn errors_show_their_subcode_once_processing_is_over() {
        // ref 001 L3991-3993: status is the error subcode.
        let mut c = video(0);
        c.processing_started_at = Some(0);
        c.processing_ms = 100;
        c.failure = Some(
            Failure::VideoFormat {
                what: "frame rate (23-60 FPS)".into(),
            }
            .to_json(),
        );
        assert_eq!(single(&c, 99).code, Code::InProgress);
        let state = single(&c, 100);
        assert_eq!(state.code, Code::Error);
        assert_eq!(state.text(), "2207026");
        assert_eq!(
            video_status(&c, 100).unwrap()["processing_phase"]["status"],
            "error"
        );
        c.failure = Some(Failure::Timeout.to_json());
        assert_eq!(
            video_status(&c, 100).unwrap()["uploading_phase"]["status"],
            "error"
        );
    }

    #[test]
    fn a_carousel_waits_for_and_fails_with_its_children() {
        let carousel = Container {
            id: "c".into(),
            kind: "CAROUSEL".into(),
            children: vec!["a".into(), "b".into()],
            processing_started_at: Some(0),
            ..Container::default()
        };
        let mut a = video(0);
        a.id = "a".into();
        a.processing_started_at = Some(0);
        a.processing_ms = 1_000;
        let b = Container {
            id: "b".into(),
            kind: "IMAGE".into(),
            processing_started_at: Some(0),
            ..Container::default()
        };
        let children = vec![a.clone(), b.clone()];
        assert_eq!(state(&carousel, &children, 500).code, Code::InProgress);
        assert_eq!(state(&carousel, &children, 1_000).code, Code::Finished);
        a.failure = Some(Failure::Chosen { subcode: 2207053 }.to_json());
        let failed = state(&carousel, &[a, b], 1_000);
        assert_eq!(
            (failed.code, failed.text().as_str()),
            (Code::Error, "2207053")
        );
        assert_eq!(state(&carousel, &children, EXPIRY_MS).code, Code::Expired);
    }
}
