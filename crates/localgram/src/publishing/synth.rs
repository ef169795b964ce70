//! Generated media files: real JPEGs and MP4s (valid containers with placeholder frames) for
//! the demo, the control API's fixtures, the tests and the benchmark. Nothing is downloaded:
//! every file a test fetches or uploads comes from here.

use bytes::Bytes;
use mp4::{
    AacConfig, AudioObjectType, AvcConfig, ChannelConfig, HevcConfig, MediaConfig, Mp4Box,
    Mp4Config, Mp4Reader, Mp4Sample, Mp4Writer, SampleFreqIndex, TrackConfig, TrackType, Vp9Config,
    WriteBox,
};
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};

/// A baseline JPEG of `width` × `height`: a smooth gradient, so equal sizes give equal bytes
/// (and one stored file).
pub fn jpeg(width: u16, height: u16) -> Vec<u8> {
    let (w, h) = (usize::from(width.max(1)), usize::from(height.max(1)));
    let mut pixels = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            pixels.push((x * 255 / w) as u8);
            pixels.push((y * 255 / h) as u8);
            pixels.push(160);
        }
    }
    let mut out = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut out, 80);
    // Encoding an in-memory RGB buffer of the declared size cannot fail.
    if encoder
        .encode(
            &pixels,
            width.max(1),
            height.max(1),
            jpeg_encoder::ColorType::Rgb,
        )
        .is_err()
    {
        out.clear();
    }
    out
}

/// `jpeg` grown to `size` bytes with zeros after its end marker: still a JPEG of the same
/// dimensions, for testing size limits without encoding huge images.
pub fn padded(mut bytes: Vec<u8>, size: usize) -> Vec<u8> {
    if bytes.len() < size {
        bytes.resize(size, 0);
    }
    bytes
}

/// Inserts an application segment (`marker` 0xE0-0xEF) right after a JPEG's SOI: an APP2
/// `MPF` segment makes a Multi-Picture (MPO) file, an APP3 `_JPSJPS_` a stereo JPS file.
pub fn with_app_segment(jpeg: &[u8], marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(jpeg.len() + payload.len() + 4);
    out.extend_from_slice(jpeg.get(..2).unwrap_or(&[0xFF, 0xD8]));
    out.extend_from_slice(&[0xFF, marker]);
    let len = (payload.len() + 2).min(usize::from(u16::MAX)) as u16;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload[..usize::from(len) - 2]);
    out.extend_from_slice(jpeg.get(2..).unwrap_or(&[]));
    out
}

/// The signature and header chunk of a PNG of `width` × `height`: enough for anything that
/// reads image headers (the pixels are never decoded).
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(b"IHDR");
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]);
    out
}

/// The video codec a generated MP4 declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// H.264 (`avc1`).
    H264,
    /// HEVC as Apple writes it (`hvc1`).
    Hvc1,
    /// HEVC with in-band parameter sets (`hev1`).
    Hev1,
    /// VP9 (`vp09`), which Instagram does not take.
    Vp9,
}

/// An AAC audio track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audio {
    pub sample_rate: u32,
    pub channels: u8,
}

/// What a generated MP4 looks like. The frames are placeholder bytes: containers, codecs,
/// sizes, durations and rates are real, pixels are not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoSpec {
    pub width: u16,
    pub height: u16,
    pub fps: u32,
    pub duration_ms: u64,
    pub codec: Codec,
    pub audio: Option<Audio>,
    /// Bytes per video frame: sets the bitrate and the file size.
    pub frame_bytes: usize,
    /// `moov` before `mdat` ("fast start"), as Instagram requires.
    pub moov_first: bool,
    /// Adds an edit list (`edts`/`elst` with an empty edit), which Instagram refuses.
    pub edit_list: bool,
}

impl Default for VideoSpec {
    /// A 5-second 1080×1920 H.264 reel at 30 FPS with stereo 48 kHz AAC, about 330 KB.
    fn default() -> Self {
        VideoSpec {
            width: 1080,
            height: 1920,
            fps: 30,
            duration_ms: 5_000,
            codec: Codec::H264,
            audio: Some(Audio {
                sample_rate: 48_000,
                channels: 2,
            }),
            frame_bytes: 2_000,
            moov_first: true,
            edit_list: false,
        }
    }
}

impl VideoSpec {
    pub fn frames(&self) -> u64 {
        self.duration_ms * u64::from(self.fps) / 1000
    }

    /// The file size the spec gives, within a few kilobytes (headers and audio).
    pub fn approximate_size(&self) -> u64 {
        self.frames() * self.frame_bytes as u64
    }
}

fn mp4_error(e: mp4::Error) -> io::Error {
    io::Error::other(e.to_string())
}

/// The MP4 of `spec` as bytes (for small files).
pub fn mp4_bytes(spec: &VideoSpec) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_mp4(spec, Cursor::new(Vec::new()), &mut out)?;
    Ok(out)
}

/// Writes the MP4 of `spec` to `out`, using `scratch` (a file for large videos) to lay the
/// samples down first. Memory stays small whatever the size.
pub fn write_mp4<S: Read + Write + Seek>(
    spec: &VideoSpec,
    mut scratch: S,
    out: &mut impl Write,
) -> io::Result<()> {
    let config = Mp4Config {
        major_brand: (*b"isom").into(),
        minor_version: 512,
        compatible_brands: vec![
            (*b"isom").into(),
            (*b"iso2").into(),
            (*b"avc1").into(),
            (*b"mp41").into(),
        ],
        timescale: 1000,
    };
    {
        let mut writer = Mp4Writer::write_start(&mut scratch, &config).map_err(mp4_error)?;
        let fps = spec.fps.max(1);
        let video = match spec.codec {
            Codec::H264 => MediaConfig::AvcConfig(AvcConfig {
                width: spec.width,
                height: spec.height,
                seq_param_set: vec![
                    0x67, 0x64, 0x00, 0x28, 0xAC, 0xD9, 0x40, 0x44, 0x07, 0x80, 0x22, 0x7E,
                ],
                pic_param_set: vec![0x68, 0xEB, 0xE3, 0xCB, 0x22, 0xC0],
            }),
            Codec::Hvc1 | Codec::Hev1 => MediaConfig::HevcConfig(HevcConfig {
                width: spec.width,
                height: spec.height,
            }),
            Codec::Vp9 => MediaConfig::Vp9Config(Vp9Config {
                width: spec.width,
                height: spec.height,
            }),
        };
        writer
            .add_track(&TrackConfig {
                track_type: TrackType::Video,
                timescale: fps * 1000,
                language: "und".into(),
                media_conf: video,
            })
            .map_err(mp4_error)?;
        let frame = Bytes::from(vec![0x5Au8; spec.frame_bytes.max(1)]);
        for n in 0..spec.frames() {
            let sample = Mp4Sample {
                start_time: n * 1000,
                duration: 1000,
                rendering_offset: 0,
                is_sync: n % u64::from(fps) == 0,
                bytes: frame.clone(),
            };
            writer.write_sample(1, &sample).map_err(mp4_error)?;
        }
        if let Some(audio) = spec.audio {
            let freq_index = match audio.sample_rate {
                96_000 => SampleFreqIndex::Freq96000,
                88_200 => SampleFreqIndex::Freq88200,
                44_100 => SampleFreqIndex::Freq44100,
                32_000 => SampleFreqIndex::Freq32000,
                24_000 => SampleFreqIndex::Freq24000,
                _ => SampleFreqIndex::Freq48000,
            };
            let chan_conf = match audio.channels {
                1 => ChannelConfig::Mono,
                2 => ChannelConfig::Stereo,
                3 => ChannelConfig::Three,
                4 => ChannelConfig::Four,
                5 => ChannelConfig::Five,
                _ => ChannelConfig::FiveOne,
            };
            writer
                .add_track(&TrackConfig {
                    track_type: TrackType::Audio,
                    timescale: audio.sample_rate,
                    language: "und".into(),
                    media_conf: MediaConfig::AacConfig(AacConfig {
                        bitrate: 128_000,
                        profile: AudioObjectType::AacLowComplexity,
                        freq_index,
                        chan_conf,
                    }),
                })
                .map_err(mp4_error)?;
            // One AAC frame holds 1024 samples.
            let frames = spec.duration_ms * u64::from(audio.sample_rate) / 1000 / 1024;
            let packet = Bytes::from(vec![0x21u8; 24]);
            for n in 0..frames {
                let sample = Mp4Sample {
                    start_time: n * 1024,
                    duration: 1024,
                    rendering_offset: 0,
                    is_sync: true,
                    bytes: packet.clone(),
                };
                writer.write_sample(2, &sample).map_err(mp4_error)?;
            }
        }
        writer.write_end().map_err(mp4_error)?;
    }
    // The writer lays out ftyp | mdat | moov; read its moov back, adjust it, and emit the
    // layout the spec asks for.
    let total = scratch.seek(SeekFrom::End(0))?;
    scratch.seek(SeekFrom::Start(0))?;
    let reader = Mp4Reader::read_header(&mut scratch, total).map_err(mp4_error)?;
    let mut moov = reader.moov.clone();
    drop(reader);
    let ftyp_size = u64::from(read_u32_at(&mut scratch, 0)?);
    let mdat_size = u64::from(read_u32_at(&mut scratch, ftyp_size)?);
    if spec.edit_list {
        if let Some(trak) = moov.traks.first_mut() {
            // An empty edit (media_time -1) delaying the start by one second, then the media.
            // The crate builds these boxes but does not export their type names.
            let mut edts = trak.edts.take().unwrap_or_default();
            let mut elst = edts.elst.take().unwrap_or_default();
            let mut empty = elst.entries.first().cloned().unwrap_or_default();
            empty.segment_duration = 1000;
            empty.media_time = u64::from(u32::MAX);
            empty.media_rate = 1;
            empty.media_rate_fraction = 0;
            let mut media = empty.clone();
            media.segment_duration = spec.duration_ms;
            media.media_time = 0;
            elst.entries = vec![empty, media];
            edts.elst = Some(elst);
            trak.edts = Some(edts);
        }
    }
    let shift = if spec.moov_first { moov.box_size() } else { 0 };
    for trak in &mut moov.traks {
        if let Some(stco) = trak.mdia.minf.stbl.stco.as_mut() {
            for offset in &mut stco.entries {
                *offset = offset.saturating_add(shift as u32);
            }
        }
    }
    let mut moov_bytes = Vec::new();
    moov.write_box(&mut moov_bytes).map_err(mp4_error)?;
    if spec.codec == Codec::Hvc1 {
        // The writer only knows `hev1`; Apple's `hvc1` differs in the sample entry's name.
        if let Some(at) = moov_bytes.windows(4).position(|w| w == b"hev1") {
            moov_bytes[at..at + 4].copy_from_slice(b"hvc1");
        }
    }
    copy_range(&mut scratch, 0, ftyp_size, out)?;
    if spec.moov_first {
        out.write_all(&moov_bytes)?;
        copy_range(&mut scratch, ftyp_size, mdat_size, out)?;
    } else {
        copy_range(&mut scratch, ftyp_size, mdat_size, out)?;
        out.write_all(&moov_bytes)?;
    }
    out.flush()
}

fn read_u32_at<R: Read + Seek>(reader: &mut R, at: u64) -> io::Result<u32> {
    reader.seek(SeekFrom::Start(at))?;
    let mut buf = [0u8; 4];
    reader.read_exact(&mut buf)?;
    Ok(u32::from_be_bytes(buf))
}

fn copy_range<R: Read + Seek>(
    reader: &mut R,
    start: u64,
    len: u64,
    out: &mut impl Write,
) -> io::Result<()> {
    reader.seek(SeekFrom::Start(start))?;
    let copied = io::copy(&mut reader.by_ref().take(len), out)?;
    if copied != len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "generated MP4 is shorter than its boxes say",
        ));
    }
    Ok(())
}
