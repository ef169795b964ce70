//! Feeds the same bytes to every parameter decoder: urlencoded (then re-encoded and decoded
//! again), a JSON body, relaxed JSON (whose value must survive being printed as JSON), and
//! every typed getter on whatever came out.
#![no_main]

use graph::relaxed::parse_relaxed;
use graph::{ParamError, Params};
use libfuzzer_sys::fuzz_target;

fn exercise(p: &Params) {
    for (name, _) in p.iter() {
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
                assert!(matches!(&s, Ok(None)) || s == Ok(Some(String::new())))
            }
            Err(e) => assert_eq!(Err(e), s),
        }
        if let Ok(Some(u)) = u {
            assert_eq!(i, Ok(Some(i64::from(u))));
        }
    }
    let _ = p.to_query_string();
}

fuzz_target!(|data: &[u8]| {
    let query = Params::from_urlencoded(data);
    exercise(&query);
    let encoded = query.to_query_string();
    assert_eq!(Params::from_urlencoded(encoded.as_bytes()), query);

    let mut body = Params::new();
    if body.extend_json_body(data).is_ok() {
        exercise(&body);
    }

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_relaxed(text) {
        Ok(value) => {
            let json = value.to_string();
            assert_eq!(
                parse_relaxed(&json).as_ref(),
                Ok(&value),
                "{text:?} -> {json}"
            );
        }
        Err(e) => assert!(e.position <= text.chars().count(), "{text:?}: {e:?}"),
    }
    let mut single = Params::new();
    single.insert_str("v", text);
    exercise(&single);
});
