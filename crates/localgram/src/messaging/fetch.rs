//! Checking an attachment before it is sent or saved, as Meta does when it takes media from a
//! URL: the URL must answer, with a file of the attachment's type, no larger than the type's
//! limit (images 8 MB; audio, video and files 25 MB). The bytes are read to be measured and
//! dropped: the message carries the URL.

use std::sync::OnceLock;
use std::time::Duration;

use graph::GraphError;

use super::body::MediaKind;
use super::rules::{IMAGE_MAX_BYTES, MEDIA_MAX_BYTES};

/// How long fetching an attachment may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(20);

/// What the fetch found.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    pub mime_type: String,
    pub size: u64,
}

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .user_agent("facebookexternalua")
            .build()
            .unwrap_or_else(|_| reqwest::Client::new())
    })
}

/// The largest file a kind of attachment may be.
pub fn max_bytes(kind: MediaKind) -> u64 {
    match kind {
        MediaKind::Image => IMAGE_MAX_BYTES,
        _ => MEDIA_MAX_BYTES,
    }
}

fn max_label(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "8 MB",
        _ => "25 MB",
    }
}

/// The formats each kind takes (public docs: images png, jpeg, gif; audio aac, m4a, wav, mp4;
/// video mp4, ogg, avi, mov, webm; files pdf), by MIME type and by file extension.
type Formats = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

fn formats(kind: MediaKind) -> Formats {
    match kind {
        MediaKind::Image => (
            &["image/png", "image/jpeg", "image/jpg", "image/gif"],
            &[
                ("png", "image/png"),
                ("jpg", "image/jpeg"),
                ("jpeg", "image/jpeg"),
                ("gif", "image/gif"),
            ],
        ),
        MediaKind::Audio => (
            &[
                "audio/aac",
                "audio/mp4",
                "audio/m4a",
                "audio/x-m4a",
                "audio/wav",
                "audio/x-wav",
                "audio/wave",
            ],
            &[
                ("aac", "audio/aac"),
                ("m4a", "audio/mp4"),
                ("wav", "audio/wav"),
                ("mp4", "audio/mp4"),
            ],
        ),
        MediaKind::Video => (
            &[
                "video/mp4",
                "video/ogg",
                "video/x-msvideo",
                "video/avi",
                "video/quicktime",
                "video/webm",
            ],
            &[
                ("mp4", "video/mp4"),
                ("ogg", "video/ogg"),
                ("avi", "video/x-msvideo"),
                ("mov", "video/quicktime"),
                ("webm", "video/webm"),
            ],
        ),
        MediaKind::File => (&["application/pdf"], &[("pdf", "application/pdf")]),
    }
}

/// The MIME type a file is taken as: its Content-Type when that names one of the kind's
/// formats, else its extension's, else `None` (the file is not of the kind).
pub fn accepted_type(kind: MediaKind, content_type: Option<&str>, path: &str) -> Option<String> {
    let (mimes, extensions) = formats(kind);
    if let Some(ct) = content_type {
        let ct = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if mimes.contains(&ct.as_str()) {
            return Some(ct);
        }
        let generic =
            ct.is_empty() || ct == "application/octet-stream" || ct == "binary/octet-stream";
        if !generic {
            return None;
        }
    }
    let name = path.split(['?', '#']).next().unwrap_or("");
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    extensions
        .iter()
        .find(|(e, _)| *e == extension)
        .map(|(_, mime)| mime.to_string())
}

/// Fetches `url` and checks it is a `kind` file within its size limit.
pub async fn check_url(kind: MediaKind, url: &str) -> Result<Fetched, GraphError> {
    let mut response = client()
        .get(url)
        .timeout(FETCH_TIMEOUT)
        .send()
        .await
        .map_err(|e| {
            GraphError::attachment_upload_failed(&if e.is_timeout() {
                "fetching the URL timed out".to_string()
            } else {
                "the URL could not be fetched".to_string()
            })
        })?;
    let status = response.status();
    if !status.is_success() {
        return Err(GraphError::attachment_upload_failed(&format!(
            "the URL answered HTTP {}",
            status.as_u16()
        )));
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let path = response.url().path().to_string();
    let mime_type = accepted_type(kind, content_type.as_deref(), &path).ok_or_else(|| {
        GraphError::attachment_upload_failed(&format!(
            "the file is not a supported {} ({})",
            kind.as_str(),
            content_type.as_deref().unwrap_or("no Content-Type")
        ))
    })?;
    let limit = max_bytes(kind);
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(GraphError::attachment_too_large(
            kind.as_str(),
            max_label(kind),
        ));
    }
    let mut size: u64 = 0;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                size += chunk.len() as u64;
                if size > limit {
                    return Err(GraphError::attachment_too_large(
                        kind.as_str(),
                        max_label(kind),
                    ));
                }
            }
            Ok(None) => break,
            Err(_) => {
                return Err(GraphError::attachment_upload_failed(
                    "the download was interrupted",
                ))
            }
        }
    }
    Ok(Fetched { mime_type, size })
}

/// Checks an uploaded file (`filedata`) the same way.
pub fn check_bytes(
    kind: MediaKind,
    content_type: Option<&str>,
    filename: &str,
    size: u64,
) -> Result<Fetched, GraphError> {
    let mime_type = accepted_type(kind, content_type, filename).ok_or_else(|| {
        GraphError::attachment_upload_failed(&format!(
            "the file is not a supported {}",
            kind.as_str()
        ))
    })?;
    if size > max_bytes(kind) {
        return Err(GraphError::attachment_too_large(
            kind.as_str(),
            max_label(kind),
        ));
    }
    Ok(Fetched { mime_type, size })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_content_type_then_extension() {
        assert_eq!(
            accepted_type(MediaKind::Image, Some("image/png"), "/x"),
            Some("image/png".into())
        );
        assert_eq!(
            accepted_type(MediaKind::Image, Some("application/octet-stream"), "/a.GIF"),
            Some("image/gif".into())
        );
        assert_eq!(
            accepted_type(MediaKind::Image, None, "/a.jpeg?size=2"),
            Some("image/jpeg".into())
        );
        assert_eq!(
            accepted_type(MediaKind::Image, Some("video/mp4"), "/a.png"),
            None
        );
        assert_eq!(
            accepted_type(
                MediaKind::File,
                Some("application/pdf; charset=binary"),
                "/x"
            ),
            Some("application/pdf".into())
        );
        assert_eq!(
            accepted_type(MediaKind::Video, None, "/clip.mov"),
            Some("video/quicktime".into())
        );
        assert_eq!(accepted_type(MediaKind::Audio, None, "/noext"), None);
    }

    #[test]
    fn sizes_are_checked_per_kind() {
        assert!(check_bytes(
            MediaKind::Image,
            Some("image/png"),
            "a.png",
            IMAGE_MAX_BYTES
        )
        .is_ok());
        assert!(check_bytes(
            MediaKind::Image,
            Some("image/png"),
            "a.png",
            IMAGE_MAX_BYTES + 1
        )
        .is_err());
        assert!(check_bytes(
            MediaKind::Video,
            Some("video/mp4"),
            "a.mp4",
            IMAGE_MAX_BYTES + 1
        )
        .is_ok());
        assert!(check_bytes(
            MediaKind::Video,
            Some("video/mp4"),
            "a.mp4",
            MEDIA_MAX_BYTES + 1
        )
        .is_err());
    }
}
