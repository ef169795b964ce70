//! JSON serialised as Meta serialises it: `/` escaped as `\/` and every non-ASCII character as
//! `\uXXXX` (surrogate pairs above the BMP). Webhook signatures are computed over these exact
//! bytes, so the escaping is part of the protocol, not cosmetics.

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, Serializer};
use serde_json::Value;
use std::io;

struct MetaFormatter;

impl Formatter for MetaFormatter {
    fn write_string_fragment<W>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        // Most text (ids, names, field values) has nothing to escape: one scan of its bytes.
        if !fragment.bytes().any(|b| b == b'/' || !b.is_ascii()) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, ch) in fragment.char_indices() {
            if ch == '/' || !ch.is_ascii() {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                if ch == '/' {
                    writer.write_all(b"\\/")?;
                } else {
                    let mut units = [0u16; 2];
                    for unit in ch.encode_utf16(&mut units) {
                        write!(writer, "\\u{unit:04x}")?;
                    }
                }
                start = i + ch.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W>(&mut self, writer: &mut W, escape: CharEscape) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        let s: &[u8] = match escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::Solidus => b"\\/",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::AsciiControl(byte) => {
                return write!(writer, "\\u{byte:04x}");
            }
        };
        writer.write_all(s)
    }
}

/// Serialises `value` as compact JSON with Meta's escaping.
pub fn to_meta_vec<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    let mut serializer = Serializer::with_formatter(&mut out, MetaFormatter);
    // Serialising a serde_json::Value or plain data into a Vec cannot fail.
    if value.serialize(&mut serializer).is_err() {
        out.clear();
        out.extend_from_slice(b"null");
    }
    out
}

/// A JSON object written member by member with Meta's escaping, for answers assembled in
/// order without building a map first. Keys are written as given: the caller keeps them
/// unique.
pub struct ObjectWriter {
    out: Vec<u8>,
    empty: bool,
}

impl ObjectWriter {
    pub fn new() -> Self {
        let mut out = Vec::with_capacity(128);
        out.push(b'{');
        ObjectWriter { out, empty: true }
    }

    /// Appends `"key":value`.
    pub fn member(&mut self, key: &str, value: &Value) {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        write_str(&mut self.out, key);
        self.out.push(b':');
        write_value(&mut self.out, value);
    }

    /// The object's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.out.push(b'}');
        self.out
    }
}

impl Default for ObjectWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// A `serde_json::Value` as [`to_meta_vec`] writes it, byte for byte, written directly: the
/// answers of every Graph call are values, and serde's generic serializer costs several
/// times as much per member.
pub fn value_to_meta_vec(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    write_value(&mut out, value);
    out
}

/// Appends `value` as compact JSON with Meta's escaping. Values nest no deeper than their
/// parser allows (serde_json's 128 levels) or than localgram builds them, so recursion is
/// bounded.
pub fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => write_number(out, number),
        Value::String(text) => write_str(out, text),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(members) => {
            out.push(b'{');
            for (i, (key, member)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, key);
                out.push(b':');
                write_value(out, member);
            }
            out.push(b'}');
        }
    }
}

/// Numbers as serde_json writes them: integers here, floats (rare in answers, and formatted
/// in serde_json's own way) by serde_json itself.
fn write_number(out: &mut Vec<u8>, number: &serde_json::Number) {
    if let Some(n) = number.as_u64() {
        out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    } else if let Some(n) = number.as_i64() {
        out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    } else if serde_json::to_writer(&mut *out, number).is_err() {
        out.extend_from_slice(b"null");
    }
}

/// Whether a byte needs more than itself in a Meta string: quotes, backslashes, control
/// characters, `/`, and every byte of a non-ASCII character.
const fn escape_table() -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b < 0x20
            || b >= 0x80
            || b == b'"' as usize
            || b == b'\\' as usize
            || b == b'/' as usize;
        b += 1;
    }
    table
}
static NEEDS_ESCAPE: [bool; 256] = escape_table();

/// Appends a string in quotes with Meta's escaping (see [`MetaFormatter`]).
fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    // Most text (ids, names, field names) has nothing to escape: copied whole.
    let clean = clean_prefix(bytes);
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    out.extend_from_slice(&bytes[..clean]);
    if clean < bytes.len() {
        write_escaped(out, text, clean);
    }
    out.push(b'"');
}

/// How many leading bytes need no escape, looked at eight at a time.
fn clean_prefix(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(8);
    let mut clean = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if any_needs_escape(u64::from_le_bytes(word)) {
            break;
        }
        clean += 8;
    }
    clean
        + bytes[clean..]
            .iter()
            .position(|&b| NEEDS_ESCAPE[usize::from(b)])
            .unwrap_or(bytes.len() - clean)
}

/// Whether any of eight bytes is in [`escape_table`]: non-ASCII (high bit set), below 0x20,
/// or one of `"`, `\`, `/` (the classic tests for a byte below n and for a zero byte, which
/// are exact for "any").
fn any_needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below = |n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS != 0;
    let has = |b: u8| {
        let x = word ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGHS != 0
    };
    word & HIGHS != 0 || below(0x20) || has(b'"') || has(b'\\') || has(b'/')
}

/// Writes `text` from byte `start` on (the first byte that needs an escape), escaping.
fn write_escaped(out: &mut Vec<u8>, text: &str, mut start: usize) {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if !NEEDS_ESCAPE[b as usize] || i < start {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        if b >= 0x80 {
            // A whole character, as UTF-16 units.
            let ch = text[i..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                push_unit(out, *unit);
            }
            start = i + ch.len_utf8();
            continue;
        }
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0C => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            control => push_unit(out, u16::from(control)),
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// `\uXXXX` in lowercase hex, as serde_json and Meta write it.
fn push_unit(out: &mut Vec<u8>, unit: u16) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[usize::from((unit >> shift) & 0xF)]);
    }
}

/// Like [`to_meta_vec`], as a `String` (the output is always ASCII).
pub fn to_meta_string<T: Serialize + ?Sized>(value: &T) -> String {
    String::from_utf8(to_meta_vec(value)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// Any JSON value: text with quotes, slashes, control characters, DEL, non-ASCII and
    /// astral characters; integers of both signs and floats; nested lists and objects.
    fn any_value() -> impl Strategy<Value = Value> {
        let text = "[a-z\"\\\\/\u{0}-\u{1f}\u{7f}é€😀 ]{0,12}";
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            text.prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((text, inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The direct writer answers serde's bytes exactly, for any value (webhook
        /// signatures and clients' parsers see the same text either way).
        #[test]
        fn values_are_written_as_serde_writes_them(value in any_value()) {
            prop_assert_eq!(value_to_meta_vec(&value), to_meta_vec(&value));
        }

        /// Long texts too: the clean start is found eight bytes at a time, so every class of
        /// byte is tried at every place in a word and past it.
        #[test]
        fn long_strings_are_written_as_serde_writes_them(
            text in "[a-z0-9\"\\\\/\u{0}-\u{1f}\u{7f}é€😀 ]{0,40}",
        ) {
            let value = Value::String(text);
            prop_assert_eq!(value_to_meta_vec(&value), to_meta_vec(&value));
        }
    }

    #[test]
    fn each_byte_that_needs_an_escape_is_found_at_each_place() {
        for len in 1..=24 {
            for at in 0..len {
                for special in ["\"", "\\", "/", "\u{0}", "\u{1f}", "é", "\u{7f}", " ", "~"] {
                    let mut text = "a".repeat(at);
                    text.push_str(special);
                    text.push_str(&"b".repeat(len - at - 1));
                    let value = Value::String(text);
                    assert_eq!(value_to_meta_vec(&value), to_meta_vec(&value), "{value}");
                }
            }
        }
    }

    #[test]
    fn the_direct_writer_escapes_as_meta_does() {
        let value = json!({"a/b": "\u{0}\u{1f}\u{7f}\"\\/\u{8}\u{c}\n\r\té😀", "n": [-1, 18446744073709551615u64, 0.5, 1e300]});
        assert_eq!(value_to_meta_vec(&value), to_meta_vec(&value));
        assert_eq!(
            String::from_utf8(value_to_meta_vec(&json!("\u{1}/é😀"))).unwrap(),
            r#""\u0001\/\u00e9\ud83d\ude00""#
        );
    }

    #[test]
    fn escapes_slashes_and_non_ascii() {
        let value = json!({"url": "https://x.test/a", "text": "café 😀", "q": "a\"b\n"});
        assert_eq!(
            to_meta_string(&value),
            r#"{"url":"https:\/\/x.test\/a","text":"caf\u00e9 \ud83d\ude00","q":"a\"b\n"}"#
        );
    }

    #[test]
    fn an_object_written_member_by_member_is_the_object_serialised() {
        let value = json!({"id": "1", "caption": "a/b é", "n": 3, "o": {"x": [1, null]}});
        let mut writer = ObjectWriter::new();
        for (key, member) in value.as_object().unwrap() {
            writer.member(key, member);
        }
        assert_eq!(writer.finish(), to_meta_vec(&value));
        assert_eq!(ObjectWriter::new().finish(), b"{}");
        let mut writer = ObjectWriter::new();
        writer.member("k\"/", &json!(1));
        assert_eq!(writer.finish(), br#"{"k\"\/":1}"#);
    }

    #[test]
    fn output_parses_back_to_the_same_value() {
        let value = json!({"a": ["/", "é", 1, 2.5, null, true], "b": {"c": "\u{1}"}});
        let text = to_meta_string(&value);
        assert!(text.is_ascii());
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            value
        );
    }
}
