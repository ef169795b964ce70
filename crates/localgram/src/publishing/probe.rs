//! Reading a media file as Meta's checks do: by its bytes, never its name or Content-Type.
//! Image headers come from `imagesize`, MP4 structure from the `mp4` crate; the few facts
//! those crates do not expose (box order, the sample entry's four-character code, MPO and JPS
//! markers) are read here from the box and segment headers.

use mp4::Mp4Reader;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// What a file turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    Jpeg {
        width: u32,
        height: u32,
    },
    /// An image in a format Instagram does not publish (`png`, `gif`, `webp`, `heic`, `mpo`,
    /// `jps`, ...).
    OtherImage {
        format: String,
    },
    /// An MP4 or QuickTime movie (read as far as it could be).
    Video(VideoInfo),
    /// Nothing recognisable.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct VideoInfo {
    /// The `ftyp` major brand (`isom`, `mp42`, `qt  `, ...).
    pub brand: String,
    /// Whether the movie box comes before the media data ("fast start").
    pub moov_first: bool,
    /// Whether a track has a real edit list (more than one edit, or an empty edit).
    pub edit_list: bool,
    /// Set when the movie could not be parsed: what went wrong.
    pub unreadable: Option<String>,
    pub video: Option<VideoTrack>,
    pub audio: Vec<AudioTrack>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct VideoTrack {
    /// The sample entry's four-character code: `avc1`, `avc3`, `hvc1`, `hev1`, `vp09`, ...
    pub codec: String,
    pub width: u32,
    pub height: u32,
    pub duration_ms: u64,
    pub frames: u64,
    pub fps: f64,
    /// Average bits per second over the track.
    pub bitrate: u64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AudioTrack {
    /// `mp4a` for AAC (and other MPEG-4 audio), else the sample entry's code.
    pub codec: String,
    /// MPEG-4 audio object type (2 = AAC LC), when the codec is `mp4a`.
    pub object_type: Option<u8>,
    pub sample_rate: u32,
    pub channels: u32,
}

/// Image brands that ride in an ISO-BMFF `ftyp` box (HEIF and AVIF stills).
const IMAGE_BRANDS: &[(&str, &str)] = &[
    ("heic", "heic"),
    ("heix", "heic"),
    ("hevc", "heic"),
    ("heim", "heic"),
    ("heis", "heic"),
    ("mif1", "heif"),
    ("msf1", "heif"),
    ("avif", "avif"),
    ("avis", "avif"),
];

/// Reads what the file at `path` is. Blocking: call it off the async runtime.
pub fn probe(path: &Path) -> io::Result<Probe> {
    let mut file = File::open(path)?;
    let size = file.metadata()?.len();
    let mut head = [0u8; 32];
    let got = read_up_to(&mut file, &mut head)?;
    let head = &head[..got];
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = String::from_utf8_lossy(&head[8..12]).to_string();
        if let Some((_, format)) = IMAGE_BRANDS.iter().find(|(b, _)| *b == brand) {
            return Ok(Probe::OtherImage {
                format: (*format).into(),
            });
        }
        return Ok(Probe::Video(probe_movie(file, size, brand)));
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        if let Some(format) = jpeg_variant(&mut file)? {
            return Ok(Probe::OtherImage {
                format: format.into(),
            });
        }
        file.seek(SeekFrom::Start(0))?;
        return Ok(match imagesize::reader_size(BufReader::new(file)) {
            Ok(dims) => Probe::Jpeg {
                width: dims.width as u32,
                height: dims.height as u32,
            },
            Err(_) => Probe::Unknown,
        });
    }
    // QuickTime files written without `ftyp` start with a movie-level box.
    if head.len() >= 8 && [&b"moov"[..], b"mdat", b"wide", b"free"].contains(&&head[4..8]) {
        return Ok(Probe::Video(probe_movie(file, size, "qt  ".into())));
    }
    Ok(match imagesize::image_type(head) {
        Ok(kind) => Probe::OtherImage {
            format: format!("{kind:?}")
                .split('(')
                .next()
                .unwrap_or("unknown")
                .to_ascii_lowercase(),
        },
        Err(_) => Probe::Unknown,
    })
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Extended JPEG formats Instagram refuses (ref 001 L1441): a Multi-Picture file carries an
/// APP2 `MPF` segment, a stereo JPS file an APP3 `_JPSJPS_` segment, before the image data.
fn jpeg_variant(file: &mut File) -> io::Result<Option<&'static str>> {
    file.seek(SeekFrom::Start(2))?;
    let mut reader = BufReader::new(file);
    loop {
        let mut marker = [0u8; 4];
        if read_up_to(&mut reader, &mut marker)? < 4 || marker[0] != 0xFF {
            return Ok(None);
        }
        let kind = marker[1];
        // Start of scan or of a frame: the headers are over.
        if kind == 0xDA || (0xC0..=0xCF).contains(&kind) && kind != 0xC4 && kind != 0xCC {
            return Ok(None);
        }
        let len = u64::from(u16::from_be_bytes([marker[2], marker[3]]));
        if len < 2 {
            return Ok(None);
        }
        let mut tag = [0u8; 8];
        let take = (len - 2).min(8) as usize;
        read_up_to(&mut reader, &mut tag[..take])?;
        if kind == 0xE2 && tag.starts_with(b"MPF\0") {
            return Ok(Some("mpo"));
        }
        if kind == 0xE3 && tag.starts_with(b"_JPSJPS_") {
            return Ok(Some("jps"));
        }
        reader.seek_relative(len as i64 - 2 - take as i64)?;
    }
}

/// One box header: its type, where its body starts and where it ends.
#[derive(Debug, Clone, Copy)]
struct BoxSpan {
    kind: [u8; 4],
    body: u64,
    end: u64,
}

/// The boxes between `start` and `end`. Sizes that point past `end` are cut to it.
fn boxes(file: &mut File, start: u64, end: u64) -> io::Result<Vec<BoxSpan>> {
    let mut spans = Vec::new();
    let mut at = start;
    while at + 8 <= end && spans.len() < 4096 {
        file.seek(SeekFrom::Start(at))?;
        let mut header = [0u8; 8];
        if read_up_to(file, &mut header)? < 8 {
            break;
        }
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind = [header[4], header[5], header[6], header[7]];
        let (size, body) = match size32 {
            0 => (end - at, at + 8),
            1 => {
                let mut large = [0u8; 8];
                if read_up_to(file, &mut large)? < 8 {
                    break;
                }
                (u64::from_be_bytes(large), at + 16)
            }
            n => (u64::from(n), at + 8),
        };
        if size < body - at {
            break;
        }
        let box_end = at.saturating_add(size).min(end);
        spans.push(BoxSpan {
            kind,
            body,
            end: box_end,
        });
        at = box_end;
    }
    Ok(spans)
}

fn child(file: &mut File, parent: BoxSpan, kind: &[u8; 4]) -> io::Result<Option<BoxSpan>> {
    Ok(boxes(file, parent.body, parent.end)?
        .into_iter()
        .find(|b| &b.kind == kind))
}

/// The four-character code of each track's first sample entry, in track order.
fn sample_entry_codes(file: &mut File, moov: BoxSpan) -> io::Result<Vec<String>> {
    let mut codes = Vec::new();
    for trak in boxes(file, moov.body, moov.end)?
        .into_iter()
        .filter(|b| &b.kind == b"trak")
    {
        let mut code = String::new();
        let path: [&[u8; 4]; 4] = [b"mdia", b"minf", b"stbl", b"stsd"];
        let mut at = Some(trak);
        for step in path {
            at = match at {
                Some(span) => child(file, span, step)?,
                None => None,
            };
        }
        if let Some(stsd) = at {
            // Version and flags, then the entry count, then the first entry's header.
            let entries = BoxSpan {
                kind: *b"stsd",
                body: stsd.body + 8,
                end: stsd.end,
            };
            if let Some(first) = boxes(file, entries.body, entries.end)?.first() {
                code = String::from_utf8_lossy(&first.kind).to_string();
            }
        }
        codes.push(code);
    }
    Ok(codes)
}

fn probe_movie(mut file: File, size: u64, brand: String) -> VideoInfo {
    let mut info = VideoInfo {
        brand,
        ..VideoInfo::default()
    };
    let top = match boxes(&mut file, 0, size) {
        Ok(top) => top,
        Err(e) => {
            info.unreadable = Some(format!("cannot read the file: {e}"));
            return info;
        }
    };
    let position = |kind: &[u8; 4]| top.iter().position(|b| &b.kind == kind);
    let Some(moov_at) = position(b"moov") else {
        info.unreadable = Some("no movie box (moov)".into());
        return info;
    };
    info.moov_first = position(b"mdat").is_none_or(|mdat| moov_at < mdat);
    let codes = sample_entry_codes(&mut file, top[moov_at]).unwrap_or_default();
    if file.seek(SeekFrom::Start(0)).is_err() {
        info.unreadable = Some("cannot read the file".into());
        return info;
    }
    let reader = match Mp4Reader::read_header(BufReader::new(file), size) {
        Ok(reader) => reader,
        Err(e) => {
            info.unreadable = Some(format!("invalid MP4: {e}"));
            return info;
        }
    };
    for (index, trak) in reader.moov.traks.iter().enumerate() {
        let code = codes.get(index).cloned().unwrap_or_default();
        if let Some(elst) = trak.edts.as_ref().and_then(|e| e.elst.as_ref()) {
            let empty_edit = elst
                .entries
                .iter()
                .any(|e| e.media_time == u64::from(u32::MAX) || e.media_time == u64::MAX);
            if elst.entries.len() > 1 || empty_edit {
                info.edit_list = true;
            }
        }
        let mdhd = &trak.mdia.mdhd;
        let duration_ms = if mdhd.timescale == 0 {
            0
        } else {
            mdhd.duration.saturating_mul(1000) / u64::from(mdhd.timescale)
        };
        match &trak.mdia.hdlr.handler_type.value {
            b"vide" if info.video.is_none() => {
                let stbl = &trak.mdia.minf.stbl;
                let frames = u64::from(stbl.stsz.sample_count);
                let bytes = if stbl.stsz.sample_size != 0 {
                    u64::from(stbl.stsz.sample_size) * frames
                } else {
                    stbl.stsz.sample_sizes.iter().map(|s| u64::from(*s)).sum()
                };
                let (mut width, mut height) = (
                    u32::from(trak.tkhd.width.value()),
                    u32::from(trak.tkhd.height.value()),
                );
                if let Some(avc1) = &stbl.stsd.avc1 {
                    width = u32::from(avc1.width);
                    height = u32::from(avc1.height);
                }
                let seconds = duration_ms as f64 / 1000.0;
                info.video = Some(VideoTrack {
                    codec: code,
                    width,
                    height,
                    duration_ms,
                    frames,
                    fps: if seconds > 0.0 {
                        frames as f64 / seconds
                    } else {
                        0.0
                    },
                    bitrate: if seconds > 0.0 {
                        (bytes as f64 * 8.0 / seconds) as u64
                    } else {
                        0
                    },
                });
            }
            b"soun" => {
                let mut audio = AudioTrack {
                    codec: code,
                    ..AudioTrack::default()
                };
                if let Some(mp4a) = &trak.mdia.minf.stbl.stsd.mp4a {
                    audio.channels = u32::from(mp4a.channelcount);
                    audio.sample_rate = u32::from(mp4a.samplerate.value());
                    if let Some(esds) = &mp4a.esds {
                        let config = &esds.es_desc.dec_config;
                        audio.object_type = Some(config.dec_specific.profile);
                        if let Ok(index) =
                            mp4::SampleFreqIndex::try_from(config.dec_specific.freq_index)
                        {
                            audio.sample_rate = index.freq();
                        }
                        if config.dec_specific.chan_conf != 0 {
                            audio.channels = u32::from(config.dec_specific.chan_conf);
                        }
                    }
                }
                info.audio.push(audio);
            }
            _ => {}
        }
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publishing::synth::{self, Audio, Codec, VideoSpec};
    use std::io::Write;

    fn probe_bytes(bytes: &[u8]) -> Probe {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(bytes).unwrap();
        probe(file.path()).unwrap()
    }

    #[test]
    fn reads_jpeg_dimensions_and_refuses_the_extended_variants() {
        assert_eq!(
            probe_bytes(&synth::jpeg(64, 48)),
            Probe::Jpeg {
                width: 64,
                height: 48
            }
        );
        let mpo = synth::with_app_segment(&synth::jpeg(8, 8), 0xE2, b"MPF\0\0\0\0\0");
        assert_eq!(
            probe_bytes(&mpo),
            Probe::OtherImage {
                format: "mpo".into()
            }
        );
        let jps = synth::with_app_segment(&synth::jpeg(8, 8), 0xE3, b"_JPSJPS_\0\0");
        assert_eq!(
            probe_bytes(&jps),
            Probe::OtherImage {
                format: "jps".into()
            }
        );
        assert_eq!(
            probe_bytes(&synth::png_header(10, 10)),
            Probe::OtherImage {
                format: "png".into()
            }
        );
        assert_eq!(probe_bytes(b"hello, not an image"), Probe::Unknown);
    }

    #[test]
    fn reads_an_mp4_codec_size_duration_rate_and_audio() {
        let spec = VideoSpec {
            width: 720,
            height: 1280,
            fps: 25,
            duration_ms: 4_000,
            frame_bytes: 1_000,
            ..VideoSpec::default()
        };
        let Probe::Video(info) = probe_bytes(&synth::mp4_bytes(&spec).unwrap()) else {
            panic!("not a video")
        };
        assert!(info.moov_first);
        assert!(!info.edit_list);
        assert_eq!(info.unreadable, None);
        let video = info.video.unwrap();
        assert_eq!(video.codec, "avc1");
        assert_eq!((video.width, video.height), (720, 1280));
        assert_eq!(video.duration_ms, 4_000);
        assert_eq!(video.frames, 100);
        assert!((video.fps - 25.0).abs() < 0.01, "{}", video.fps);
        assert_eq!(video.bitrate, 200_000);
        assert_eq!(info.audio.len(), 1);
        assert_eq!(info.audio[0].codec, "mp4a");
        assert_eq!(info.audio[0].sample_rate, 48_000);
        assert_eq!(info.audio[0].channels, 2);
        assert_eq!(info.audio[0].object_type, Some(2));
    }

    #[test]
    fn sees_box_order_edit_lists_and_hevc_entries() {
        let spec = VideoSpec {
            moov_first: false,
            edit_list: true,
            codec: Codec::Hvc1,
            audio: Some(Audio {
                sample_rate: 96_000,
                channels: 1,
            }),
            duration_ms: 3_000,
            ..VideoSpec::default()
        };
        let Probe::Video(info) = probe_bytes(&synth::mp4_bytes(&spec).unwrap()) else {
            panic!("not a video")
        };
        assert!(!info.moov_first);
        assert!(info.edit_list);
        assert_eq!(info.video.unwrap().codec, "hvc1");
        assert_eq!(info.audio[0].sample_rate, 96_000);
        assert_eq!(info.audio[0].channels, 1);
    }

    #[test]
    fn a_truncated_movie_is_unreadable_not_a_panic() {
        let bytes = synth::mp4_bytes(&VideoSpec::default()).unwrap();
        for cut in [12, 40, 200, bytes.len() / 2] {
            if let Probe::Video(info) = probe_bytes(&bytes[..cut]) {
                assert!(
                    info.unreadable.is_some() || info.video.is_none(),
                    "cut {cut}"
                );
            }
        }
    }
}
