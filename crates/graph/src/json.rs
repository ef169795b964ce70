//! JSON serialised as Meta serialises it: `/` escaped as `\/` and every non-ASCII character as
//! `\uXXXX` (surrogate pairs above the BMP). Webhook signatures are computed over these exact
//! bytes, so the escaping is part of the protocol, not cosmetics.

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, Serializer};
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
    pub fn member<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        let mut serializer = Serializer::with_formatter(&mut self.out, MetaFormatter);
        // Serialising a string and a serde_json::Value or plain data into a Vec cannot
        // fail; should it, the member still holds valid JSON.
        if key.serialize(&mut serializer).is_err() {
            self.out.extend_from_slice(b"\"\"");
        }
        self.out.push(b':');
        let start = self.out.len();
        let mut serializer = Serializer::with_formatter(&mut self.out, MetaFormatter);
        if value.serialize(&mut serializer).is_err() {
            self.out.truncate(start);
            self.out.extend_from_slice(b"null");
        }
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

/// Like [`to_meta_vec`], as a `String` (the output is always ASCII).
pub fn to_meta_string<T: Serialize + ?Sized>(value: &T) -> String {
    String::from_utf8(to_meta_vec(value)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        writer.member("k\"/", &1);
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
