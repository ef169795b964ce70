//! Real files for media that comes with no bytes (posted through the control API, the demo):
//! a generated square JPEG, a short 9:16 MP4 and its poster, stored once, so every
//! `media_url` and `thumbnail_url` localgram hands out can be fetched.

use crate::store::Writer;

use super::synth::{self, VideoSpec};
use crate::state::Shared;
use crate::store::media_files::{self, MediaFile};
use crate::store::{StoreError, StoreResult};

/// Which placeholder file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placeholder {
    /// 1080 × 1080 JPEG.
    Image,
    /// 5 s, 1080 × 1920 H.264 MP4.
    Video,
    /// The video's 640 × 1137 poster frame.
    Poster,
}

impl Placeholder {
    fn generate(self) -> std::io::Result<(Vec<u8>, MediaFile)> {
        Ok(match self {
            Placeholder::Image => (
                synth::jpeg(1080, 1080),
                MediaFile {
                    content_type: "image/jpeg".into(),
                    extension: "jpg".into(),
                    width: Some(1080),
                    height: Some(1080),
                    ..MediaFile::default()
                },
            ),
            Placeholder::Poster => (
                synth::jpeg(640, 1137),
                MediaFile {
                    content_type: "image/jpeg".into(),
                    extension: "jpg".into(),
                    width: Some(640),
                    height: Some(1137),
                    ..MediaFile::default()
                },
            ),
            Placeholder::Video => {
                let spec = VideoSpec::default();
                (
                    synth::mp4_bytes(&spec)?,
                    MediaFile {
                        content_type: "video/mp4".into(),
                        extension: "mp4".into(),
                        width: Some(i64::from(spec.width)),
                        height: Some(i64::from(spec.height)),
                        duration_ms: Some(spec.duration_ms as i64),
                        ..MediaFile::default()
                    },
                )
            }
        })
    }
}

/// The media host URL of a placeholder, storing it (and recording it through `conn`, the
/// caller's transaction) the first time.
pub fn url(conn: &Writer, state: &Shared, which: Placeholder) -> StoreResult<String> {
    let publishing = &state.publishing;
    let cached = publishing.placeholder(which);
    let mut row = match cached {
        Some(row) => row,
        None => {
            let (bytes, mut row) = which
                .generate()
                .map_err(|e| StoreError::Conflict(format!("cannot generate media: {e}")))?;
            let stored = publishing
                .files
                .put_bytes(&bytes)
                .map_err(|e| StoreError::Conflict(format!("cannot store media: {e}")))?;
            row.sha256 = stored.sha256;
            row.size = stored.size as i64;
            publishing.remember_placeholder(which, row.clone());
            row
        }
    };
    // Recorded on every use: a reset empties the table while the bytes stay on disk.
    row.created_at = state.clock.now();
    media_files::insert(conn, &row)?;
    Ok(publishing.files.url(&row.sha256, &row.extension))
}
