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
