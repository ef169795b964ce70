//! The `message` object of the Send API (and of welcome message flows), read and checked
//! against every documented shape and limit before anything is stored: text, attachments by
//! URL or by `attachment_id`, the `like_heart` sticker, a published post (`MEDIA_SHARE`), the
//! generic and button templates, quick replies and the multi-image beta (ref 000 L392-902,
//! L1739-1774; 004 L1122-1126). Fetching URLs and checking ownership happen later, against the
//! store and the network; this module only reads the JSON.

use graph::GraphError;
use serde_json::{json, Map, Value};

use super::rules::{
    BUTTONS_MAX, BUTTON_TEXT_MAX_CHARS, BUTTON_TITLE_MAX_CHARS, ELEMENTS_MAX,
    ELEMENT_TEXT_MAX_CHARS, IMAGES_PER_MESSAGE_MAX, PAYLOAD_MAX_CHARS, QUICK_REPLIES_MAX,
    TEXT_MAX_BYTES,
};

/// The kinds of media a message carries (ref 000 L542-651; `file` from the public docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Audio,
    Video,
    File,
}

impl MediaKind {
    pub fn parse(text: &str) -> Option<MediaKind> {
        Some(match text.to_ascii_lowercase().as_str() {
            "image" => MediaKind::Image,
            "audio" => MediaKind::Audio,
            "video" => MediaKind::Video,
            "file" => MediaKind::File,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
            MediaKind::File => "file",
        }
    }
}

/// One attachment of an outgoing message.
#[derive(Debug, Clone, PartialEq)]
pub enum OutAttachment {
    /// Media fetched from a public URL; `is_reusable` also saves it as an uploaded asset.
    Url {
        kind: MediaKind,
        url: String,
        is_reusable: bool,
    },
    /// Media uploaded before with the Attachment Upload API.
    Uploaded {
        kind: MediaKind,
        attachment_id: String,
    },
    /// The heart sticker (ref 000 L652-691).
    LikeHeart,
    /// One of the account's published posts (ref 000 L842-874).
    MediaShare { media_id: String },
    /// A generic or button template, as validated (ref 000 L392-474).
    Template(Value),
}

/// A quick reply offered with a message (ref 000 L722-773).
#[derive(Debug, Clone, PartialEq)]
pub struct QuickReply {
    pub content_type: String,
    pub title: Option<String>,
    pub payload: Option<String>,
}

impl QuickReply {
    /// Meta's order of the keys when it shows a quick reply back (ref 000 L1010).
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        if let Some(title) = &self.title {
            object.insert("title".into(), json!(title));
        }
        object.insert("content_type".into(), json!(self.content_type));
        if let Some(payload) = &self.payload {
            object.insert("payload".into(), json!(payload));
        }
        Value::Object(object)
    }
}

/// An outgoing message, read and checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outgoing {
    pub text: Option<String>,
    pub attachments: Vec<OutAttachment>,
    pub quick_replies: Vec<QuickReply>,
    /// Several images in one message (the multi-image beta).
    pub multi_image: bool,
}

fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).filter(|v| !v.is_null())
}

/// A string field; numbers are taken as their digits (ids in the docs' bodies are sometimes
/// unquoted, ref 000 L441-462, L774-808).
fn text_of(value: &Value, name: &str) -> Result<String, GraphError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(GraphError::param_invalid(name, "a string")),
    }
}

fn required_text(object: &Map<String, Value>, key: &str, name: &str) -> Result<String, GraphError> {
    match field(object, key) {
        None => Err(GraphError::param_required(name)),
        Some(value) => {
            let text = text_of(value, name)?;
            if text.trim().is_empty() {
                return Err(GraphError::param_required(name));
            }
            Ok(text)
        }
    }
}

fn optional_text(
    object: &Map<String, Value>,
    key: &str,
    name: &str,
) -> Result<Option<String>, GraphError> {
    field(object, key).map(|v| text_of(v, name)).transpose()
}

fn max_chars(text: &str, name: &str, max: usize) -> Result<(), GraphError> {
    if text.chars().count() > max {
        return Err(GraphError::param_too_long(name, max));
    }
    Ok(())
}

fn object_of<'a>(value: &'a Value, name: &str) -> Result<&'a Map<String, Value>, GraphError> {
    value
        .as_object()
        .ok_or_else(|| GraphError::param_invalid(name, "a JSON object"))
}

fn array_of<'a>(value: &'a Value, name: &str) -> Result<&'a Vec<Value>, GraphError> {
    value
        .as_array()
        .ok_or_else(|| GraphError::param_invalid(name, "a JSON array"))
}

/// `true`/`false` as JSON or text (the docs print `"true"` in quotes, ref 000 L1760).
fn flag(value: Option<&Value>, name: &str) -> Result<bool, GraphError> {
    match value {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") || s == "1" => Ok(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") || s == "0" => Ok(false),
        Some(_) => Err(GraphError::param_invalid(name, "a boolean")),
    }
}

fn http_url(text: &str, name: &str) -> Result<String, GraphError> {
    let valid = text.is_ascii()
        && !text.chars().any(|c| c.is_ascii_control() || c == ' ')
        && reqwest::Url::parse(text)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !valid {
        return Err(GraphError::param_invalid(name, "a valid URL"));
    }
    Ok(text.to_string())
}

/// Reads the Send API's `message` object.
pub fn parse_message(message: &Map<String, Value>) -> Result<Outgoing, GraphError> {
    let text = match field(message, "text") {
        None => None,
        Some(value) => {
            let text = match value {
                Value::String(s) if !s.is_empty() => s.clone(),
                _ => {
                    return Err(GraphError::param_invalid(
                        "message[text]",
                        "a non-empty UTF-8 encoded string",
                    ))
                }
            };
            if text.len() > TEXT_MAX_BYTES {
                return Err(GraphError::param_too_long("message[text]", TEXT_MAX_BYTES));
            }
            Some(text)
        }
    };
    let single = field(message, "attachment");
    let several = field(message, "attachments");
    if single.is_some() && several.is_some() {
        return Err(GraphError::message_body_conflict(
            "Only one of message[attachment] and message[attachments] can be set",
        ));
    }
    if text.is_some() && (single.is_some() || several.is_some()) {
        return Err(GraphError::message_body_conflict(
            "Only one of message[text] and message[attachment] can be set",
        ));
    }
    let mut out = Outgoing {
        text,
        ..Outgoing::default()
    };
    if let Some(value) = single {
        out.attachments.push(parse_attachment(
            object_of(value, "message[attachment]")?,
            "message[attachment]",
        )?);
    }
    if let Some(value) = several {
        let items = array_of(value, "message[attachments]")?;
        if items.is_empty() {
            return Err(GraphError::param_required("message[attachments]"));
        }
        if items.len() > IMAGES_PER_MESSAGE_MAX {
            return Err(GraphError::too_many_items(
                "message[attachments]",
                IMAGES_PER_MESSAGE_MAX,
            ));
        }
        for (i, item) in items.iter().enumerate() {
            let name = format!("message[attachments][{i}]");
            let attachment = parse_attachment(object_of(item, &name)?, &name)?;
            let image = matches!(
                attachment,
                OutAttachment::Url {
                    kind: MediaKind::Image,
                    ..
                } | OutAttachment::Uploaded {
                    kind: MediaKind::Image,
                    ..
                }
            );
            if !image {
                return Err(GraphError::param_invalid(
                    &format!("{name}[type]"),
                    "image: only images can be sent several at once",
                ));
            }
            out.attachments.push(attachment);
        }
        out.multi_image = true;
    }
    if out.text.is_none() && out.attachments.is_empty() {
        return Err(GraphError::param_required(
            "message[text] or message[attachment]",
        ));
    }
    if let Some(value) = field(message, "quick_replies") {
        out.quick_replies = parse_quick_replies(array_of(value, "message[quick_replies]")?)?;
    }
    Ok(out)
}

fn parse_quick_replies(items: &[Value]) -> Result<Vec<QuickReply>, GraphError> {
    if items.is_empty() {
        return Err(GraphError::param_required("message[quick_replies]"));
    }
    if items.len() > QUICK_REPLIES_MAX {
        return Err(GraphError::too_many_items(
            "message[quick_replies]",
            QUICK_REPLIES_MAX,
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let name = format!("message[quick_replies][{i}]");
        let object = object_of(item, &name)?;
        let content_type = required_text(object, "content_type", &format!("{name}[content_type]"))?;
        match content_type.as_str() {
            "text" => {
                let title = required_text(object, "title", &format!("{name}[title]"))?;
                let payload = required_text(object, "payload", &format!("{name}[payload]"))?;
                max_chars(&payload, &format!("{name}[payload]"), PAYLOAD_MAX_CHARS)?;
                // Titles over 20 characters are shown cut, not refused (public docs).
                out.push(QuickReply {
                    content_type,
                    title: Some(title),
                    payload: Some(payload),
                });
            }
            "user_phone_number" | "user_email" => {
                let payload = optional_text(object, "payload", &format!("{name}[payload]"))?;
                out.push(QuickReply {
                    content_type,
                    title: None,
                    payload,
                });
            }
            other => {
                return Err(GraphError::param_not_one_of(
                    &format!("{name}[content_type]"),
                    &["text", "user_phone_number", "user_email"],
                    other,
                ))
            }
        }
    }
    Ok(out)
}

const ATTACHMENT_TYPES: &[&str] = &[
    "image",
    "audio",
    "video",
    "file",
    "like_heart",
    "MEDIA_SHARE",
    "template",
];

fn parse_attachment(object: &Map<String, Value>, name: &str) -> Result<OutAttachment, GraphError> {
    let kind = required_text(object, "type", &format!("{name}[type]"))?;
    let payload_name = format!("{name}[payload]");
    let payload = field(object, "payload");
    if let Some(media) = MediaKind::parse(&kind) {
        let payload = object_of(
            payload.ok_or_else(|| GraphError::param_required(&payload_name))?,
            &payload_name,
        )?;
        let url = optional_text(payload, "url", &format!("{payload_name}[url]"))?;
        let id = optional_text(
            payload,
            "attachment_id",
            &format!("{payload_name}[attachment_id]"),
        )?;
        let is_reusable = flag(
            payload.get("is_reusable"),
            &format!("{payload_name}[is_reusable]"),
        )?;
        return match (url, id) {
            (Some(url), None) => Ok(OutAttachment::Url {
                kind: media,
                url: http_url(&url, &format!("{payload_name}[url]"))?,
                is_reusable,
            }),
            (None, Some(attachment_id)) => Ok(OutAttachment::Uploaded {
                kind: media,
                attachment_id,
            }),
            (Some(_), Some(_)) => Err(GraphError::message_body_conflict(&format!(
                "Only one of {payload_name}[url] and {payload_name}[attachment_id] can be set"
            ))),
            (None, None) => Err(GraphError::param_required(&format!(
                "{payload_name}[url] or {payload_name}[attachment_id]"
            ))),
        };
    }
    match kind.to_ascii_lowercase().as_str() {
        "like_heart" => Ok(OutAttachment::LikeHeart),
        "media_share" => {
            let payload = object_of(
                payload.ok_or_else(|| GraphError::param_required(&payload_name))?,
                &payload_name,
            )?;
            let media_id = required_text(payload, "id", &format!("{payload_name}[id]"))?;
            Ok(OutAttachment::MediaShare { media_id })
        }
        "template" => {
            let payload = object_of(
                payload.ok_or_else(|| GraphError::param_required(&payload_name))?,
                &payload_name,
            )?;
            Ok(OutAttachment::Template(parse_template(
                payload,
                &payload_name,
            )?))
        }
        _ => Err(GraphError::param_not_one_of(
            &format!("{name}[type]"),
            ATTACHMENT_TYPES,
            &kind,
        )),
    }
}

fn parse_template(payload: &Map<String, Value>, name: &str) -> Result<Value, GraphError> {
    let template_type = required_text(payload, "template_type", &format!("{name}[template_type]"))?;
    match template_type.as_str() {
        "button" => {
            let text = required_text(payload, "text", &format!("{name}[text]"))?;
            max_chars(&text, &format!("{name}[text]"), BUTTON_TEXT_MAX_CHARS)?;
            let buttons = field(payload, "buttons")
                .ok_or_else(|| GraphError::param_required(&format!("{name}[buttons]")))?;
            let buttons = parse_buttons(
                array_of(buttons, &format!("{name}[buttons]"))?,
                &format!("{name}[buttons]"),
                true,
            )?;
            Ok(json!({"template_type": "button", "text": text, "buttons": buttons}))
        }
        "generic" => {
            let elements = field(payload, "elements")
                .ok_or_else(|| GraphError::param_required(&format!("{name}[elements]")))?;
            let elements = array_of(elements, &format!("{name}[elements]"))?;
            if elements.is_empty() {
                return Err(GraphError::param_required(&format!("{name}[elements]")));
            }
            if elements.len() > ELEMENTS_MAX {
                return Err(GraphError::too_many_items(
                    &format!("{name}[elements]"),
                    ELEMENTS_MAX,
                ));
            }
            let mut out = Vec::with_capacity(elements.len());
            for (i, element) in elements.iter().enumerate() {
                let ename = format!("{name}[elements][{i}]");
                out.push(parse_element(object_of(element, &ename)?, &ename)?);
            }
            Ok(json!({"template_type": "generic", "elements": out}))
        }
        other => Err(GraphError::param_not_one_of(
            &format!("{name}[template_type]"),
            &["generic", "button"],
            other,
        )),
    }
}

fn parse_element(element: &Map<String, Value>, name: &str) -> Result<Value, GraphError> {
    let title = required_text(element, "title", &format!("{name}[title]"))?;
    max_chars(&title, &format!("{name}[title]"), ELEMENT_TEXT_MAX_CHARS)?;
    let mut out = Map::new();
    out.insert("title".into(), json!(title));
    if let Some(subtitle) = optional_text(element, "subtitle", &format!("{name}[subtitle]"))? {
        max_chars(
            &subtitle,
            &format!("{name}[subtitle]"),
            ELEMENT_TEXT_MAX_CHARS,
        )?;
        out.insert("subtitle".into(), json!(subtitle));
    }
    if let Some(image_url) = optional_text(element, "image_url", &format!("{name}[image_url]"))? {
        out.insert(
            "image_url".into(),
            json!(http_url(&image_url, &format!("{name}[image_url]"))?),
        );
    }
    if let Some(action) = field(element, "default_action") {
        let aname = format!("{name}[default_action]");
        let action = object_of(action, &aname)?;
        let kind = required_text(action, "type", &format!("{aname}[type]"))?;
        if kind != "web_url" {
            return Err(GraphError::param_not_one_of(
                &format!("{aname}[type]"),
                &["web_url"],
                &kind,
            ));
        }
        let url = http_url(
            &required_text(action, "url", &format!("{aname}[url]"))?,
            &format!("{aname}[url]"),
        )?;
        out.insert(
            "default_action".into(),
            json!({"type": "web_url", "url": url}),
        );
    }
    if let Some(buttons) = field(element, "buttons") {
        let bname = format!("{name}[buttons]");
        out.insert(
            "buttons".into(),
            json!(parse_buttons(array_of(buttons, &bname)?, &bname, false)?),
        );
    }
    // A card needs something besides its title (public docs).
    if out.len() == 1 {
        return Err(GraphError::param_required(&format!(
            "{name}[subtitle], {name}[image_url], {name}[default_action] or {name}[buttons]"
        )));
    }
    Ok(Value::Object(out))
}

/// Template buttons: `web_url` and `postback` (ref 000 L1304-1369), at most three.
fn parse_buttons(items: &[Value], name: &str, required: bool) -> Result<Vec<Value>, GraphError> {
    if required && items.is_empty() {
        return Err(GraphError::param_required(name));
    }
    if items.len() > BUTTONS_MAX {
        return Err(GraphError::too_many_items(name, BUTTONS_MAX));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            parse_button(
                object_of(item, &format!("{name}[{i}]"))?,
                &format!("{name}[{i}]"),
                BUTTON_TITLE_MAX_CHARS,
            )
        })
        .collect()
}

/// One `web_url` or `postback` button; `title_max` differs between templates and menus.
pub fn parse_button(
    button: &Map<String, Value>,
    name: &str,
    title_max: usize,
) -> Result<Value, GraphError> {
    let kind = required_text(button, "type", &format!("{name}[type]"))?;
    let title = required_text(button, "title", &format!("{name}[title]"))?;
    max_chars(&title, &format!("{name}[title]"), title_max)?;
    match kind.as_str() {
        "web_url" => {
            let url = http_url(
                &required_text(button, "url", &format!("{name}[url]"))?,
                &format!("{name}[url]"),
            )?;
            Ok(json!({"type": "web_url", "title": title, "url": url}))
        }
        "postback" => {
            let payload = required_text(button, "payload", &format!("{name}[payload]"))?;
            max_chars(&payload, &format!("{name}[payload]"), PAYLOAD_MAX_CHARS)?;
            Ok(json!({"type": "postback", "title": title, "payload": payload}))
        }
        other => Err(GraphError::param_not_one_of(
            &format!("{name}[type]"),
            &["web_url", "postback"],
            other,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: Value) -> Result<Outgoing, GraphError> {
        parse_message(value.as_object().unwrap())
    }

    fn message(e: Result<Outgoing, GraphError>) -> String {
        e.err().map(|e| e.message).unwrap_or_default()
    }

    #[test]
    fn text_is_at_most_1000_bytes() {
        assert!(parse(json!({"text": "x".repeat(1000)})).is_ok());
        // Multi-byte characters count in bytes: 334 × "é" (2 bytes) is 668, 501 is 1002.
        assert!(parse(json!({"text": "é".repeat(500)})).is_ok());
        assert_eq!(
            message(parse(json!({"text": "é".repeat(501)}))),
            "(#100) Length of param message[text] must be less than or equal to 1000"
        );
        assert!(parse(json!({"text": ""})).is_err());
        assert_eq!(
            message(parse(json!({}))),
            "(#100) The parameter message[text] or message[attachment] is required"
        );
    }

    #[test]
    fn every_documented_attachment_reads() {
        // ref 000 L542-585 (image), L586-651 (audio, video), L652-691 (sticker),
        // L809-841 (uploaded asset), L842-874 (MEDIA_SHARE).
        let image = parse(
            json!({"attachment": {"type": "image", "payload": {"url": "https://x.example/a.png"}}}),
        )
        .unwrap();
        assert_eq!(
            image.attachments,
            [OutAttachment::Url {
                kind: MediaKind::Image,
                url: "https://x.example/a.png".into(),
                is_reusable: false
            }]
        );
        let audio = parse(json!({"attachment": {"type": "audio", "payload": {"url": "http://127.0.0.1/a.mp4", "is_reusable": "true"}}})).unwrap();
        assert!(matches!(
            audio.attachments[0],
            OutAttachment::Url {
                kind: MediaKind::Audio,
                is_reusable: true,
                ..
            }
        ));
        let uploaded =
            parse(json!({"attachment": {"type": "image", "payload": {"attachment_id": 1234}}}))
                .unwrap();
        assert_eq!(
            uploaded.attachments,
            [OutAttachment::Uploaded {
                kind: MediaKind::Image,
                attachment_id: "1234".into()
            }]
        );
        assert_eq!(
            parse(json!({"attachment": {"type": "like_heart"}}))
                .unwrap()
                .attachments,
            [OutAttachment::LikeHeart]
        );
        assert_eq!(
            parse(json!({"attachment": {"type": "MEDIA_SHARE", "payload": {"id": "179"}}}))
                .unwrap()
                .attachments,
            [OutAttachment::MediaShare {
                media_id: "179".into()
            }]
        );
        assert!(message(parse(json!({"attachment": {"type": "sticker"}})))
            .starts_with("(#100) Param message[attachment][type] must be one of"));
        assert!(
            parse(json!({"attachment": {"type": "image", "payload": {"url": "ftp://x"}}})).is_err()
        );
        assert!(parse(json!({"text": "hi", "attachment": {"type": "like_heart"}})).is_err());
    }

    fn button(i: usize) -> Value {
        json!({"type": "postback", "title": format!("Option {i}"), "payload": format!("P{i}")})
    }

    #[test]
    fn the_button_template_has_at_most_three_buttons() {
        // ref 000 L398-400.
        let three: Vec<Value> = (0..3).map(button).collect();
        let ok = parse(
            json!({"attachment": {"type": "template", "payload": {"template_type": "button", "text": "Pick", "buttons": three}}}),
        );
        assert!(ok.is_ok());
        let four: Vec<Value> = (0..4).map(button).collect();
        assert_eq!(
            message(parse(
                json!({"attachment": {"type": "template", "payload": {"template_type": "button", "text": "Pick", "buttons": four}}})
            )),
            "(#100) Param message[attachment][payload][buttons] must have at most 3 items"
        );
        let long = json!({"type": "web_url", "title": "x".repeat(21), "url": "https://a.example"});
        assert!(message(parse(json!({"attachment": {"type": "template", "payload": {"template_type": "button", "text": "Pick", "buttons": [long]}}}))).contains("[title] must be less than or equal to 20"));
    }

    #[test]
    fn the_generic_template_has_at_most_ten_elements() {
        let element = |i: usize| json!({"title": format!("Card {i}"), "subtitle": "s", "buttons": [button(i)]});
        let ten: Vec<Value> = (0..10).map(element).collect();
        assert!(parse(json!({"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": ten}}})).is_ok());
        let eleven: Vec<Value> = (0..11).map(element).collect();
        assert!(message(parse(json!({"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": eleven}}}))).ends_with("must have at most 10 items"));
        let bare = json!([{"title": "only a title"}]);
        assert!(parse(json!({"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": bare}}})).is_err());
        let long = json!([{"title": "x".repeat(81), "subtitle": "s"}]);
        assert!(parse(json!({"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": long}}})).is_err());
    }

    #[test]
    fn quick_replies_are_at_most_thirteen() {
        // ref 000 L722-773.
        let qr = |i: usize| json!({"content_type": "text", "title": format!("Answer number {i} is long"), "payload": format!("P{i}")});
        let thirteen: Vec<Value> = (0..13).map(qr).collect();
        let ok = parse(json!({"text": "Pick", "quick_replies": thirteen})).unwrap();
        assert_eq!(ok.quick_replies.len(), 13);
        assert_eq!(
            ok.quick_replies[0].to_json(),
            json!({"title": "Answer number 0 is long", "content_type": "text", "payload": "P0"})
        );
        let fourteen: Vec<Value> = (0..14).map(qr).collect();
        assert_eq!(
            message(parse(json!({"text": "Pick", "quick_replies": fourteen}))),
            "(#100) Param message[quick_replies] must have at most 13 items"
        );
        assert!(
            parse(json!({"text": "Pick", "quick_replies": [{"content_type": "location"}]}))
                .is_err()
        );
    }

    #[test]
    fn several_images_make_a_multi_image_message() {
        let image = json!({"type": "image", "payload": {"url": "https://x.example/a.png"}});
        let two = parse(json!({"attachments": [image.clone(), image.clone()]})).unwrap();
        assert!(two.multi_image);
        let eleven: Vec<Value> = (0..11).map(|_| image.clone()).collect();
        assert!(parse(json!({"attachments": eleven})).is_err());
        let video = json!({"type": "video", "payload": {"url": "https://x.example/a.mp4"}});
        assert!(parse(json!({"attachments": [image, video]})).is_err());
    }
}
