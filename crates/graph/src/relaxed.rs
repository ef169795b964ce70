//! The lenient JSON that Meta's docs use for complex parameters.
//!
//! The Instagram docs write `user_tags=[{username:'kevinhart4real', x: 0.5, y: 0.8}]`,
//! `product_tags=[{product_id:'3231775643511089',x: 0.5,y: 0.8}]`,
//! `collaborators=[‘username1’,’username2’]` with typographic quotes, and, once URL-decoded,
//! `[{username:ig_user_name}]` with a bare word as a string. Meta accepts all of these, so
//! this parser is a superset of JSON: unquoted keys, single, double and typographic quotes,
//! bare words as strings, trailing commas. Integers keep full precision (ids are 17 digits).

use serde_json::{Map, Number, Value};
use std::fmt;

/// Deepest array/object nesting accepted; the parser recurses once per level.
pub const MAX_DEPTH: usize = 64;

/// Why a relaxed JSON text was rejected, and where (0-based character index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelaxedError {
    pub message: String,
    pub position: usize,
}

impl fmt::Display for RelaxedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {}", self.message, self.position)
    }
}

impl std::error::Error for RelaxedError {}

/// Parses relaxed JSON (see the module docs). Any valid JSON text parses to the same value
/// serde_json would give it. Never panics.
pub fn parse_relaxed(input: &str) -> Result<Value, RelaxedError> {
    let mut parser = Parser {
        chars: input.chars().collect(),
        pos: 0,
    };
    parser.skip_ws();
    let value = parser.value(0)?;
    parser.skip_ws();
    match parser.peek() {
        None => Ok(value),
        Some(c) => Err(parser.error(format!("unexpected {c:?} after the value"))),
    }
}

/// Characters that end a bare word or can never start one.
fn is_structural(c: char) -> bool {
    matches!(c, ',' | ':' | '{' | '}' | '[' | ']')
}

/// Which characters may close a string opened by `open`. An ASCII quote closes only on
/// itself, so JSON text keeps its meaning; a typographic quote closes on either of its pair,
/// because the docs mix them (`’username2’`).
fn closes(open: char, c: char) -> bool {
    match open {
        '‘' | '’' => matches!(c, '‘' | '’'),
        '“' | '”' => matches!(c, '“' | '”'),
        _ => c == open,
    }
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '‘' | '’' | '“' | '”')
}

/// The JSON number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
/// Anything else is a bare string, so `0123` or `1.` stay text, as an id should.
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if b.first() == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// Converts a JSON number literal the way serde_json does: integers as u64/i64 when they
/// fit, everything else as f64. `None` for a float that overflows to infinity.
fn number(s: &str) -> Option<Number> {
    let integral = !s.contains(['.', 'e', 'E']);
    if integral {
        if let Ok(n) = s.parse::<u64>() {
            return Some(Number::from(n));
        }
        if let Ok(n) = s.parse::<i64>() {
            return Some(Number::from(n));
        }
    }
    s.parse::<f64>().ok().and_then(Number::from_f64)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self
            .peek()
            .is_some_and(|c| c.is_whitespace() || c == '\u{feff}')
        {
            self.pos += 1;
        }
    }

    fn error(&self, message: String) -> RelaxedError {
        RelaxedError {
            message,
            position: self.pos,
        }
    }

    fn unexpected(&self, wanted: &str) -> RelaxedError {
        match self.peek() {
            Some(c) => self.error(format!("expected {wanted}, found {c:?}")),
            None => self.error(format!("expected {wanted}, found end of input")),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, RelaxedError> {
        match self.peek() {
            Some('{') => self.object(depth + 1),
            Some('[') => self.array(depth + 1),
            Some(c) if is_quote(c) => self.string(c).map(Value::String),
            Some(c) if !is_structural(c) => self.bare_value(),
            _ => Err(self.unexpected("a value")),
        }
    }

    fn enter(&self, depth: usize) -> Result<(), RelaxedError> {
        if depth > MAX_DEPTH {
            Err(self.error(format!("nesting deeper than {MAX_DEPTH} levels")))
        } else {
            Ok(())
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, RelaxedError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut map = Map::new();
        loop {
            self.skip_ws();
            if self.peek() == Some('}') {
                self.pos += 1;
                return Ok(Value::Object(map));
            }
            let key = self.key()?;
            self.skip_ws();
            if self.peek() != Some(':') {
                return Err(self.unexpected("':'"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth)?;
            map.insert(key, value);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some('}') => {}
                _ => return Err(self.unexpected("',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, RelaxedError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            if self.peek() == Some(']') {
                self.pos += 1;
                return Ok(Value::Array(items));
            }
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(']') => {}
                _ => return Err(self.unexpected("',' or ']'")),
            }
        }
    }

    /// An object key: a quoted string, or a bare run such as `product_id`.
    fn key(&mut self) -> Result<String, RelaxedError> {
        match self.peek() {
            Some(c) if is_quote(c) => self.string(c),
            _ => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| !is_structural(c) && !c.is_whitespace())
                {
                    self.pos += 1;
                }
                if self.pos == start {
                    return Err(self.unexpected("a key"));
                }
                Ok(self.text(start, self.pos))
            }
        }
    }

    fn text(&self, start: usize, end: usize) -> String {
        self.chars
            .get(start..end)
            .map(|s| s.iter().collect())
            .unwrap_or_default()
    }

    /// A bare word up to the next `,`, `}` or `]`, trimmed: a JSON literal or number when it
    /// spells one, else a string (so URLs with `:` and names with spaces survive).
    fn bare_value(&mut self) -> Result<Value, RelaxedError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| !matches!(c, ',' | '}' | ']')) {
            self.pos += 1;
        }
        let raw = self.text(start, self.pos);
        let word = raw.trim_end();
        Ok(match word {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            _ if is_json_number(word) => match number(word) {
                Some(n) => Value::Number(n),
                None => {
                    return Err(RelaxedError {
                        message: format!("number out of range: {word}"),
                        position: start,
                    })
                }
            },
            _ => Value::String(word.to_owned()),
        })
    }

    /// A quoted string opened by `open`, with JSON escapes plus `\'`; an unknown escape
    /// stands for the escaped character, as in JavaScript.
    fn string(&mut self, open: char) -> Result<String, RelaxedError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(RelaxedError {
                    message: "unterminated string".to_owned(),
                    position: start,
                });
            };
            self.pos += 1;
            if closes(open, c) {
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(escaped) = self.peek() else {
                continue;
            };
            self.pos += 1;
            match escaped {
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'u' => out.push(self.unicode_escape()),
                other => out.push(other),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.chars.get(self.pos..self.pos + 4)?;
        let mut value = 0;
        for d in digits {
            value = value * 16 + d.to_digit(16)?;
        }
        self.pos += 4;
        Some(value)
    }

    /// The character after `\u`: surrogate pairs are joined; a malformed or lone escape
    /// becomes U+FFFD rather than an error, since the text is user input, not a protocol.
    fn unicode_escape(&mut self) -> char {
        let Some(unit) = self.hex4() else {
            return char::REPLACEMENT_CHARACTER;
        };
        if (0xD800..0xDC00).contains(&unit) {
            let rest = self.chars.get(self.pos..self.pos + 2);
            if rest == Some(&['\\', 'u'][..]) {
                let save = self.pos;
                self.pos += 2;
                match self.hex4() {
                    Some(low) if (0xDC00..0xE000).contains(&low) => {
                        let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                        return char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
                    }
                    _ => self.pos = save,
                }
            }
        }
        char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(s: &str) -> Value {
        match parse_relaxed(s) {
            Ok(v) => v,
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    fn err(s: &str) -> RelaxedError {
        match parse_relaxed(s) {
            Ok(v) => panic!("{s:?} parsed as {v}"),
            Err(e) => e,
        }
    }

    #[test]
    fn product_tags_example() {
        // ref 001 L7800 (product_tags parameter table), L5688-5694, L9868
        let v = ok("[{product_id:'3231775643511089',x: 0.5,y: 0.8}]");
        assert_eq!(
            v,
            json!([{"product_id": "3231775643511089", "x": 0.5, "y": 0.8}])
        );
        let v = ok("[\n  {\n    product_id:'3859448974125379',\n    x: 0.5,\n    y: 0.8\n  }\n]");
        assert_eq!(
            v,
            json!([{"product_id": "3859448974125379", "x": 0.5, "y": 0.8}])
        );
    }

    #[test]
    fn user_tags_examples() {
        // ref 001 L368-380 (sample request) and L7804 (user_tags parameter table)
        let v = ok("[\n    {\n      username:'kevinhart4real',\n      x: 0.5,\n      y: 0.8\n    },\n    {\n      username:'therock',\n      x: 0.3,\n      y: 0.2\n    }\n  ]");
        assert_eq!(
            v,
            json!([
                {"username": "kevinhart4real", "x": 0.5, "y": 0.8},
                {"username": "therock", "x": 0.3, "y": 0.2}
            ])
        );
        // ref 001 L9844
        assert_eq!(
            ok("[{username:'natgeo',x:0.5,y:1.0}]"),
            json!([{"username": "natgeo", "x": 0.5, "y": 1.0}])
        );
    }

    #[test]
    fn typographic_quotes() {
        // ref 001 L368 (collaborators sample)
        assert_eq!(
            ok("[‘username1’,’username2’]"),
            json!(["username1", "username2"])
        );
        // ref 001 L1439: user_tags=[{username:’ig_user_name’}]
        assert_eq!(
            ok("[{username:’ig_user_name’}]"),
            json!([{"username": "ig_user_name"}])
        );
        assert_eq!(ok("{“key”: “value”}"), json!({"key": "value"}));
        assert_eq!(ok("[“a”,”b”]"), json!(["a", "b"]));
        // An ASCII-quoted string keeps typographic quotes as text.
        assert_eq!(ok("\"it’s “fine”\""), json!("it’s “fine”"));
        assert_eq!(ok("'say \"hi\"'"), json!("say \"hi\""));
    }

    #[test]
    fn bare_words_after_url_decoding() {
        // ref 001 L1439: user_tags=%5B%7Busername:ig_user_name%7D%5D
        assert_eq!(
            ok("[{username:ig_user_name}]"),
            json!([{"username": "ig_user_name"}])
        );
        assert_eq!(ok("[id1,id2]"), json!(["id1", "id2"]));
        assert_eq!(ok("[ a b , c ]"), json!(["a b", "c"]));
        // A bare word runs to the next separator, spaces included.
        assert_eq!(ok("[1 2]"), json!(["1 2"]));
        assert_eq!(
            ok("{url: https://example.com/a.jpg?x=1}"),
            json!({"url": "https://example.com/a.jpg?x=1"})
        );
        assert_eq!(ok("hello"), json!("hello"));
        assert_eq!(
            ok("[True, nil, 0123, 1., .5, -]"),
            json!(["True", "nil", "0123", "1.", ".5", "-"])
        );
    }

    #[test]
    fn literals_and_numbers() {
        assert_eq!(ok("[true,false,null]"), json!([true, false, null]));
        assert_eq!(ok("{a:true, b: null}"), json!({"a": true, "b": null}));
        assert_eq!(ok("-12"), json!(-12));
        assert_eq!(ok("1e3"), json!(1000.0));
        assert_eq!(ok("-0.25E-2"), json!(-0.0025));
        assert_eq!(ok("18446744073709551615"), json!(u64::MAX));
        assert_eq!(ok("-9223372036854775808"), json!(i64::MIN));
        assert_eq!(ok("18446744073709551616"), json!(18446744073709551616.0));
        assert_eq!(err("1e400").message, "number out of range: 1e400");
    }

    #[test]
    fn ids_keep_full_precision() {
        let v = ok("[17841400008460056, {id: 17918195224117851}]");
        assert_eq!(v[0].as_u64(), Some(17841400008460056));
        assert_eq!(v[1]["id"].as_u64(), Some(17918195224117851));
        assert!(v[0].is_u64());
        assert_eq!(
            v.to_string(),
            "[17841400008460056,{\"id\":17918195224117851}]"
        );
    }

    #[test]
    fn trailing_commas_and_whitespace() {
        assert_eq!(ok(" [ 1 , 2 , ] "), json!([1, 2]));
        assert_eq!(ok("{a:1,}"), json!({"a": 1}));
        assert_eq!(ok("\u{feff}{}"), json!({}));
        assert_eq!(ok("[]"), json!([]));
    }

    #[test]
    fn plain_json_is_unchanged() {
        let text = r#"{"recipient":{"comment_id":"17870913679156914"},"message":{"text":"a\"b\\c\/d\u00e9\ud83d\ude00\n"},"n":[1,-2,3.5,true,null]}"#;
        let expected: Value = serde_json::from_str(text).unwrap_or_default();
        assert_eq!(ok(text), expected);
    }

    #[test]
    fn escapes() {
        assert_eq!(ok(r"'it\'s'"), json!("it's"));
        assert_eq!(ok(r"'\q'"), json!("q"));
        assert_eq!(ok(r#""\ud800x""#), json!("\u{fffd}x"));
        assert_eq!(ok(r#""\u12""#), json!("\u{fffd}12"));
        assert_eq!(ok(r#""\ud83d\u0041""#), json!("\u{fffd}A"));
        assert_eq!(ok(r#""\b\f\r\t""#), json!("\u{8}\u{c}\r\t"));
    }

    #[test]
    fn duplicate_keys_last_wins() {
        assert_eq!(ok("{a:1,a:2}"), json!({"a": 2}));
    }

    #[test]
    fn errors() {
        let e = err("");
        assert_eq!(
            (e.message.as_str(), e.position),
            ("expected a value, found end of input", 0)
        );
        let e = err("[1,,2]");
        assert_eq!(
            (e.message.as_str(), e.position),
            ("expected a value, found ','", 3)
        );
        let e = err("{a 1}");
        assert_eq!(
            (e.message.as_str(), e.position),
            ("expected ':', found '1'", 3)
        );
        let e = err("{:1}");
        assert_eq!(
            (e.message.as_str(), e.position),
            ("expected a key, found ':'", 1)
        );
        let e = err("['abc");
        assert_eq!((e.message.as_str(), e.position), ("unterminated string", 1));
        let e = err("['a' 'b']");
        assert_eq!(
            (e.message.as_str(), e.position),
            ("expected ',' or ']', found '\\''", 5)
        );
        let e = err("{a:1");
        assert_eq!(
            (e.message.as_str(), e.position),
            ("expected ',' or '}', found end of input", 4)
        );
        let e = err("[1]]");
        assert_eq!(
            (e.message.as_str(), e.position),
            ("unexpected ']' after the value", 3)
        );
        let e = err("'é'x");
        assert_eq!(e.position, 3);
        assert_eq!(
            e.to_string(),
            "unexpected 'x' after the value at character 3"
        );
    }

    #[test]
    fn depth_limit() {
        let ok_depth = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse_relaxed(&ok_depth).is_ok());
        let too_deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let e = err(&too_deep);
        assert_eq!(
            (e.message.as_str(), e.position),
            ("nesting deeper than 64 levels", 64)
        );
        assert!(parse_relaxed(&"{a:".repeat(100_000)).is_err());
    }
}
