//! Request parameters, merged from every place a client may put them.
//!
//! Meta accepts the same parameter in the query string, a form body, multipart text parts or
//! a JSON body, so endpoints read one merged map. Text sources give strings; a JSON body
//! keeps its structured values. The typed getters accept what Meta accepts (`1`/`0` for
//! booleans, numbers as text, relaxed JSON, lists in several spellings) and report a wrong
//! type as [`ParamError::Invalid`], which the error module turns into Meta's `(#100)` errors.

use crate::relaxed::parse_relaxed;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

/// Every request parameter by name, in order of first appearance.
///
/// A later value for a name replaces the earlier one: body over query, later over earlier.
/// A request carries a handful, found by scanning them (no hashing, one allocation); past
/// [`Params::INDEXED_FROM`] an index by name keeps a long form from costing quadratic time.
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// Names the Graph API reads on most calls are held as statics ([`common_name`]).
    entries: Vec<(Cow<'static, str>, Value)>,
    index: Option<HashMap<String, usize>>,
}

/// Two sets of parameters are equal when they hold the same values by name, in any order.
impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(name, value)| other.get(name) == Some(value))
    }
}

/// Parameter names nearly every call sends, which a query string then names without a copy.
const COMMON_NAMES: &[&str] = &[
    "access_token",
    "fields",
    "limit",
    "after",
    "before",
    "since",
    "until",
    "metric",
    "period",
    "appsecret_proof",
    "metadata",
];

fn common_name(name: &str) -> Cow<'static, str> {
    match COMMON_NAMES.iter().find(|n| **n == name) {
        Some(common) => Cow::Borrowed(common),
        None => Cow::Owned(name.to_owned()),
    }
}

/// A parameter that is absent, of the wrong type, or a body that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamError {
    /// A required parameter is absent or empty.
    Missing { name: String },
    /// The value cannot be read as `expected` (e.g. "boolean", "integer", "JSON object").
    Invalid {
        name: String,
        expected: &'static str,
    },
    /// A body that is not what its Content-Type says.
    Body { detail: String },
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Missing { name } => write!(f, "The parameter {name} is required"),
            ParamError::Invalid { name, expected } => {
                write!(f, "Param {name} must be {} {expected}", article(expected))
            }
            ParamError::Body { detail } => f.write_str(detail),
        }
    }
}

impl std::error::Error for ParamError {}

/// A `name=value` pair that needs no decoding (no `%`, no `+`, valid UTF-8), read in place:
/// most parameters (ids, field lists, tokens) are such, and decoding them byte by byte
/// was a large share of a request's cost.
fn plain_pair(pair: &[u8]) -> Option<(&str, &str)> {
    if memchr::memchr2(b'%', b'+', pair).is_some() {
        return None;
    }
    let text = std::str::from_utf8(pair).ok()?;
    Some(text.split_once('=').unwrap_or((text, "")))
}

/// "an integer", "a boolean": the article Meta's messages put before a type.
fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

fn invalid(name: &str, expected: &'static str) -> ParamError {
    ParamError::Invalid {
        name: name.to_owned(),
        expected,
    }
}

/// The quote characters a list item may be wrapped in, typographic ones included.
fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '‘' | '’' | '“' | '”')
}

/// An item of a text list with one layer of surrounding quotes removed.
fn unquote(item: &str) -> &str {
    let mut chars = item.chars();
    match (chars.next(), chars.next_back()) {
        (Some(a), Some(b)) if is_quote(a) && is_quote(b) => chars.as_str().trim(),
        _ => item,
    }
}

/// A JSON array as list items: strings trimmed, numbers and booleans as their text, blanks
/// and nulls dropped; nested arrays or objects are not list items.
fn list_items(name: &str, items: &[Value]) -> Result<Vec<String>, ParamError> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let text = match item {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => continue,
            Value::Array(_) | Value::Object(_) => return Err(invalid(name, "list")),
        };
        if !text.is_empty() {
            out.push(text);
        }
    }
    Ok(out)
}

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes a query string or `application/x-www-form-urlencoded` body. Invalid UTF-8 is
    /// replaced, never rejected: Meta answers such input with a parameter error, not a crash.
    pub fn from_urlencoded(bytes: &[u8]) -> Self {
        let mut params = Self::new();
        params.extend_urlencoded(bytes);
        params
    }

    /// Adds urlencoded pairs; a name already present takes the new value, so a body decoded
    /// after the query string overrides it.
    pub fn extend_urlencoded(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while !rest.is_empty() {
            let end = memchr::memchr(b'&', rest).unwrap_or(rest.len());
            let pair = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or_default();
            if pair.is_empty() {
                continue;
            }
            match plain_pair(pair) {
                Some((name, value)) => {
                    self.insert_named(common_name(name), Value::String(value.to_owned()))
                }
                // Escapes (`%..`, `+`) or invalid UTF-8: decoded as forms are.
                None => {
                    for (name, value) in form_urlencoded::parse(pair) {
                        self.insert(name.into_owned(), Value::String(value.into_owned()));
                    }
                }
            }
        }
    }

    /// Adds each key of a JSON object body as a parameter with its JSON value. An empty (or
    /// blank) body adds nothing; anything but a JSON object is a [`ParamError::Body`].
    pub fn extend_json_body(&mut self, body: &[u8]) -> Result<(), ParamError> {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => {
                for (name, value) in map {
                    self.insert(name, value);
                }
                Ok(())
            }
            Ok(_) => Err(ParamError::Body {
                detail: "The JSON request body must be an object".to_owned(),
            }),
            Err(e) => Err(ParamError::Body {
                detail: format!("The request body is not valid JSON: {e}"),
            }),
        }
    }

    /// How many parameters are scanned before they are indexed by name.
    const INDEXED_FROM: usize = 16;

    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self.entries.iter().position(|(n, _)| n == name),
        }
    }

    fn reindex(&mut self) {
        self.index = (self.entries.len() > Self::INDEXED_FROM).then(|| {
            self.entries
                .iter()
                .enumerate()
                .map(|(i, (name, _))| (name.to_string(), i))
                .collect()
        });
    }

    /// Sets a parameter: a name already present keeps its place and takes the new value.
    pub fn insert(&mut self, name: impl Into<String>, value: Value) {
        self.insert_named(Cow::Owned(name.into()), value);
    }

    fn insert_named(&mut self, name: Cow<'static, str>, value: Value) {
        match self.position(&name) {
            Some(i) => self.entries[i].1 = value,
            None => {
                if let Some(index) = &mut self.index {
                    index.insert(name.to_string(), self.entries.len());
                }
                self.entries.push((name, value));
                if self.index.is_none() && self.entries.len() > Self::INDEXED_FROM {
                    self.reindex();
                }
            }
        }
    }

    pub fn insert_str(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.insert(name, Value::String(value.into()));
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.position(name).map(|i| &self.entries[i].1)
    }

    /// Removes a parameter, keeping the order of the others.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let i = self.position(name)?;
        let (_, value) = self.entries.remove(i);
        if self.index.is_some() {
            // The positions after `i` moved.
            self.reindex();
        }
        Some(value)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value unless absent or JSON `null`, which clients send for "not set".
    fn present(&self, name: &str) -> Option<&Value> {
        self.get(name).filter(|v| !v.is_null())
    }

    /// For the scalar getters: `Ok(None)` when absent, null or blank text (an empty form
    /// field means "not set"), else the value with text trimmed.
    fn scalar(&self, name: &str) -> Option<Scalar<'_>> {
        match self.present(name)? {
            Value::String(s) => {
                let s = s.trim();
                (!s.is_empty()).then_some(Scalar::Text(s))
            }
            other => Some(Scalar::Json(other)),
        }
    }

    /// The value as text: numbers and booleans as they print; objects and arrays are not text.
    pub fn str(&self, name: &str) -> Result<Option<String>, ParamError> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(invalid(name, "string")),
        }
    }

    /// Like [`Params::str`], but absent or empty is [`ParamError::Missing`], as Meta treats
    /// `message=` the same as no `message`.
    pub fn required_str(&self, name: &str) -> Result<String, ParamError> {
        match self.str(name)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(ParamError::Missing {
                name: name.to_owned(),
            }),
        }
    }

    /// `true`/`false` (any case) or `1`/`0`, as JSON or as text.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, ParamError> {
        let parsed = match self.scalar(name) {
            None => return Ok(None),
            Some(Scalar::Json(Value::Bool(b))) => Some(*b),
            Some(Scalar::Json(Value::Number(n))) => match n.as_u64() {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            },
            Some(Scalar::Text(s)) => {
                if s.eq_ignore_ascii_case("true") || s == "1" {
                    Some(true)
                } else if s.eq_ignore_ascii_case("false") || s == "0" {
                    Some(false)
                } else {
                    None
                }
            }
            Some(Scalar::Json(_)) => None,
        };
        parsed.map(Some).ok_or_else(|| invalid(name, "boolean"))
    }

    /// A JSON integer (or integral float) or decimal text such as `-12` or `+5`.
    pub fn i64(&self, name: &str) -> Result<Option<i64>, ParamError> {
        let parsed = match self.scalar(name) {
            None => return Ok(None),
            Some(Scalar::Json(Value::Number(n))) => n.as_i64().or_else(|| {
                // 2^63 is exactly representable; anything below it in magnitude fits.
                let limit = 9_223_372_036_854_775_808.0_f64;
                n.as_f64()
                    .filter(|x| x.fract() == 0.0 && *x >= -limit && *x < limit)
                    .map(|x| x as i64)
            }),
            Some(Scalar::Text(s)) => s.parse::<i64>().ok(),
            Some(Scalar::Json(_)) => None,
        };
        parsed.map(Some).ok_or_else(|| invalid(name, "integer"))
    }

    /// A non-negative integer that fits in 32 bits, such as `limit`.
    pub fn u32(&self, name: &str) -> Result<Option<u32>, ParamError> {
        match self.i64(name)? {
            None => Ok(None),
            Some(n) => u32::try_from(n)
                .map(Some)
                .map_err(|_| invalid(name, "integer")),
        }
    }

    /// A finite number, as JSON or decimal text (`0.5`, `1e-3`); `inf` and `NaN` are not.
    pub fn f64(&self, name: &str) -> Result<Option<f64>, ParamError> {
        let parsed = match self.scalar(name) {
            None => return Ok(None),
            Some(Scalar::Json(Value::Number(n))) => n.as_f64(),
            Some(Scalar::Text(s)) => s
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
                .then(|| s.parse::<f64>().ok())
                .flatten(),
            Some(Scalar::Json(_)) => None,
        };
        parsed
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| invalid(name, "number"))
    }

    /// A structured value: text is parsed as relaxed JSON (see [`crate::relaxed`]), values
    /// from a JSON body are taken as they are.
    pub fn json(&self, name: &str) -> Result<Option<Value>, ParamError> {
        match self.scalar(name) {
            None => Ok(None),
            Some(Scalar::Text(s)) => parse_relaxed(s)
                .map(Some)
                .map_err(|_| invalid(name, "JSON value")),
            Some(Scalar::Json(v)) => Ok(Some(v.clone())),
        }
    }

    /// [`Params::json`] that must be an object, such as `recipient` or `message`.
    pub fn json_object(&self, name: &str) -> Result<Option<Map<String, Value>>, ParamError> {
        match self.json(name) {
            Ok(None) => Ok(None),
            Ok(Some(Value::Object(map))) => Ok(Some(map)),
            _ => Err(invalid(name, "JSON object")),
        }
    }

    /// [`Params::json`] that must be an array, such as `user_tags` or `product_tags`.
    pub fn json_array(&self, name: &str) -> Result<Option<Vec<Value>>, ParamError> {
        match self.json(name) {
            Ok(None) => Ok(None),
            Ok(Some(Value::Array(items))) => Ok(Some(items)),
            _ => Err(invalid(name, "JSON array")),
        }
    }

    /// A list of strings in any spelling the docs use: `a,b`, `[a,b]`, `["a","b"]`,
    /// `['a','b']`, `[‘a’,’b’]`, a JSON array, or a single scalar. Numbers become their decimal
    /// text (ids keep every digit); blank items are dropped.
    pub fn list(&self, name: &str) -> Result<Option<Vec<String>>, ParamError> {
        match self.scalar(name) {
            None => Ok(None),
            Some(Scalar::Json(Value::Array(items))) => list_items(name, items).map(Some),
            Some(Scalar::Json(Value::Object(_))) => Err(invalid(name, "list")),
            Some(Scalar::Json(scalar)) => list_items(name, std::slice::from_ref(scalar)).map(Some),
            Some(Scalar::Text(s)) if s.starts_with('{') => Err(invalid(name, "list")),
            Some(Scalar::Text(s)) => {
                if s.starts_with('[') {
                    if let Ok(Value::Array(items)) = parse_relaxed(s) {
                        return list_items(name, &items).map(Some);
                    }
                }
                // Not bracketed, or brackets around something relaxed JSON rejects
                // (`[a,[b]`): split the text itself.
                let inner = s.strip_prefix('[').unwrap_or(s);
                let inner = inner.strip_suffix(']').unwrap_or(inner);
                let items = inner
                    .split(',')
                    .map(|item| unquote(item.trim()).to_owned())
                    .filter(|item| !item.is_empty())
                    .collect();
                Ok(Some(items))
            }
        }
    }

    /// The parameters as a urlencoded query, for building paging URLs. Structured values are
    /// written as JSON, which [`Params::json`] reads back; nulls are left out.
    pub fn to_query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (name, value) in self.iter() {
            match value {
                Value::Null => {}
                Value::String(s) => {
                    out.append_pair(name, s);
                }
                other => {
                    out.append_pair(name, &other.to_string());
                }
            }
        }
        out.finish()
    }
}

/// A present, non-blank parameter as the scalar getters see it.
enum Scalar<'a> {
    /// Text from the query, a form or a JSON string, trimmed.
    Text(&'a str),
    /// Any other JSON value (never null).
    Json(&'a Value),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    proptest::proptest! {
        /// Reading plain pairs in place answers what form decoding answers, for any query.
        #[test]
        fn urlencoded_reads_as_form_decoding_does(input in "[a-z=&%+2AC0é ]{0,30}") {
            let mut expected = Params::new();
            for (name, value) in form_urlencoded::parse(input.as_bytes()) {
                expected.insert(name.into_owned(), Value::String(value.into_owned()));
            }
            let read = Params::from_urlencoded(input.as_bytes());
            proptest::prop_assert_eq!(&read, &expected);
            let order: Vec<&str> = read.iter().map(|(n, _)| n).collect();
            let expected_order: Vec<&str> = expected.iter().map(|(n, _)| n).collect();
            proptest::prop_assert_eq!(order, expected_order);
        }
    }

    #[test]
    fn many_parameters_keep_their_order_and_last_values_through_the_index() {
        // Past the scanning limit the index answers; both must agree on every operation.
        let query: Vec<String> = (0..40).map(|i| format!("p{i}={i}")).collect();
        let mut params = Params::from_urlencoded(query.join("&").as_bytes());
        params.extend_urlencoded(b"p3=three&p39=last&extra=1");
        assert_eq!(params.len(), 41);
        assert_eq!(params.get("p3"), Some(&json!("three")));
        assert_eq!(params.remove("p0"), Some(json!("0")));
        assert_eq!(params.remove("p0"), None);
        // After a removal the later positions moved: every name still finds its own value.
        for i in 1..39 {
            let expected = if i == 3 {
                "three".to_string()
            } else {
                i.to_string()
            };
            assert_eq!(params.get(&format!("p{i}")), Some(&json!(expected)));
        }
        assert_eq!(params.get("p39"), Some(&json!("last")));
        let names: Vec<&str> = params.iter().map(|(n, _)| n).take(3).collect();
        assert_eq!(names, ["p1", "p2", "p3"]);
        assert_eq!(params.iter().last().map(|(n, _)| n), Some("extra"));
        // Back under the limit, scanning answers the same.
        for i in 1..35 {
            params.remove(&format!("p{i}"));
        }
        assert_eq!(params.len(), 6);
        assert_eq!(params.get("p39"), Some(&json!("last")));
        assert!(params.contains("extra") && !params.contains("p1"));
    }

    #[test]
    fn parameters_compare_by_name_whatever_their_order() {
        assert_eq!(
            Params::from_urlencoded(b"a=1&b=2"),
            Params::from_urlencoded(b"b=2&a=1")
        );
        assert_ne!(
            Params::from_urlencoded(b"a=1&b=2"),
            Params::from_urlencoded(b"a=1&b=3")
        );
    }

    fn missing(name: &str) -> ParamError {
        ParamError::Missing { name: name.into() }
    }

    #[test]
    fn urlencoded_decoding() {
        let p =
            Params::from_urlencoded(b"caption=%23BronzedFonzes%21&a+b=c+d&empty=&flag&x=%E2%80%98");
        assert_eq!(p.get("caption"), Some(&json!("#BronzedFonzes!")));
        assert_eq!(p.get("a b"), Some(&json!("c d")));
        assert_eq!(p.get("empty"), Some(&json!("")));
        assert_eq!(p.get("flag"), Some(&json!("")));
        assert_eq!(p.get("x"), Some(&json!("‘")));
        assert_eq!(p.len(), 5);
        assert_eq!(
            p.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["caption", "a b", "empty", "flag", "x"]
        );
    }

    #[test]
    fn urlencoded_user_tags_example() {
        // ref 001 L1439: user_tags=%5B%7Busername:ig_user_name%7D%5D
        let p = Params::from_urlencoded(b"user_tags=%5B%7Busername:ig_user_name%7D%5D");
        assert_eq!(
            p.get("user_tags"),
            Some(&json!("[{username:ig_user_name}]"))
        );
        assert_eq!(
            p.json("user_tags"),
            Ok(Some(json!([{"username": "ig_user_name"}])))
        );
        // ref 001 L5685: the encoded updated_tags sample
        let p = Params::from_urlencoded(b"updated_tags=%5B%0A%20%20%7B%0A%20%20%20%20product_id%3A'3859448974125379'%2C%0A%20%20%20%20x%3A%200.5%2C%0A%20%20%20%20y%3A%200.8%0A%20%20%7D%0A%5D&access_token=EAAOc...");
        assert_eq!(
            p.json_array("updated_tags"),
            Ok(Some(vec![
                json!({"product_id": "3859448974125379", "x": 0.5, "y": 0.8})
            ]))
        );
        assert_eq!(p.str("access_token"), Ok(Some("EAAOc...".to_owned())));
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let p = Params::from_urlencoded(b"a=%FF%FE&b\xff=\xc3");
        assert_eq!(p.get("a"), Some(&json!("\u{fffd}\u{fffd}")));
        assert_eq!(p.get("b\u{fffd}"), Some(&json!("\u{fffd}")));
        let p = Params::from_urlencoded(b"a=%zz%4");
        assert_eq!(p.get("a"), Some(&json!("%zz%4")));
    }

    #[test]
    fn later_values_win() {
        let mut p = Params::from_urlencoded(b"a=1&b=2&a=3");
        assert_eq!(p.get("a"), Some(&json!("3")));
        p.extend_urlencoded(b"b=body");
        assert_eq!(p.get("b"), Some(&json!("body")));
        assert_eq!(p.extend_json_body(br#"{"a": 4}"#), Ok(()));
        assert_eq!(p.get("a"), Some(&json!(4)));
        assert_eq!(p.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn json_body() {
        // seed001a §14: private reply body
        let mut p = Params::from_urlencoded(b"access_token=T");
        let body = br#"{"recipient":{"comment_id":"17870913679156914"},"message":{"text":"Thanks"},"n":17841400008460056}"#;
        assert_eq!(p.extend_json_body(body), Ok(()));
        assert_eq!(
            p.json_object("recipient").map(|m| m.map(Value::Object)),
            Ok(Some(json!({"comment_id": "17870913679156914"})))
        );
        assert_eq!(p.str("n"), Ok(Some("17841400008460056".to_owned())));
        assert_eq!(p.i64("n"), Ok(Some(17841400008460056)));
        assert_eq!(p.str("message"), Err(invalid("message", "string")));
        assert_eq!(p.len(), 4);
    }

    #[test]
    fn json_body_errors_and_empty() {
        let mut p = Params::new();
        assert_eq!(p.extend_json_body(b""), Ok(()));
        assert_eq!(p.extend_json_body(b" \n\t"), Ok(()));
        assert_eq!(p.extend_json_body(b"\xEF\xBB\xBF{\"a\":1}"), Ok(()));
        assert_eq!(p.get("a"), Some(&json!(1)));
        for bad in [
            &b"[1]"[..],
            b"\"x\"",
            b"null",
            b"{",
            b"{a:1}",
            b"\xff",
            b"{}x",
        ] {
            assert!(
                matches!(p.extend_json_body(bad), Err(ParamError::Body { .. })),
                "{bad:?}"
            );
        }
        assert_eq!(
            p.extend_json_body(b"[]"),
            Err(ParamError::Body {
                detail: "The JSON request body must be an object".into()
            })
        );
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn str_and_required_str() {
        let mut p = Params::from_urlencoded(b"message=hi&empty=&n=5");
        p.insert("f", json!(0.5));
        p.insert("b", json!(true));
        p.insert("nul", Value::Null);
        p.insert("arr", json!([1]));
        assert_eq!(p.str("message"), Ok(Some("hi".into())));
        assert_eq!(p.str("empty"), Ok(Some(String::new())));
        assert_eq!(p.str("f"), Ok(Some("0.5".into())));
        assert_eq!(p.str("b"), Ok(Some("true".into())));
        assert_eq!(p.str("nul"), Ok(None));
        assert_eq!(p.str("nope"), Ok(None));
        assert_eq!(p.str("arr"), Err(invalid("arr", "string")));
        assert_eq!(p.required_str("message"), Ok("hi".into()));
        assert_eq!(p.required_str("n"), Ok("5".into()));
        assert_eq!(p.required_str("empty"), Err(missing("empty")));
        assert_eq!(p.required_str("nope"), Err(missing("nope")));
        assert_eq!(p.required_str("nul"), Err(missing("nul")));
        assert_eq!(p.required_str("arr"), Err(invalid("arr", "string")));
    }

    #[test]
    fn booleans() {
        let p = Params::from_urlencoded(b"a=true&b=FALSE&c=1&d=0&e=yes&f=%20True%20&g=&h=2");
        assert_eq!(p.bool("a"), Ok(Some(true)));
        assert_eq!(p.bool("b"), Ok(Some(false)));
        assert_eq!(p.bool("c"), Ok(Some(true)));
        assert_eq!(p.bool("d"), Ok(Some(false)));
        assert_eq!(p.bool("e"), Err(invalid("e", "boolean")));
        assert_eq!(p.bool("f"), Ok(Some(true)));
        assert_eq!(p.bool("g"), Ok(None));
        assert_eq!(p.bool("h"), Err(invalid("h", "boolean")));
        assert_eq!(p.bool("nope"), Ok(None));
        let mut p = Params::new();
        let body = br#"{"t":true,"f":false,"one":1,"zero":0,"two":2,"o":{},"s":"0"}"#;
        assert_eq!(p.extend_json_body(body), Ok(()));
        assert_eq!(p.bool("t"), Ok(Some(true)));
        assert_eq!(p.bool("f"), Ok(Some(false)));
        assert_eq!(p.bool("one"), Ok(Some(true)));
        assert_eq!(p.bool("zero"), Ok(Some(false)));
        assert_eq!(p.bool("s"), Ok(Some(false)));
        assert_eq!(p.bool("two"), Err(invalid("two", "boolean")));
        assert_eq!(p.bool("o"), Err(invalid("o", "boolean")));
    }

    #[test]
    fn integers() {
        let p = Params::from_urlencoded(
            b"a=25&b=-7&c=+3&d=%2012%20&e=1.5&f=abc&g=&h=99999999999999999999&i=4294967296&j=0x10",
        );
        assert_eq!(p.i64("a"), Ok(Some(25)));
        assert_eq!(p.i64("b"), Ok(Some(-7)));
        assert_eq!(p.i64("c"), Ok(Some(3)));
        assert_eq!(p.i64("d"), Ok(Some(12)));
        assert_eq!(p.i64("e"), Err(invalid("e", "integer")));
        assert_eq!(p.i64("f"), Err(invalid("f", "integer")));
        assert_eq!(p.i64("g"), Ok(None));
        assert_eq!(p.i64("h"), Err(invalid("h", "integer")));
        assert_eq!(p.i64("j"), Err(invalid("j", "integer")));
        assert_eq!(p.u32("a"), Ok(Some(25)));
        assert_eq!(p.u32("b"), Err(invalid("b", "integer")));
        assert_eq!(p.u32("i"), Err(invalid("i", "integer")));
        assert_eq!(p.u32("nope"), Ok(None));
        let mut p = Params::new();
        let body = br#"{"n":5,"f":5.0,"g":5.5,"big":18446744073709551615,"s":true,"huge":1e300}"#;
        assert_eq!(p.extend_json_body(body), Ok(()));
        assert_eq!(p.i64("n"), Ok(Some(5)));
        assert_eq!(p.i64("f"), Ok(Some(5)));
        assert_eq!(p.i64("g"), Err(invalid("g", "integer")));
        assert_eq!(p.i64("big"), Err(invalid("big", "integer")));
        assert_eq!(p.i64("s"), Err(invalid("s", "integer")));
        assert_eq!(p.i64("huge"), Err(invalid("huge", "integer")));
    }

    #[test]
    fn floats() {
        let p = Params::from_urlencoded(b"x=0.5&y=1&z=-2.5e-1&w=inf&v=NaN&u=1e999&t=abc&s=");
        assert_eq!(p.f64("x"), Ok(Some(0.5)));
        assert_eq!(p.f64("y"), Ok(Some(1.0)));
        assert_eq!(p.f64("z"), Ok(Some(-0.25)));
        for bad in ["w", "v", "u", "t"] {
            assert_eq!(p.f64(bad), Err(invalid(bad, "number")));
        }
        assert_eq!(p.f64("s"), Ok(None));
        let mut p = Params::new();
        p.insert("n", json!(0.8));
        p.insert("i", json!(3));
        p.insert("b", json!(false));
        assert_eq!(p.f64("n"), Ok(Some(0.8)));
        assert_eq!(p.f64("i"), Ok(Some(3.0)));
        assert_eq!(p.f64("b"), Err(invalid("b", "number")));
    }

    #[test]
    fn json_values() {
        // ref 001 L7800 (product_tags table)
        let p = Params::from_urlencoded(
            b"product_tags=[{product_id:'3231775643511089',x: 0.5,y: 0.8}]&bad=[1,&blank=%20&obj={a:1}&n=17841400008460056",
        );
        assert_eq!(
            p.json("product_tags"),
            Ok(Some(
                json!([{"product_id": "3231775643511089", "x": 0.5, "y": 0.8}])
            ))
        );
        assert_eq!(p.json("bad"), Err(invalid("bad", "JSON value")));
        assert_eq!(p.json("blank"), Ok(None));
        assert_eq!(p.json("n"), Ok(Some(json!(17841400008460056_u64))));
        assert_eq!(
            p.json_object("product_tags"),
            Err(invalid("product_tags", "JSON object"))
        );
        assert_eq!(p.json_array("obj"), Err(invalid("obj", "JSON array")));
        assert_eq!(p.json_array("bad"), Err(invalid("bad", "JSON array")));
        assert_eq!(p.json_object("nope"), Ok(None));
        let mut p = Params::new();
        p.insert("tags", json!([{"username": "natgeo"}]));
        assert_eq!(p.json("tags"), Ok(Some(json!([{"username": "natgeo"}]))));
        assert_eq!(
            p.json_array("tags").map(|v| v.map(|v| v.len())),
            Ok(Some(1))
        );
    }

    #[test]
    fn lists_in_every_spelling() {
        let expected = Some(vec!["a".to_owned(), "b".to_owned()]);
        let cases: &[&str] = &[
            "a,b",
            " a , b ,",
            "[a,b]",
            "[\"a\",\"b\"]",
            "['a','b']",
            "[‘a’,’b’]",
            "[“a”, “b”]",
            "'a','b'",
            "[a,,b,]",
            "[a, \"\", b]",
        ];
        for text in cases {
            let mut p = Params::new();
            p.insert_str("l", *text);
            assert_eq!(p.list("l"), Ok(expected.clone()), "{text:?}");
        }
    }

    #[test]
    fn documented_lists() {
        // ref 001 L368: collaborators= [‘username1’,’username2’]
        let mut p = Params::new();
        p.insert_str("collaborators", " [‘username1’,’username2’]");
        assert_eq!(
            p.list("collaborators"),
            Ok(Some(vec!["username1".into(), "username2".into()]))
        );
        // seed001a §1.3: children as "id1,id2,id3", [id1,id2] and a JSON array
        let ids = vec![
            "17889455560051444".to_owned(),
            "17889455560051445".to_owned(),
        ];
        for text in [
            "17889455560051444,17889455560051445",
            "[17889455560051444,17889455560051445]",
            "[\"17889455560051444\",\"17889455560051445\"]",
        ] {
            p.insert_str("children", text);
            assert_eq!(p.list("children"), Ok(Some(ids.clone())), "{text}");
        }
        p.insert(
            "children",
            json!([17889455560051444_u64, "17889455560051445"]),
        );
        assert_eq!(p.list("children"), Ok(Some(ids)));
    }

    #[test]
    fn list_edge_cases() {
        let mut p = Params::new();
        p.insert_str("one", "abc");
        p.insert_str("blank", "  ");
        p.insert_str("empty_list", "[]");
        p.insert_str("obj", "{a:1}");
        p.insert_str("broken", "[a,[b]");
        p.insert_str("nested", "[[1]]");
        p.insert("n", json!(5));
        p.insert("t", json!(true));
        p.insert("mixed", json!([1.5, false, null, " x "]));
        p.insert("jobj", json!({"a": 1}));
        p.insert("jnested", json!([{"a": 1}]));
        assert_eq!(p.list("one"), Ok(Some(vec!["abc".into()])));
        assert_eq!(p.list("blank"), Ok(None));
        assert_eq!(p.list("nope"), Ok(None));
        assert_eq!(p.list("empty_list"), Ok(Some(vec![])));
        assert_eq!(p.list("obj"), Err(invalid("obj", "list")));
        assert_eq!(p.list("broken"), Ok(Some(vec!["a".into(), "[b".into()])));
        assert_eq!(p.list("nested"), Err(invalid("nested", "list")));
        assert_eq!(p.list("n"), Ok(Some(vec!["5".into()])));
        assert_eq!(p.list("t"), Ok(Some(vec!["true".into()])));
        assert_eq!(
            p.list("mixed"),
            Ok(Some(vec!["1.5".into(), "false".into(), "x".into()]))
        );
        assert_eq!(p.list("jobj"), Err(invalid("jobj", "list")));
        assert_eq!(p.list("jnested"), Err(invalid("jnested", "list")));
    }

    #[test]
    fn query_string() {
        let mut p = Params::from_urlencoded(b"fields=id,media{id}&after=QVFI%3D%3D&q=a b");
        p.insert("limit", json!(25));
        p.insert("tags", json!([{"u": "x"}]));
        p.insert("gone", Value::Null);
        assert_eq!(
            p.to_query_string(),
            "fields=id%2Cmedia%7Bid%7D&after=QVFI%3D%3D&q=a+b&limit=25&tags=%5B%7B%22u%22%3A%22x%22%7D%5D"
        );
        let back = Params::from_urlencoded(p.to_query_string().as_bytes());
        assert_eq!(back.str("fields"), Ok(Some("id,media{id}".into())));
        assert_eq!(back.i64("limit"), Ok(Some(25)));
        assert_eq!(back.json("tags"), Ok(Some(json!([{"u": "x"}]))));
        assert!(!back.contains("gone"));
        assert_eq!(Params::new().to_query_string(), "");
    }

    #[test]
    fn insert_remove_contains() {
        let mut p = Params::new();
        assert!(p.is_empty());
        p.insert_str("a", "1");
        p.insert_str("b", "2");
        p.insert_str("c", "3");
        assert_eq!(p.remove("a"), Some(json!("1")));
        assert_eq!(p.remove("a"), None);
        assert!(!p.contains("a"));
        assert!(p.contains("b"));
        assert_eq!(p.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["b", "c"]);
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn error_display() {
        assert_eq!(
            missing("message").to_string(),
            "The parameter message is required"
        );
        assert_eq!(
            invalid("limit", "integer").to_string(),
            "Param limit must be an integer"
        );
        assert_eq!(
            invalid("hide", "boolean").to_string(),
            "Param hide must be a boolean"
        );
        assert_eq!(
            ParamError::Body {
                detail: "bad".into()
            }
            .to_string(),
            "bad"
        );
    }
}
