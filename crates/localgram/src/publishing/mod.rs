//! Content publishing: IG Containers from creation to published IG Media, the media checks,
//! resumable uploads, the media host and the publishing limits (ref 001 L1-384, L1372-1595,
//! L2121-2268, L3287-3545, L3916-4027, L6564-6662, L7902-7974; 004 L2608-2860).
//!
//! The Graph handlers are in `api::publishing`, the container node in `nodes::ig_container`,
//! the SQL in `store::containers`, `store::media_files` and `store::publishing_setup`.

pub mod failure;
pub mod fetch;
pub mod files;
pub mod limits;
pub mod media_host;
pub mod placeholders;
pub mod probe;
pub mod processing;
pub mod publish;
pub mod request;
pub mod rupload;
pub mod specs;
pub mod status;
pub mod synth;

use parking_lot::Mutex;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use files::FileStore;

/// How publishing behaves; the defaults follow docs/decisions.md.
#[derive(Debug, Clone)]
pub struct Settings {
    /// API-published posts per account per rolling 24 hours (`--publish-limit`): 100 by
    /// default (ref 001 L1447-1450, 004 L2668); the documents also say 50 (001 L1487, L7912).
    pub publish_limit: u32,
    /// Containers per account per rolling 24 hours (ref 001 L18-20).
    pub container_limit: u32,
    /// Virtual time an image takes to process once fetched. Zero: images are ready at once,
    /// as clients that publish right after creating expect.
    pub image_processing_ms: i64,
    /// Virtual time a video takes to process: a base plus a share per MiB.
    pub video_processing_ms: i64,
    pub video_processing_ms_per_mib: i64,
    /// How long fetching `image_url`, `video_url`, `cover_url` or `file_url` may take before
    /// it fails with -2/2207003.
    pub fetch_timeout: Duration,
    /// Product tags on a single feed post and on a whole carousel: 20 in the product tagging
    /// guide (ref 001 L9835-9938), 5 in the parameter table (L308-319), which localgram
    /// applies per carousel slide.
    pub feed_product_tag_limit: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            publish_limit: limits::DEFAULT_PUBLISH_LIMIT,
            container_limit: limits::CONTAINER_LIMIT,
            image_processing_ms: 0,
            video_processing_ms: 10_000,
            video_processing_ms_per_mib: 200,
            fetch_timeout: Duration::from_secs(30),
            feed_product_tag_limit: request::FEED_PRODUCT_TAGS,
        }
    }
}

impl Settings {
    /// Processing time for a file of `size` bytes.
    pub fn processing_ms(&self, is_video: bool, size: u64) -> i64 {
        if is_video {
            let mib = (size / specs::MIB) as i64;
            self.video_processing_ms
                .saturating_add(self.video_processing_ms_per_mib.saturating_mul(mib))
        } else {
            self.image_processing_ms
        }
    }
}

/// What the publishing code shares across requests.
pub struct Publishing {
    pub files: FileStore,
    /// Fetches media as Meta's crawler does.
    pub http: reqwest::Client,
    /// Poster frames generated for videos without a cover, by size: (sha256, extension).
    posters: Mutex<HashMap<(u32, u32), String>>,
    /// Containers receiving bytes right now: one upload at a time per container.
    uploading: Mutex<HashSet<String>>,
    /// Placeholder files already stored, with what is recorded of them.
    placeholders: Mutex<HashMap<placeholders::Placeholder, crate::store::media_files::MediaFile>>,
}

/// Marks a container as receiving an upload until dropped.
pub struct UploadGuard<'a> {
    publishing: &'a Publishing,
    id: String,
}

impl Drop for UploadGuard<'_> {
    fn drop(&mut self) {
        self.publishing.uploading.lock().remove(&self.id);
    }
}

impl Publishing {
    pub fn new(files: FileStore) -> Publishing {
        let http = reqwest::Client::builder()
            .user_agent("facebookexternalhit/1.1")
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Publishing {
            files,
            http,
            posters: Mutex::new(HashMap::new()),
            uploading: Mutex::new(HashSet::new()),
            placeholders: Mutex::new(HashMap::new()),
        }
    }

    /// Claims a container for one upload; `None` while another upload to it runs.
    pub fn begin_upload(&self, id: &str) -> Option<UploadGuard<'_>> {
        self.uploading
            .lock()
            .insert(id.to_string())
            .then(|| UploadGuard {
                publishing: self,
                id: id.to_string(),
            })
    }

    pub(crate) fn placeholder(
        &self,
        which: placeholders::Placeholder,
    ) -> Option<crate::store::media_files::MediaFile> {
        self.placeholders.lock().get(&which).cloned()
    }

    pub(crate) fn remember_placeholder(
        &self,
        which: placeholders::Placeholder,
        row: crate::store::media_files::MediaFile,
    ) {
        self.placeholders.lock().insert(which, row);
    }

    pub(crate) fn poster(&self, size: (u32, u32)) -> Option<String> {
        self.posters.lock().get(&size).cloned()
    }

    pub(crate) fn remember_poster(&self, size: (u32, u32), sha256: String) {
        self.posters.lock().insert(size, sha256);
    }
}
