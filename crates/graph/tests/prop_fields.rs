//! Property tests for the `fields` expression language: canonical text round-trips, any
//! spacing or `.fields(...)` spelling of a selection parses to the same tree, and no input
//! (random text or a mutated valid expression) panics or reports a position outside it.

use graph::fields::MAX_DEPTH;
use graph::{FieldRequest, FieldSelection, FieldsSyntaxError, Modifier};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_]{1,8}"
}

/// A modifier argument the parser gives back unchanged: trimmed, not blank, no top-level
/// comma, brackets balanced (they may hold commas).
fn arg() -> impl Strategy<Value = String> {
    let atom = "[a-zA-Z0-9_=+/.:é -]{1,8}";
    prop_oneof![
        3 => atom.prop_map(|s| s.trim().to_owned()),
        1 => (atom, atom).prop_map(|(a, b)| format!("{{{a},{b}}}").trim().to_owned()),
        1 => (atom, atom).prop_map(|(a, b)| format!("x({a},[{b}])")),
    ]
    .prop_filter("blank argument", |s| !s.is_empty())
}

fn modifier() -> impl Strategy<Value = Modifier> {
    (
        name().prop_filter("fields is normalised away", |n| n != "fields"),
        prop::collection::vec(arg(), 0..3),
    )
        .prop_map(|(name, args)| Modifier { name, args })
}

fn selection() -> impl Strategy<Value = FieldSelection> {
    let leaf = prop::collection::vec(
        (name(), prop::collection::vec(modifier(), 0..3)).prop_map(|(name, modifiers)| {
            FieldRequest {
                name,
                modifiers,
                subfields: None,
            }
        }),
        0..4,
    )
    .prop_map(FieldSelection);
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop::collection::vec(
            (
                name(),
                prop::collection::vec(modifier(), 0..2),
                prop::option::of(inner),
            )
                .prop_map(|(name, modifiers, subfields)| FieldRequest {
                    name,
                    modifiers,
                    subfields,
                }),
            0..4,
        )
        .prop_map(FieldSelection)
    })
}

/// Renders a selection with `ws` around every token and, when `fields_call` is set, nested
/// selections as `.fields(...)`; both spellings must parse to the same tree.
fn render(sel: &FieldSelection, ws: &str, fields_call: bool, out: &mut String) {
    for (i, f) in sel.0.iter().enumerate() {
        if i > 0 {
            out.push_str(ws);
            out.push(',');
        }
        out.push_str(ws);
        out.push_str(&f.name);
        for m in &f.modifiers {
            out.push_str(&format!("{ws}.{ws}{}{ws}({ws}", m.name));
            out.push_str(&m.args.join(&format!("{ws},{ws}")));
            out.push_str(&format!("{ws})"));
        }
        if let Some(sub) = &f.subfields {
            let (open, close) = if fields_call {
                (format!("{ws}.{ws}fields{ws}("), ")")
            } else {
                (format!("{ws}{{"), "}")
            };
            out.push_str(&open);
            render(sub, ws, fields_call, out);
            out.push_str(ws);
            out.push_str(close);
        }
    }
    out.push_str(ws);
}

fn check_error(input: &str, e: &FieldsSyntaxError) {
    let len = input.chars().count();
    assert!(
        e.position <= len,
        "position {} > {len} for {input:?}",
        e.position
    );
    assert_eq!(e.input, input);
    assert_eq!(
        e.message(),
        format!(
            "Syntax error \"{}\" at character {}: {input}",
            e.detail, e.position
        )
    );
    assert!(
        e.detail == "Nesting too deep." || e.detail.starts_with("Expected "),
        "{:?}",
        e.detail
    );
}

/// Parses `input` and checks what must hold either way: errors are in range and well
/// formed; a successful parse round-trips through its canonical text.
fn check_any(input: &str) {
    match FieldSelection::parse(input) {
        Ok(sel) => {
            let text = sel.to_expression();
            assert_eq!(
                FieldSelection::parse(&text).as_ref(),
                Ok(&sel),
                "{input:?} -> {text:?}"
            );
        }
        Err(e) => check_error(input, &e),
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Insert(prop::sample::Index, char),
    Delete(prop::sample::Index),
    Replace(prop::sample::Index, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let c = prop_oneof![
        prop::sample::select(vec![
            '{', '}', '(', ')', '[', ']', ',', '.', ' ', 'a', '_', '9', 'é', '"'
        ]),
        any::<char>(),
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), c.clone()).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<prop::sample::Index>().prop_map(Edit::Delete),
        (any::<prop::sample::Index>(), c).prop_map(|(i, c)| Edit::Replace(i, c)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        match e {
            Edit::Insert(i, c) => {
                let at = i.index(chars.len() + 1);
                chars.insert(at, *c);
            }
            Edit::Delete(i) if !chars.is_empty() => {
                chars.remove(i.index(chars.len()));
            }
            Edit::Replace(i, c) if !chars.is_empty() => {
                let at = i.index(chars.len());
                chars[at] = *c;
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
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
    fn canonical_text_round_trips(sel in selection()) {
        let text = sel.to_expression();
        prop_assert_eq!(FieldSelection::parse(&text), Ok(sel));
    }

    #[test]
    fn whitespace_and_fields_call_spellings_parse_the_same(
        sel in selection(),
        ws in prop::sample::select(vec!["", " ", "\n", " \t "]),
        fields_call in any::<bool>(),
    ) {
        let mut text = String::new();
        render(&sel, ws, fields_call, &mut text);
        prop_assert_eq!(FieldSelection::parse(&text), Ok(sel));
    }

    #[test]
    fn lookups_agree_with_the_tree(sel in selection()) {
        let names: Vec<&str> = sel.names().collect();
        prop_assert_eq!(names.len(), sel.0.len());
        for f in &sel.0 {
            prop_assert!(sel.contains(&f.name));
            let first = sel.0.iter().find(|g| g.name == f.name);
            prop_assert_eq!(sel.get(&f.name), first);
            for m in &f.modifiers {
                let first = f.modifiers.iter().find(|n| n.name == m.name);
                prop_assert_eq!(f.modifier(&m.name), first);
                prop_assert_eq!(
                    f.modifier_arg(&m.name),
                    first.and_then(|m| m.args.first()).map(String::as_str)
                );
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(input in any::<String>()) {
        check_any(&input);
    }

    #[test]
    fn grammar_alphabet_text_never_panics(input in "[a-c_.,(){}\\[\\] é\n]{0,60}") {
        check_any(&input);
    }

    #[test]
    fn mutated_expressions_never_panic(
        sel in selection(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let mutated = apply(&sel.to_expression(), &edits);
        check_any(&mutated);
    }

    #[test]
    fn nesting_beyond_the_limit_is_an_error(depth in 0usize..40) {
        let text = format!("{}x{}", "a{".repeat(depth), "}".repeat(depth));
        let result = FieldSelection::parse(&text);
        if depth <= MAX_DEPTH {
            prop_assert!(result.is_ok());
        } else {
            let e = result.err();
            prop_assert_eq!(e.as_ref().map(|e| e.detail.as_str()), Some("Nesting too deep."));
            prop_assert_eq!(e.map(|e| e.position), Some(2 * MAX_DEPTH + 1));
        }
    }
}
