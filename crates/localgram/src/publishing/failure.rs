//! Why a container ended in `ERROR`: kept with the container (as JSON) so its `status` can
//! show the error subcode and publishing it can answer the error itself, placeholders filled
//! (ref 001 L3287-3545, L3991-3993).

use graph::GraphError;
use serde::{Deserialize, Serialize};

/// The subcodes of the reference's error table (001 L3305-3544), which the control API may
/// choose as a container's outcome.
pub const TABLE_SUBCODES: &[i64] = &[
    2207003, 2207020, 2207001, 2207032, 2207053, 2207057, 2207051, 2207042, 2207006, 2207008,
    2207050, 2207023, 2207028, 2207035, 2207036, 2207037, 2207040, 2207026, 2207052, 2207027,
    2207004, 2207005, 2207009, 2207010,
];

/// The 8 MiB image limit as the errors word it (ref 001 L3291-3304).
pub const IMAGE_LIMIT_TEXT: &str = "8 MiB";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failure {
    /// The URL answered with an error, or could not be reached.
    FetchFailed {
        uri: String,
    },
    /// The URL took longer than the fetch timeout.
    Timeout,
    ImageTooLarge,
    ImageFormat {
        format: String,
    },
    AspectRatio {
        ratio: String,
    },
    /// A video outside its specification; `what` names the broken rule.
    VideoFormat {
        what: String,
    },
    ThumbOffset {
        length: String,
    },
    /// A carousel child expired before the carousel was published.
    MediaExpired,
    /// A carousel child that can no longer be used (published in another post).
    MediaNotFound {
        id: String,
    },
    /// An outcome chosen through the control API.
    Chosen {
        subcode: i64,
    },
}

impl Failure {
    /// The error publishing this container answers.
    pub fn error(&self) -> GraphError {
        match self {
            Failure::FetchFailed { uri } => GraphError::media_fetch_failed(uri),
            Failure::Timeout => GraphError::media_download_timeout(),
            Failure::ImageTooLarge => GraphError::image_too_large(IMAGE_LIMIT_TEXT),
            Failure::ImageFormat { format } => GraphError::unsupported_image_format(format, "jpeg"),
            Failure::AspectRatio { ratio } => GraphError::invalid_aspect_ratio(ratio),
            Failure::VideoFormat { what } => GraphError::unsupported_video_format(what),
            Failure::ThumbOffset { length } => GraphError::thumbnail_offset_out_of_range(length),
            Failure::MediaExpired => GraphError::media_expired(),
            Failure::MediaNotFound { id } => GraphError::media_not_found(id),
            Failure::Chosen { subcode } => chosen(*subcode),
        }
    }

    /// The error subcode the container's `status` shows.
    pub fn subcode(&self) -> i64 {
        self.error().subcode.unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{\"kind\":\"timeout\"}".into())
    }

    /// Reads a stored failure; an unreadable one counts as Meta's generic upload error.
    pub fn from_json(text: &str) -> Failure {
        serde_json::from_str(text).unwrap_or(Failure::Chosen { subcode: 2207053 })
    }
}

/// The table's error for a subcode, its placeholders filled with neutral words.
fn chosen(subcode: i64) -> GraphError {
    match subcode {
        2207003 => GraphError::media_download_timeout(),
        2207020 => GraphError::media_expired(),
        2207001 => GraphError::instagram_server_error(),
        2207032 => GraphError::create_media_failed(),
        2207057 => GraphError::thumbnail_offset_out_of_range("the video duration"),
        2207051 => GraphError::restricted_as_spam(),
        2207042 => GraphError::publish_limit_reached(),
        2207006 => GraphError::media_not_found("this id"),
        2207008 => GraphError::media_builder_not_found("this id"),
        2207050 => GraphError::account_restricted(),
        2207023 => GraphError::unknown_media_type("given"),
        2207028 => GraphError::carousel_child_count(),
        2207035 => GraphError::product_tag_positions_on_video(),
        2207036 => GraphError::product_tag_positions_required(),
        2207037 => GraphError::product_tags_invalid(),
        2207040 => GraphError::too_many_tags(20),
        2207026 => GraphError::unsupported_video_format("video"),
        2207052 => GraphError::media_fetch_failed("the media URL"),
        2207027 => GraphError::media_not_ready(),
        2207004 => GraphError::image_too_large(IMAGE_LIMIT_TEXT),
        2207005 => GraphError::unsupported_image_format("given", "jpeg"),
        2207009 => GraphError::invalid_aspect_ratio("given"),
        2207010 => GraphError::caption_too_long(2201, 2200),
        // 2207053, and anything outside the table (the control API refuses those).
        _ => GraphError::unknown_upload_error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_subcode_maps_to_its_own_error() {
        for &subcode in TABLE_SUBCODES {
            let failure = Failure::Chosen { subcode };
            assert_eq!(failure.subcode(), subcode);
            let back = Failure::from_json(&failure.to_json());
            assert_eq!(back, failure);
        }
    }

    #[test]
    fn placeholders_are_filled() {
        let e = Failure::FetchFailed {
            uri: "http://x/y.jpg".into(),
        }
        .error();
        assert_eq!((e.code, e.subcode), (9004, Some(2207052)));
        assert_eq!(
            e.user_msg.as_deref(),
            Some("The media could not be fetched from this uri: http://x/y.jpg")
        );
        let e = Failure::ImageTooLarge.error();
        assert_eq!(
            e.user_msg.as_deref(),
            Some("The image is too large to download. It should be less than 8 MiB.")
        );
    }
}
