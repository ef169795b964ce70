//! Parses arbitrary UTF-8 as a `fields` expression. A parse must round-trip through its
//! canonical text; an error must point inside the input and carry Meta's message shape.
#![no_main]

use graph::FieldSelection;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match FieldSelection::parse(input) {
        Ok(selection) => {
            let text = selection.to_expression();
            let again = FieldSelection::parse(&text);
            assert_eq!(again.as_ref(), Ok(&selection), "{input:?} -> {text:?}");
            assert_eq!(selection.to_expression(), text);
        }
        Err(e) => {
            assert!(e.position <= input.chars().count(), "{input:?}: {e:?}");
            assert_eq!(e.input, input);
            assert!(e.message().starts_with("Syntax error \""));
        }
    }
});
