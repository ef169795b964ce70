//! The published media specifications (ref 001 L60-104, repeated at L7574-7627) and the check
//! of a probed file against the one its container needs. Every limit is a named constant with
//! its reference lines; the choices where documents differ are in docs/decisions.md.

use super::failure::Failure;
use super::probe::{Probe, VideoInfo};

pub const MIB: u64 = 1024 * 1024;

/// Images: 8 MB maximum, which the errors spell "8 MiB" (ref 001 L61, L3291-3304).
pub const IMAGE_MAX_BYTES: u64 = 8 * MIB;
/// Feed and carousel images: aspect ratio from 4:5 to 1.91:1 (ref 001 L62).
pub const IMAGE_MIN_RATIO: f64 = 0.8;
pub const IMAGE_MAX_RATIO: f64 = 1.91;
/// Narrower images are scaled up to 320 columns, wider ones down to 1440: neither is refused
/// (ref 001 L63-64).
pub const IMAGE_MIN_WIDTH: u32 = 320;
pub const IMAGE_MAX_WIDTH: u32 = 1440;

/// Reels (and carousel videos, decisions.md): 300 MB (ref 001 L81; the Postman collection's
/// 1 GB, 000 L188, is older), 3 s to 15 min (L80), aspect 0.01:1 to 10:1 (L76).
pub const REEL_MAX_BYTES: u64 = 300 * MIB;
pub const REEL_MAX_MS: u64 = 15 * 60 * 1000;
pub const REEL_RATIO: (f64, f64) = (0.01, 10.0);
/// Story videos: 100 MB, 3 to 60 s, aspect 0.1:1 to 10:1 (ref 001 L93-104).
pub const STORY_VIDEO_MAX_BYTES: u64 = 100 * MIB;
pub const STORY_VIDEO_MAX_MS: u64 = 60 * 1000;
pub const STORY_RATIO: (f64, f64) = (0.1, 10.0);
/// Every video: at least 3 s, 23-60 FPS, at most 1920 columns, VBR at most 25 Mbps, HEVC or
/// H.264, AAC audio at 48 kHz at most in 1 or 2 channels, MOV or MP4 with the movie box at
/// the front and no edit lists (ref 001 L68-80, L93-103).
pub const VIDEO_MIN_MS: u64 = 3_000;
pub const MIN_FPS: f64 = 23.0;
pub const MAX_FPS: f64 = 60.0;
pub const MAX_COLUMNS: u32 = 1920;
pub const MAX_VIDEO_BITRATE: u64 = 25_000_000;
pub const MAX_AUDIO_SAMPLE_RATE: u32 = 48_000;
/// Sample entries of H.264 (`avc1`, `avc3`) and HEVC (`hvc1`, `hev1`).
pub const VIDEO_CODECS: &[&str] = &["avc1", "avc3", "hvc1", "hev1"];
/// MPEG-4 audio object types of the AAC family (Main, LC, SSR, LTP, HE, HE v2).
const AAC_OBJECT_TYPES: &[u8] = &[1, 2, 3, 4, 5, 29];

/// Which specification a file is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    /// Single images and carousel images.
    FeedImage,
    StoryImage,
    /// A reel's `cover_url`.
    Cover,
    /// Reels and carousel videos.
    Reel,
    StoryVideo,
}

impl Spec {
    pub fn is_video(self) -> bool {
        matches!(self, Spec::Reel | Spec::StoryVideo)
    }

    /// The largest file accepted; a download stops as soon as it passes this.
    pub fn max_bytes(self) -> u64 {
        match self {
            Spec::FeedImage | Spec::StoryImage | Spec::Cover => IMAGE_MAX_BYTES,
            Spec::Reel => REEL_MAX_BYTES,
            Spec::StoryVideo => STORY_VIDEO_MAX_BYTES,
        }
    }

    /// The failure of a file that is too large for this specification.
    pub fn too_large(self) -> Failure {
        match self {
            Spec::FeedImage | Spec::StoryImage | Spec::Cover => Failure::ImageTooLarge,
            Spec::Reel => video("file size (300 MB maximum)"),
            Spec::StoryVideo => video("file size (100 MB maximum)"),
        }
    }
}

/// What a file that passed its check is.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub width: u32,
    pub height: u32,
    pub duration_ms: Option<u64>,
    pub content_type: &'static str,
    pub extension: &'static str,
}

fn video(what: &str) -> Failure {
    Failure::VideoFormat { what: what.into() }
}

/// `w/h` as a short decimal, as the aspect-ratio error prints it.
pub fn ratio_text(width: u32, height: u32) -> String {
    let ratio = f64::from(width) / f64::from(height.max(1));
    let text = format!("{ratio:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// Checks a probed file of `size` bytes against `spec`.
pub fn check(spec: Spec, probe: &Probe, size: u64) -> Result<Checked, Failure> {
    if size > spec.max_bytes() {
        return Err(spec.too_large());
    }
    if spec.is_video() {
        return match probe {
            Probe::Video(info) => check_video(spec, info),
            _ => Err(video("container (MOV or MP4)")),
        };
    }
    let (width, height) = match probe {
        Probe::Jpeg { width, height } => (*width, *height),
        Probe::OtherImage { format } => {
            return Err(Failure::ImageFormat {
                format: format.clone(),
            })
        }
        Probe::Video(_) => {
            return Err(Failure::ImageFormat {
                format: "mp4".into(),
            })
        }
        Probe::Unknown => {
            return Err(Failure::ImageFormat {
                format: "unknown".into(),
            })
        }
    };
    if spec == Spec::FeedImage {
        let ratio = f64::from(width) / f64::from(height.max(1));
        // Compared at the precision the limits are written in (1.91, 0.8).
        let rounded = (ratio * 1000.0).round() / 1000.0;
        if !(IMAGE_MIN_RATIO..=IMAGE_MAX_RATIO).contains(&rounded) {
            return Err(Failure::AspectRatio {
                ratio: ratio_text(width, height),
            });
        }
    }
    Ok(Checked {
        width,
        height,
        duration_ms: None,
        content_type: "image/jpeg",
        extension: "jpg",
    })
}

fn check_video(spec: Spec, info: &VideoInfo) -> Result<Checked, Failure> {
    if info.unreadable.is_some() {
        return Err(video("container (MOV or MP4)"));
    }
    if !info.moov_first {
        return Err(video("container (moov atom at the front of the file)"));
    }
    if info.edit_list {
        return Err(video("container (no edit lists)"));
    }
    let Some(track) = &info.video else {
        return Err(video("video track"));
    };
    if !VIDEO_CODECS.contains(&track.codec.as_str()) {
        return Err(video("video codec (HEVC or H264)"));
    }
    let (max_ms, duration_text, (min_ratio, max_ratio), ratio_text) = match spec {
        Spec::StoryVideo => (
            STORY_VIDEO_MAX_MS,
            "duration (3 to 60 seconds)",
            STORY_RATIO,
            "aspect ratio (0.1:1 to 10:1)",
        ),
        _ => (
            REEL_MAX_MS,
            "duration (3 seconds to 15 minutes)",
            REEL_RATIO,
            "aspect ratio (0.01:1 to 10:1)",
        ),
    };
    if track.duration_ms < VIDEO_MIN_MS || track.duration_ms > max_ms {
        return Err(video(duration_text));
    }
    // A hundredth of a frame of slack for rates written as fractions (23.976, 59.94).
    if track.fps + 0.01 < MIN_FPS || track.fps - 0.01 > MAX_FPS {
        return Err(video("frame rate (23-60 FPS)"));
    }
    if track.width > MAX_COLUMNS || track.width == 0 || track.height == 0 {
        return Err(video("picture size (1920 columns maximum)"));
    }
    let ratio = f64::from(track.width) / f64::from(track.height);
    if ratio < min_ratio || ratio > max_ratio {
        return Err(video(ratio_text));
    }
    if track.bitrate > MAX_VIDEO_BITRATE {
        return Err(video("video bitrate (25 Mbps maximum)"));
    }
    for audio in &info.audio {
        let aac = audio.codec == "mp4a"
            && audio
                .object_type
                .is_none_or(|t| AAC_OBJECT_TYPES.contains(&t));
        if !aac {
            return Err(video("audio codec (AAC)"));
        }
        if audio.sample_rate > MAX_AUDIO_SAMPLE_RATE {
            return Err(video("audio sample rate (48 kHz maximum)"));
        }
        if !(1..=2).contains(&audio.channels) {
            return Err(video("audio channels (mono or stereo)"));
        }
    }
    Ok(Checked {
        width: track.width,
        height: track.height,
        duration_ms: Some(track.duration_ms),
        content_type: if info.brand.starts_with("qt") {
            "video/quicktime"
        } else {
            "video/mp4"
        },
        extension: if info.brand.starts_with("qt") {
            "mov"
        } else {
            "mp4"
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publishing::probe::{AudioTrack, VideoTrack};

    fn reel() -> VideoInfo {
        VideoInfo {
            brand: "isom".into(),
            moov_first: true,
            edit_list: false,
            unreadable: None,
            video: Some(VideoTrack {
                codec: "avc1".into(),
                width: 1080,
                height: 1920,
                duration_ms: 10_000,
                frames: 300,
                fps: 30.0,
                bitrate: 5_000_000,
            }),
            audio: vec![AudioTrack {
                codec: "mp4a".into(),
                object_type: Some(2),
                sample_rate: 48_000,
                channels: 2,
            }],
        }
    }

    fn what(result: Result<Checked, Failure>) -> String {
        match result {
            Err(Failure::VideoFormat { what }) => what,
            other => panic!("expected a video failure, got {other:?}"),
        }
    }

    #[test]
    fn images_are_jpeg_within_size_and_ratio() {
        // ref 001 L60-67
        let jpeg = |width, height| Probe::Jpeg { width, height };
        assert!(check(Spec::FeedImage, &jpeg(1080, 1350), 1000).is_ok());
        assert!(check(Spec::FeedImage, &jpeg(1910, 1000), 1000).is_ok());
        assert!(
            check(Spec::FeedImage, &jpeg(200, 200), 1000).is_ok(),
            "scaled up"
        );
        assert_eq!(
            check(Spec::FeedImage, &jpeg(1080, 1920), 1000),
            Err(Failure::AspectRatio {
                ratio: "0.5625".into()
            })
        );
        assert_eq!(
            check(Spec::FeedImage, &jpeg(2000, 1000), 1000),
            Err(Failure::AspectRatio { ratio: "2".into() })
        );
        assert!(check(Spec::StoryImage, &jpeg(1080, 1920), 1000).is_ok());
        assert_eq!(
            check(Spec::FeedImage, &jpeg(1080, 1080), IMAGE_MAX_BYTES + 1),
            Err(Failure::ImageTooLarge)
        );
        assert_eq!(
            check(
                Spec::Cover,
                &Probe::OtherImage {
                    format: "png".into()
                },
                10
            ),
            Err(Failure::ImageFormat {
                format: "png".into()
            })
        );
    }

    #[test]
    fn reels_and_stories_follow_their_video_specs() {
        // ref 001 L68-81, L93-104
        let ok = check(Spec::Reel, &Probe::Video(reel()), 1000).unwrap();
        assert_eq!(ok.duration_ms, Some(10_000));
        assert_eq!(ok.content_type, "video/mp4");
        let with = |f: &dyn Fn(&mut VideoInfo)| {
            let mut info = reel();
            f(&mut info);
            Probe::Video(info)
        };
        let track =
            |f: &dyn Fn(&mut VideoTrack)| with(&|i: &mut VideoInfo| f(i.video.as_mut().unwrap()));
        assert_eq!(
            what(check(Spec::Reel, &with(&|i| i.moov_first = false), 1)),
            "container (moov atom at the front of the file)"
        );
        assert_eq!(
            what(check(Spec::Reel, &with(&|i| i.edit_list = true), 1)),
            "container (no edit lists)"
        );
        assert_eq!(
            what(check(Spec::Reel, &track(&|t| t.codec = "vp09".into()), 1)),
            "video codec (HEVC or H264)"
        );
        assert_eq!(
            what(check(Spec::Reel, &track(&|t| t.duration_ms = 2_999), 1)),
            "duration (3 seconds to 15 minutes)"
        );
        assert_eq!(
            what(check(
                Spec::StoryVideo,
                &track(&|t| t.duration_ms = 61_000),
                1
            )),
            "duration (3 to 60 seconds)"
        );
        assert_eq!(
            what(check(Spec::Reel, &track(&|t| t.fps = 15.0), 1)),
            "frame rate (23-60 FPS)"
        );
        assert!(check(Spec::Reel, &track(&|t| t.fps = 23.976), 1).is_ok());
        assert_eq!(
            what(check(Spec::Reel, &track(&|t| t.width = 2160), 1)),
            "picture size (1920 columns maximum)"
        );
        assert_eq!(
            what(check(Spec::StoryVideo, &track(&|t| t.height = 20_000), 1)),
            "aspect ratio (0.1:1 to 10:1)"
        );
        assert!(check(Spec::Reel, &track(&|t| t.height = 20_000), 1).is_ok());
        assert_eq!(
            what(check(Spec::Reel, &track(&|t| t.bitrate = 30_000_000), 1)),
            "video bitrate (25 Mbps maximum)"
        );
        assert_eq!(
            what(check(
                Spec::Reel,
                &with(&|i| i.audio[0].sample_rate = 96_000),
                1
            )),
            "audio sample rate (48 kHz maximum)"
        );
        assert_eq!(
            what(check(Spec::Reel, &with(&|i| i.audio[0].channels = 6), 1)),
            "audio channels (mono or stereo)"
        );
        assert_eq!(
            what(check(
                Spec::Reel,
                &with(&|i| i.audio[0].codec = "Opus".into()),
                1
            )),
            "audio codec (AAC)"
        );
        assert_eq!(
            what(check(Spec::Reel, &Probe::Video(reel()), REEL_MAX_BYTES + 1)),
            "file size (300 MB maximum)"
        );
        assert_eq!(
            what(check(
                Spec::StoryVideo,
                &Probe::Video(reel()),
                STORY_VIDEO_MAX_BYTES + 1
            )),
            "file size (100 MB maximum)"
        );
        assert_eq!(
            what(check(
                Spec::Reel,
                &Probe::Jpeg {
                    width: 1,
                    height: 1
                },
                1
            )),
            "container (MOV or MP4)"
        );
    }
}
