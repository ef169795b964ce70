//! The Graph API `fields` expression language.
//!
//! `fields` is a comma list of field names. An edge can carry modifiers (`.limit(5)`,
//! `.after(CURSOR)`, `.username(bluebottle)`, `.as(alias)`) and a nested selection, written
//! either `media{id,caption}` or `media.fields(id,caption)`; both parse to the same tree.
//! The parser is iterative with an explicit stack, so hostile input cannot exhaust the call
//! stack, and its errors carry Meta's own wording and 0-based character positions.

use std::fmt;
use std::str::FromStr;

/// Deepest nesting accepted, counting `{...}` blocks, `.fields(...)` calls and brackets inside
/// modifier arguments. Real clients stay far below it; deeper input is a syntax error.
pub const MAX_DEPTH: usize = 16;

/// A parsed `fields` expression: the requested fields in request order.
///
/// Duplicates are kept as sent; deciding what a repeated field means is the renderer's job.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSelection(pub Vec<FieldRequest>);

/// One requested field or edge, with its modifiers and nested selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRequest {
    pub name: String,
    /// In request order; `.fields(...)` is never here, it becomes `subfields`.
    pub modifiers: Vec<Modifier>,
    /// `None` when the field was named bare; `Some` (possibly empty) after `{...}`.
    pub subfields: Option<FieldSelection>,
}

/// An edge modifier such as `limit(5)`: its name and trimmed, non-blank arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modifier {
    pub name: String,
    pub args: Vec<String>,
}

/// A malformed `fields` expression, reported the way Meta reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldsSyntaxError {
    /// Meta's explanation, e.g. `Expected end of string instead of "}".`
    pub detail: String,
    /// 0-based character (not byte) index of the offending character, or the input's length
    /// in characters when the input ended too early.
    pub position: usize,
    /// The whole expression as received.
    pub input: String,
}

impl FieldSelection {
    /// Parses a `fields` value. Empty or whitespace-only input is an empty selection.
    pub fn parse(input: &str) -> Result<FieldSelection, FieldsSyntaxError> {
        Self::plain_list(input).map_or_else(|| Parser::new(input).run(), Ok)
    }

    /// The common case read directly: names separated by commas (blank items and spaces
    /// around names allowed), nothing else. Anything more, or anything wrong, is left to the
    /// parser, which answers exactly as for any selection.
    fn plain_list(input: &str) -> Option<FieldSelection> {
        let mut fields = Vec::with_capacity(input.len() / 6 + 1);
        for item in input.split(',') {
            let name = item.trim();
            if name.is_empty() {
                continue;
            }
            if !name.chars().all(is_name_char) {
                return None;
            }
            fields.push(FieldRequest::plain(name));
        }
        Some(FieldSelection(fields))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, FieldRequest> {
        self.0.iter()
    }

    /// The first request for `name`, if any.
    pub fn get(&self, name: &str) -> Option<&FieldRequest> {
        self.0.iter().find(|f| f.name == name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Requested names in request order, duplicates included.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|f| f.name.as_str())
    }

    /// Canonical text of the selection: no whitespace, modifiers before `{...}`, and
    /// `.fields(...)` written as `{...}`. `parse(to_expression(s)) == s` for any selection
    /// the parser can produce. Used to echo selections back into paging URLs.
    pub fn to_expression(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    /// A flat selection of plain names, as endpoints use for their default fields.
    pub fn from_names(names: &[&str]) -> FieldSelection {
        FieldSelection(names.iter().map(|n| FieldRequest::plain(n)).collect())
    }

    fn write_to(&self, out: &mut String) {
        for (i, field) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            field.write_to(out);
        }
    }
}

impl fmt::Display for FieldSelection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_expression())
    }
}

impl FromStr for FieldSelection {
    type Err = FieldsSyntaxError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FieldSelection::parse(s)
    }
}

impl<'a> IntoIterator for &'a FieldSelection {
    type Item = &'a FieldRequest;
    type IntoIter = std::slice::Iter<'a, FieldRequest>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FieldRequest {
    /// A bare field: no modifiers, no nested selection.
    pub fn plain(name: &str) -> FieldRequest {
        FieldRequest {
            name: name.to_owned(),
            modifiers: Vec::new(),
            subfields: None,
        }
    }

    /// The first modifier called `name`, if any.
    pub fn modifier(&self, name: &str) -> Option<&Modifier> {
        self.modifiers.iter().find(|m| m.name == name)
    }

    /// The first argument of the first modifier called `name`, e.g. `5` for `.limit(5)`.
    pub fn modifier_arg(&self, name: &str) -> Option<&str> {
        self.modifier(name)
            .and_then(|m| m.args.first())
            .map(String::as_str)
    }

    fn write_to(&self, out: &mut String) {
        out.push_str(&self.name);
        for modifier in &self.modifiers {
            out.push('.');
            out.push_str(&modifier.name);
            out.push('(');
            out.push_str(&modifier.args.join(","));
            out.push(')');
        }
        if let Some(sub) = &self.subfields {
            out.push('{');
            sub.write_to(out);
            out.push('}');
        }
    }
}

impl FieldsSyntaxError {
    /// Meta's message for error code 2500, e.g.
    /// `Syntax error "Expected end of string instead of "}"." at character 7: id,name}`.
    pub fn message(&self) -> String {
        format!(
            "Syntax error \"{}\" at character {}: {}",
            self.detail, self.position, self.input
        )
    }
}

impl fmt::Display for FieldsSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for FieldsSyntaxError {}

/// Field and modifier names: `[A-Za-z0-9_]+`.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn closer_of(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// How the offending spot is described in a detail: the character quoted, or end of string.
fn found(c: Option<char>) -> String {
    match c {
        Some(c) => format!("\"{c}\""),
        None => "end of string".to_owned(),
    }
}

/// One open selection: the top level, a `{...}` block or a `.fields(...)` call.
struct Frame {
    items: Vec<FieldRequest>,
    /// The character that closes this frame; `None` at the top level.
    closer: Option<char>,
    /// The field whose nested selection this frame collects, resumed once it closes.
    owner: Option<Open>,
}

/// A field still being read: more modifiers or a `{...}` block may follow.
struct Open {
    field: FieldRequest,
    /// A `{...}` block was already given; a second one is an error.
    braced: bool,
}

enum State {
    /// A field name, a comma (empty item) or the end of the current frame.
    ItemStart,
    /// After a field name (and maybe modifiers or a block).
    InItem(Open),
    /// After a finished field: a comma or the end of the current frame.
    AfterItem,
}

struct Parser<'a> {
    input: &'a str,
    chars: Vec<char>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(input: &'a str) -> Self {
        Parser {
            input,
            chars: input.chars().collect(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn error(&self, detail: String) -> FieldsSyntaxError {
        FieldsSyntaxError {
            detail,
            position: self.pos,
            input: self.input.to_owned(),
        }
    }

    /// `Expected <what> instead of <current char or end of string>.`
    fn expected(&self, what: &str) -> FieldsSyntaxError {
        self.error(format!(
            "Expected {what} instead of {}.",
            found(self.peek())
        ))
    }

    /// What a frame accepts where a comma could also go.
    fn frame_end(frame: &Frame) -> String {
        match frame.closer {
            Some(c) => format!("\"{c}\""),
            None => "end of string".to_owned(),
        }
    }

    fn name(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(is_name_char) {
            self.pos += 1;
        }
        self.chars
            .get(start..self.pos)
            .map(|s| s.iter().collect())
            .unwrap_or_default()
    }

    fn run(mut self) -> Result<FieldSelection, FieldsSyntaxError> {
        let mut stack = vec![Frame {
            items: Vec::new(),
            closer: None,
            owner: None,
        }];
        let mut state = State::ItemStart;
        loop {
            self.skip_ws();
            let c = self.peek();
            state = match state {
                State::ItemStart => match c {
                    Some(',') => {
                        self.pos += 1;
                        State::ItemStart
                    }
                    Some(ch) if is_name_char(ch) => State::InItem(Open {
                        field: FieldRequest::plain(&self.name()),
                        braced: false,
                    }),
                    // An empty item: let the frame decide whether this ends it.
                    None | Some('}' | ')' | ']') => State::AfterItem,
                    Some(_) => return Err(self.expected("field name")),
                },
                State::InItem(open) => match c {
                    Some('.') => {
                        self.pos += 1;
                        self.skip_ws();
                        let name = self.name();
                        if name.is_empty() {
                            return Err(self.expected("field name"));
                        }
                        self.skip_ws();
                        if self.peek() != Some('(') {
                            return Err(self.expected("\"(\""));
                        }
                        if name == "fields" {
                            self.open_frame(&mut stack, ')', open)?;
                            State::ItemStart
                        } else {
                            self.pos += 1;
                            let args = self.modifier_args()?;
                            let mut open = open;
                            open.field.modifiers.push(Modifier { name, args });
                            State::InItem(open)
                        }
                    }
                    Some('{') if !open.braced => {
                        self.open_frame(&mut stack, '}', open)?;
                        State::ItemStart
                    }
                    _ => {
                        if let Some(frame) = stack.last_mut() {
                            frame.items.push(open.field);
                        }
                        State::AfterItem
                    }
                },
                State::AfterItem => {
                    let Some(frame) = stack.last() else {
                        return Err(self.expected("end of string"));
                    };
                    match c {
                        Some(',') => {
                            self.pos += 1;
                            State::ItemStart
                        }
                        Some(ch) if frame.closer == Some(ch) => {
                            self.pos += 1;
                            match Self::close_frame(&mut stack, ch) {
                                Some(open) => State::InItem(open),
                                None => return Err(self.expected("end of string")),
                            }
                        }
                        None if frame.closer.is_none() => {
                            let items = stack.pop().map(|f| f.items).unwrap_or_default();
                            return Ok(FieldSelection(items));
                        }
                        _ => return Err(self.expected(&Self::frame_end(frame))),
                    }
                }
            };
        }
    }

    /// Opens a nested selection at the current `{` or `(`, owned by `owner`.
    fn open_frame(
        &mut self,
        stack: &mut Vec<Frame>,
        closer: char,
        owner: Open,
    ) -> Result<(), FieldsSyntaxError> {
        // The top-level frame is depth 0.
        if stack.len() > MAX_DEPTH {
            return Err(self.error("Nesting too deep.".to_owned()));
        }
        self.pos += 1;
        stack.push(Frame {
            items: Vec::new(),
            closer: Some(closer),
            owner: Some(owner),
        });
        Ok(())
    }

    /// Closes the innermost frame, hands its fields to their owner and returns the owner so
    /// further modifiers can follow (`media{id}.limit(2)`, `media.fields(id).limit(2)`).
    fn close_frame(stack: &mut Vec<Frame>, closer: char) -> Option<Open> {
        let frame = stack.pop()?;
        let mut open = frame.owner?;
        match &mut open.field.subfields {
            Some(existing) => existing.0.extend(frame.items),
            none => *none = Some(FieldSelection(frame.items)),
        }
        open.braced |= closer == '}';
        Some(open)
    }

    /// Reads modifier arguments after the opening `(` up to and including the matching `)`:
    /// raw text split on top-level commas, each trimmed, blanks dropped. Brackets inside must
    /// balance so that an argument such as `{a,b}` keeps its commas.
    fn modifier_args(&mut self) -> Result<Vec<String>, FieldsSyntaxError> {
        let mut args = Vec::new();
        let mut current = String::new();
        let mut nesting: Vec<char> = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                let want = nesting.last().copied().unwrap_or(')');
                return Err(self.expected(&format!("\"{want}\"")));
            };
            match c {
                '(' | '{' | '[' => {
                    if nesting.len() >= MAX_DEPTH {
                        return Err(self.error("Nesting too deep.".to_owned()));
                    }
                    nesting.push(closer_of(c));
                    current.push(c);
                }
                ')' | '}' | ']' => match nesting.last().copied() {
                    Some(want) if want == c => {
                        nesting.pop();
                        current.push(c);
                    }
                    Some(want) => return Err(self.expected(&format!("\"{want}\""))),
                    None if c == ')' => {
                        self.pos += 1;
                        push_arg(&mut args, &current);
                        return Ok(args);
                    }
                    None => return Err(self.expected("\")\"")),
                },
                ',' if nesting.is_empty() => {
                    push_arg(&mut args, &current);
                    current.clear();
                }
                _ => current.push(c),
            }
            self.pos += 1;
        }
    }
}

fn push_arg(args: &mut Vec<String>, raw: &str) {
    let arg = raw.trim();
    if !arg.is_empty() {
        args.push(arg.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The shortcut for plain lists answers exactly what the full parser answers, for
        /// lists and for what merely looks like one (spaces inside names, stray characters).
        #[test]
        fn plain_lists_read_as_the_parser_reads_them(input in "[a-z_ ,\t.{}()0-9]{0,24}") {
            let direct = FieldSelection::plain_list(&input);
            let parsed = Parser::new(&input).run();
            if let Some(direct) = direct {
                prop_assert_eq!(Ok(direct), parsed);
            }
        }
    }

    #[test]
    fn plain_lists_take_the_shortcut_and_anything_else_does_not() {
        let direct = FieldSelection::plain_list(" id, username,,followers_count ,");
        assert_eq!(
            direct.map(|s| s.names().map(str::to_string).collect::<Vec<_>>()),
            Some(vec![
                "id".into(),
                "username".into(),
                "followers_count".into()
            ])
        );
        for not_plain in ["media{id}", "media.limit(2)", "user name", "id,é"] {
            assert_eq!(FieldSelection::plain_list(not_plain), None, "{not_plain}");
        }
    }

    use super::*;

    fn parse(s: &str) -> FieldSelection {
        match FieldSelection::parse(s) {
            Ok(sel) => sel,
            Err(e) => panic!("{s:?} failed: {}", e.message()),
        }
    }

    fn err(s: &str) -> FieldsSyntaxError {
        match FieldSelection::parse(s) {
            Ok(sel) => panic!("{s:?} parsed as {sel:?}"),
            Err(e) => e,
        }
    }

    fn field(
        name: &str,
        modifiers: Vec<Modifier>,
        subfields: Option<FieldSelection>,
    ) -> FieldRequest {
        FieldRequest {
            name: name.to_owned(),
            modifiers,
            subfields,
        }
    }

    fn modifier(name: &str, args: &[&str]) -> Modifier {
        Modifier {
            name: name.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    fn names(names: &[&str]) -> Option<FieldSelection> {
        Some(FieldSelection::from_names(names))
    }

    #[test]
    fn plain_comma_list_in_order() {
        // ref 001 L1694-1697 (Graph overview: fields=id,name,email,picture)
        let sel = parse("id,name,email,picture");
        assert_eq!(
            sel,
            FieldSelection::from_names(&["id", "name", "email", "picture"])
        );
        assert_eq!(
            sel.names().collect::<Vec<_>>(),
            ["id", "name", "email", "picture"]
        );
        assert!(sel.contains("email"));
        assert!(!sel.contains("mail"));
        assert_eq!(sel.get("name"), Some(&FieldRequest::plain("name")));
        assert_eq!(sel.len(), 4);
    }

    #[test]
    fn empty_and_blank_input_is_an_empty_selection() {
        for input in ["", "   ", "\n\t", ",", " , ,, "] {
            let sel = parse(input);
            assert!(sel.is_empty(), "{input:?}");
            assert_eq!(sel, FieldSelection::default());
        }
    }

    #[test]
    fn empty_items_and_whitespace_are_ignored() {
        let expected = FieldSelection::from_names(&["id", "name"]);
        for input in [
            "id,,name",
            "id,name,",
            ",id,name",
            " id , name ",
            "id ,\n name,,\t",
        ] {
            assert_eq!(parse(input), expected, "{input:?}");
        }
    }

    #[test]
    fn duplicates_are_kept_in_order() {
        let sel = parse("id,caption,id");
        assert_eq!(sel.names().collect::<Vec<_>>(), ["id", "caption", "id"]);
    }

    #[test]
    fn business_discovery_example() {
        // ref 001 L800-910 (Business Discovery guide)
        let sel = parse(
            "business_discovery.username(bluebottle){followers_count,media_count,media{comments_count,like_count}}",
        );
        let expected = FieldSelection(vec![field(
            "business_discovery",
            vec![modifier("username", &["bluebottle"])],
            Some(FieldSelection(vec![
                FieldRequest::plain("followers_count"),
                FieldRequest::plain("media_count"),
                field("media", vec![], names(&["comments_count", "like_count"])),
            ])),
        )]);
        assert_eq!(sel, expected);
        let bd = sel.get("business_discovery");
        assert_eq!(
            bd.and_then(|f| f.modifier_arg("username")),
            Some("bluebottle")
        );
    }

    #[test]
    fn business_discovery_other_documented_forms() {
        // ref 001 L820 and L839
        let sel = parse("business_discovery.username(bluebottle){followers_count,media_count}");
        assert_eq!(
            sel.0[0].subfields,
            names(&["followers_count", "media_count"])
        );
        let sel =
            parse("business_discovery.username(bluebottle){followers_count,media_count,media}");
        assert_eq!(
            sel.0[0].subfields,
            names(&["followers_count", "media_count", "media"])
        );
        // ref 001 L877
        let sel = parse(
            "business_discovery.username(bluebottle){media{comments_count,like_count,view_count}}",
        );
        let inner = sel.0[0].subfields.as_ref().and_then(|s| s.get("media"));
        assert_eq!(
            inner.and_then(|m| m.subfields.clone()),
            names(&["comments_count", "like_count", "view_count"])
        );
    }

    #[test]
    fn mentioned_media_example() {
        // seed002-004 inventory §2: mentioned_media.media_id(ID){caption,media_type}
        let sel = parse("mentioned_media.media_id(17918195224117851){caption,media_type}");
        assert_eq!(
            sel,
            FieldSelection(vec![field(
                "mentioned_media",
                vec![modifier("media_id", &["17918195224117851"])],
                names(&["caption", "media_type"]),
            )])
        );
    }

    #[test]
    fn nested_expansion() {
        let sel = parse("media{id,caption,comments{text}}");
        assert_eq!(
            sel,
            FieldSelection(vec![field(
                "media",
                vec![],
                Some(FieldSelection(vec![
                    FieldRequest::plain("id"),
                    FieldRequest::plain("caption"),
                    field("comments", vec![], names(&["text"])),
                ])),
            )])
        );
    }

    #[test]
    fn chained_modifiers_keep_order() {
        let sel = parse("media.limit(2).after(abc){id}");
        let media = &sel.0[0];
        assert_eq!(
            media.modifiers,
            vec![modifier("limit", &["2"]), modifier("after", &["abc"])]
        );
        assert_eq!(media.modifier_arg("limit"), Some("2"));
        assert_eq!(media.modifier_arg("after"), Some("abc"));
        assert_eq!(media.modifier_arg("before"), None);
        assert_eq!(media.subfields, names(&["id"]));
    }

    #[test]
    fn modifiers_may_follow_the_block() {
        assert_eq!(parse("media{id}.limit(2)"), parse("media.limit(2){id}"));
    }

    #[test]
    fn fields_modifier_is_normalised_to_subfields() {
        assert_eq!(
            parse("media.fields(id,caption)"),
            parse("media{id,caption}")
        );
        assert_eq!(
            parse("media.fields(id,comments.fields(text)).limit(3)"),
            parse("media.limit(3){id,comments{text}}")
        );
        assert_eq!(parse("media.fields()"), parse("media{}"));
        assert_eq!(
            parse("media.fields(id).fields(caption)"),
            parse("media{id,caption}")
        );
        assert_eq!(
            parse("media.fields(id){caption}"),
            parse("media{id,caption}")
        );
    }

    #[test]
    fn as_alias_is_a_modifier() {
        let sel = parse("picture.as(avatar),name");
        assert_eq!(sel.0[0].modifier_arg("as"), Some("avatar"));
        assert_eq!(sel.0[0].modifiers, vec![modifier("as", &["avatar"])]);
    }

    #[test]
    fn modifier_args_are_trimmed_split_and_nested() {
        let sel = parse("x.m( a , b c ,, {d,e} ,(f,g) ,[h,i] )");
        assert_eq!(
            sel.0[0].modifiers,
            vec![modifier("m", &["a", "b c", "{d,e}", "(f,g)", "[h,i]"])]
        );
        assert_eq!(parse("x.m()").0[0].modifiers, vec![modifier("m", &[])]);
        assert_eq!(parse("x.m( , )").0[0].modifiers, vec![modifier("m", &[])]);
        // Cursors are opaque text.
        let sel = parse("comments.after(QVFIUmFZA2x3-_=){text}");
        assert_eq!(sel.0[0].modifier_arg("after"), Some("QVFIUmFZA2x3-_="));
    }

    #[test]
    fn whitespace_around_tokens_is_ignored() {
        assert_eq!(
            parse(" media . limit ( 2 ) { id , caption } , name "),
            parse("media.limit(2){id,caption},name")
        );
    }

    #[test]
    fn empty_block_is_some_empty() {
        assert_eq!(
            parse("media{}").0[0].subfields,
            Some(FieldSelection::default())
        );
        assert_eq!(parse("media{,}"), parse("media{}"));
    }

    #[test]
    fn documented_error_example() {
        let e = err("id,name}");
        assert_eq!(e.detail, "Expected end of string instead of \"}\".");
        assert_eq!(e.position, 7);
        assert_eq!(e.input, "id,name}");
        assert_eq!(
            e.message(),
            "Syntax error \"Expected end of string instead of \"}\".\" at character 7: id,name}"
        );
        assert_eq!(e.to_string(), e.message());
    }

    #[track_caller]
    fn assert_err(input: &str, detail: &str, position: usize) {
        let e = err(input);
        assert_eq!(
            (e.detail.as_str(), e.position),
            (detail, position),
            "{input:?}"
        );
    }

    #[test]
    fn error_details_and_positions() {
        assert_err("}", "Expected end of string instead of \"}\".", 0);
        assert_err("id,}", "Expected end of string instead of \"}\".", 3);
        assert_err("id)", "Expected end of string instead of \")\".", 2);
        assert_err("id name", "Expected end of string instead of \"n\".", 3);
        assert_err("na-me", "Expected end of string instead of \"-\".", 2);
        assert_err("media{id)", "Expected \"}\" instead of \")\".", 8);
        assert_err("media{id caption}", "Expected \"}\" instead of \"c\".", 9);
        assert_err("media{id", "Expected \"}\" instead of end of string.", 8);
        assert_err("media{id,", "Expected \"}\" instead of end of string.", 9);
        assert_err("a{b{c}", "Expected \"}\" instead of end of string.", 6);
        assert_err(
            "media{id}{caption}",
            "Expected end of string instead of \"{\".",
            9,
        );
        assert_err(
            "media.limit(5",
            "Expected \")\" instead of end of string.",
            13,
        );
        assert_err(
            "media.fields(id",
            "Expected \")\" instead of end of string.",
            15,
        );
        assert_err("media.fields(id}", "Expected \")\" instead of \"}\".", 15);
        assert_err("x.m({a)", "Expected \"}\" instead of \")\".", 6);
        assert_err("x.m({a", "Expected \"}\" instead of end of string.", 6);
        assert_err("x.m(a})", "Expected \")\" instead of \"}\".", 5);
        assert_err("{a}", "Expected field name instead of \"{\".", 0);
        assert_err("a.{", "Expected field name instead of \"{\".", 2);
        assert_err("a.(x)", "Expected field name instead of \"(\".", 2);
        assert_err("a.", "Expected field name instead of end of string.", 2);
        assert_err("a, -b", "Expected field name instead of \"-\".", 3);
        assert_err("a.limit", "Expected \"(\" instead of end of string.", 7);
        assert_err("a.limit,b", "Expected \"(\" instead of \",\".", 7);
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        assert_err("é,ü}", "Expected field name instead of \"é\".", 0);
        assert_err("id,naïve", "Expected end of string instead of \"ï\".", 5);
        assert_err("a.m(日本)}", "Expected end of string instead of \"}\".", 7);
        assert_eq!(parse("a.m(日本)").0[0].modifier_arg("m"), Some("日本"));
    }

    #[test]
    fn nesting_limit() {
        let ok = format!("{}x{}", "a{".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        assert!(FieldSelection::parse(&ok).is_ok());
        let deep = format!(
            "{}x{}",
            "a{".repeat(MAX_DEPTH + 1),
            "}".repeat(MAX_DEPTH + 1)
        );
        assert_err(&deep, "Nesting too deep.", 2 * MAX_DEPTH + 1);
        let deep_fields = format!("{}x", "a.fields(".repeat(MAX_DEPTH + 1));
        assert_eq!(err(&deep_fields).detail, "Nesting too deep.");
        let deep_args = format!("a.m({}", "(".repeat(MAX_DEPTH + 1));
        assert_eq!(err(&deep_args).detail, "Nesting too deep.");
        // Hostile input is rejected quickly, without recursion.
        let hostile = "a{".repeat(100_000);
        assert_eq!(err(&hostile).detail, "Nesting too deep.");
    }

    #[test]
    fn to_expression_is_canonical() {
        let sel = parse(" media . fields ( id , caption ) . limit ( 2 ) , business_discovery.username(bluebottle){followers_count} ,id");
        assert_eq!(
            sel.to_expression(),
            "media.limit(2){id,caption},business_discovery.username(bluebottle){followers_count},id"
        );
        assert_eq!(parse(&sel.to_expression()), sel);
        assert_eq!(sel.to_string(), sel.to_expression());
        assert_eq!(FieldSelection::default().to_expression(), "");
        assert_eq!(parse("media{}").to_expression(), "media{}");
        assert_eq!(parse("x.m( a ,,b )").to_expression(), "x.m(a,b)");
    }

    #[test]
    fn from_str_matches_parse() {
        let sel: FieldSelection = "id,media{id}".parse().unwrap_or_default();
        assert_eq!(sel, parse("id,media{id}"));
    }
}
