//! Property tests for parameter decoding and relaxed JSON: urlencoded round trips, JSON
//! bodies, relaxed JSON as a superset of JSON (also with unquoted keys, single quotes and
//! bare words), and typed getters that never panic on any value.

use graph::relaxed::parse_relaxed;
use graph::{ParamError, Params};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{Map, Number, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |x| Number::from_f64(x).map(Value::Number)),
        prop_oneof![
            any::<String>(),
            "[a-z_][a-z0-9_]{0,8}",
            "[ ‘’“”'\"\\\\a]{0,6}"
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (prop_oneof![any::<String>(), "[a-z_][a-z0-9_]{0,8}"], inner),
                0..5
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn single_quoted(s: &str, out: &mut String) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c => out.push(c),
        }
    }
    out.push('\'');
}

/// Prints `v` the way the docs write parameters: unquoted keys where possible, single
/// quotes, trailing commas, and (if `bare`) identifier-like strings without quotes.
fn relaxed_text(v: &Value, bare: bool, out: &mut String) {
    match v {
        Value::Object(map) => {
            out.push_str("{ ");
            for (k, v) in map {
                if is_ident(k) {
                    out.push_str(k);
                } else {
                    single_quoted(k, out);
                }
                out.push_str(": ");
                relaxed_text(v, bare, out);
                out.push_str(", ");
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for item in items {
                relaxed_text(item, bare, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::String(s)
            if bare && is_ident(s) && !matches!(s.as_str(), "true" | "false" | "null") =>
        {
            out.push_str(s)
        }
        Value::String(s) => single_quoted(s, out),
        other => out.push_str(&other.to_string()),
    }
}

/// Calls every typed getter; none may panic, and they must agree with each other.
fn exercise(p: &Params, name: &str) {
    let s = p.str(name);
    let _ = p.bool(name);
    let i = p.i64(name);
    let u = p.u32(name);
    let _ = p.f64(name);
    let _ = p.json(name);
    let _ = p.json_object(name);
    let _ = p.json_array(name);
    let _ = p.list(name);
    match p.required_str(name) {
        Ok(r) => assert_eq!(s, Ok(Some(r))),
        Err(ParamError::Missing { .. }) => {
            assert!(matches!(s, Ok(None)) || s == Ok(Some(String::new())))
        }
        Err(e) => assert_eq!(Err(e), s),
    }
    if let Ok(Some(u)) = u {
        assert_eq!(i, Ok(Some(i64::from(u))));
    }
}

/// 512 cases by default; `PROPTEST_CASES` raises it for a longer soak.
fn config() -> ProptestConfig {
    let base = ProptestConfig::default();
    ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            base.cases
        } else {
            512
        },
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..base
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn urlencoded_round_trips(pairs in prop::collection::vec((any::<String>(), any::<String>()), 0..8)) {
        let mut p = Params::new();
        for (k, v) in &pairs {
            p.insert_str(k.as_str(), v.as_str());
        }
        let text = p.to_query_string();
        prop_assert!(text.is_ascii());
        prop_assert_eq!(Params::from_urlencoded(text.as_bytes()), p);
    }

    #[test]
    fn later_urlencoded_values_win(a in "[a-z]{1,4}", x in ".*", y in ".*") {
        let mut p = Params::new();
        p.insert_str(a.as_str(), x.as_str());
        let first = p.to_query_string();
        p.insert_str(a.as_str(), y.as_str());
        let second = p.to_query_string();
        let mut merged = Params::from_urlencoded(first.as_bytes());
        merged.extend_urlencoded(second.as_bytes());
        prop_assert_eq!(merged.get(&a), Some(&Value::String(y)));
        prop_assert_eq!(merged.len(), 1);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let p = Params::from_urlencoded(&bytes);
        for (name, _) in p.iter() {
            exercise(&p, name);
        }
        let mut q = Params::new();
        let _ = q.extend_json_body(&bytes);
        for (name, _) in q.iter() {
            exercise(&q, name);
        }
    }

    #[test]
    fn json_object_bodies_become_params(v in json_value()) {
        let body = serde_json::to_vec(&v).unwrap_or_default();
        let mut p = Params::new();
        let result = p.extend_json_body(&body);
        // serde_json's own float parsing (not `v`) is what a body decodes to.
        let decoded: Value = serde_json::from_slice(&body).unwrap_or_default();
        match &decoded {
            Value::Object(map) => {
                prop_assert_eq!(result, Ok(()));
                prop_assert_eq!(p.len(), map.len());
                for (k, value) in map {
                    prop_assert_eq!(p.get(k), Some(value));
                    exercise(&p, k);
                }
            }
            _ => {
                let is_body_error = matches!(result, Err(ParamError::Body { .. }));
                prop_assert!(is_body_error);
            }
        }
    }

    #[test]
    fn getters_never_panic_on_any_value(v in json_value()) {
        let mut p = Params::new();
        p.insert("v", v.clone());
        exercise(&p, "v");
        // The same value as text, as it would arrive in a query string.
        p.insert_str("t", v.to_string());
        exercise(&p, "t");
        if !v.is_null() {
            prop_assert_eq!(p.json("t"), Ok(Some(v)));
        }
    }

    #[test]
    fn getters_never_panic_on_any_text(s in any::<String>()) {
        let mut p = Params::new();
        p.insert_str("s", s);
        exercise(&p, "s");
    }

    #[test]
    fn integer_text_reads_back(n in any::<i64>(), pad in "[ \t]{0,2}") {
        let mut p = Params::new();
        p.insert_str("n", format!("{pad}{n}{pad}"));
        prop_assert_eq!(p.i64("n"), Ok(Some(n)));
        prop_assert_eq!(p.str("n"), Ok(Some(format!("{pad}{n}{pad}"))));
        p.insert("n", Value::from(n));
        prop_assert_eq!(p.i64("n"), Ok(Some(n)));
        let expected = match u32::try_from(n) {
            Ok(u) => Ok(Some(u)),
            Err(_) => Err(ParamError::Invalid { name: "n".into(), expected: "integer" }),
        };
        prop_assert_eq!(p.u32("n"), expected);
    }

    #[test]
    fn float_text_reads_back(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
        let mut p = Params::new();
        p.insert_str("x", x.to_string());
        prop_assert_eq!(p.f64("x"), Ok(Some(x)));
    }

    #[test]
    fn list_spellings_agree(
        items in prop::collection::vec(
            "[A-Za-z_][A-Za-z0-9_.]{0,9}".prop_filter("JSON literal", |s| !matches!(s.as_str(), "true" | "false" | "null")),
            0..6,
        )
    ) {
        let expected = (!items.is_empty()).then(|| items.clone());
        let quoted = |q: (&str, &str)| {
            items.iter().map(|i| format!("{}{i}{}", q.0, q.1)).collect::<Vec<_>>().join(",")
        };
        let spellings = [
            items.join(","),
            format!("[{}]", items.join(",")),
            format!("[{}]", quoted(("\"", "\""))),
            format!("[{}]", quoted(("'", "'"))),
            format!("[{}]", quoted(("‘", "’"))),
            quoted(("“", "”")),
        ];
        let mut p = Params::new();
        for text in spellings {
            p.insert_str("l", text.as_str());
            let got = p.list("l");
            if text.starts_with('[') {
                prop_assert_eq!(got, Ok(Some(items.clone())), "{}", text);
            } else {
                prop_assert_eq!(got, Ok(expected.clone()), "{}", text);
            }
        }
        p.insert("l", Value::from(items.clone()));
        prop_assert_eq!(p.list("l"), Ok(Some(items)));
    }

    #[test]
    fn id_lists_keep_every_digit(ids in prop::collection::vec("[1-9][0-9]{0,18}", 1..6)) {
        let mut p = Params::new();
        for text in [ids.join(","), format!("[{}]", ids.join(", "))] {
            p.insert_str("children", text);
            prop_assert_eq!(p.list("children"), Ok(Some(ids.clone())));
        }
        let numbers: Vec<Value> = ids.iter().filter_map(|i| i.parse::<u64>().ok()).map(Value::from).collect();
        p.insert("children", Value::Array(numbers));
        prop_assert_eq!(p.list("children"), Ok(Some(ids)));
    }

    #[test]
    fn relaxed_reads_any_json(v in json_value()) {
        let compact = serde_json::to_string(&v).unwrap_or_default();
        prop_assert_eq!(parse_relaxed(&compact), Ok(v.clone()));
        let pretty = serde_json::to_string_pretty(&v).unwrap_or_default();
        prop_assert_eq!(parse_relaxed(&pretty), Ok(v));
    }

    #[test]
    fn relaxed_reads_the_docs_spelling(v in json_value(), bare in any::<bool>()) {
        let mut text = String::new();
        relaxed_text(&v, bare, &mut text);
        prop_assert_eq!(parse_relaxed(&text), Ok(v), "{}", text);
    }

    #[test]
    fn relaxed_never_panics(input in any::<String>()) {
        if let Err(e) = parse_relaxed(&input) {
            prop_assert!(e.position <= input.chars().count());
        }
    }

    #[test]
    fn relaxed_never_panics_on_json_like_text(input in "[\\[\\]{}:,'\"‘’“” a1.e\\-\\\\u]{0,60}") {
        if let Err(e) = parse_relaxed(&input) {
            prop_assert!(e.position <= input.chars().count());
        }
    }
}
