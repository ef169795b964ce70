//! Welcome message flows as Meta gives them back (ref 000 L977-1087): the flow, sent as a JSON
//! array of `{message}`, comes back as a JSON string in which quick replies list `title`,
//! `content_type`, `payload` in that order and titles over 20 characters are cut to 20 and
//! `...`; platforms come back in upper case.

use graph::GraphError;
use serde_json::{Map, Value};

use super::body::parse_message;
use super::rules::QUICK_REPLY_TITLE_CHARS;

/// The platforms a flow may be offered on.
pub const PLATFORMS: &[&str] = &["instagram"];

/// A quick reply title as the flow shows it.
pub fn shown_title(title: &str) -> String {
    if title.chars().count() > QUICK_REPLY_TITLE_CHARS {
        let cut: String = title.chars().take(QUICK_REPLY_TITLE_CHARS).collect();
        format!("{cut}...")
    } else {
        title.to_string()
    }
}

/// Checks each step's `message` as the Send API would and returns the flow's JSON text.
pub fn canonical_flow(value: &Value) -> Result<String, GraphError> {
    let name = "welcome_message_flow";
    let steps = match value.as_array() {
        Some(steps) if !steps.is_empty() => steps,
        Some(_) => return Err(GraphError::param_required(name)),
        None => return Err(GraphError::param_invalid(name, "a JSON array")),
    };
    let mut out = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        let message = step
            .get("message")
            .and_then(Value::as_object)
            .ok_or_else(|| GraphError::param_required(&format!("{name}[{i}][message]")))?;
        let parsed = parse_message(message)?;
        let mut canonical = Map::new();
        for (key, v) in message {
            if key == "quick_replies" {
                let replies: Vec<Value> = parsed
                    .quick_replies
                    .iter()
                    .map(|q| {
                        let mut q = q.clone();
                        q.title = q.title.as_deref().map(shown_title);
                        q.to_json()
                    })
                    .collect();
                canonical.insert(key.clone(), Value::Array(replies));
            } else {
                canonical.insert(key.clone(), v.clone());
            }
        }
        let mut wrapped = Map::new();
        wrapped.insert("message".into(), Value::Object(canonical));
        out.push(Value::Object(wrapped));
    }
    Ok(Value::Array(out).to_string())
}

/// `eligible_platforms` in upper case, each once.
pub fn platforms(value: &[String]) -> Result<Vec<String>, GraphError> {
    let mut out: Vec<String> = Vec::new();
    for (i, p) in value.iter().enumerate() {
        let lower = p.to_ascii_lowercase();
        if !PLATFORMS.contains(&lower.as_str()) {
            return Err(GraphError::param_not_one_of(
                &format!("eligible_platforms[{i}]"),
                PLATFORMS,
                p,
            ));
        }
        let upper = lower.to_ascii_uppercase();
        if !out.contains(&upper) {
            out.push(upper);
        }
    }
    if out.is_empty() {
        return Err(GraphError::param_required("eligible_platforms"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_sample_flow_comes_back_as_documented() {
        // ref 000 L1104-1126 in, L1009 out (sample 000-ig-user-welcome-message-flows-get-L977).
        let input = json!([{"message": {"text": "Learn more about our summer sale!", "quick_replies": [
            {"content_type": "text", "title": "I am interested!", "payload": "summer-sale-interest"},
            {"content_type": "text", "title": "I have another question.", "payload": "another-question"}
        ]}}]);
        assert_eq!(
            canonical_flow(&input).unwrap(),
            r#"[{"message":{"text":"Learn more about our summer sale!","quick_replies":[{"title":"I am interested!","content_type":"text","payload":"summer-sale-interest"},{"title":"I have another quest...","content_type":"text","payload":"another-question"}]}}]"#
        );
        assert_eq!(
            canonical_flow(&json!([{"message": {"text": "Welcome to our community!"}}])).unwrap(),
            r#"[{"message":{"text":"Welcome to our community!"}}]"#
        );
    }

    #[test]
    fn titles_are_cut_after_20_characters() {
        assert_eq!(shown_title("I am interested!"), "I am interested!");
        assert_eq!(shown_title("12345678901234567890"), "12345678901234567890");
        assert_eq!(
            shown_title("123456789012345678901"),
            "12345678901234567890..."
        );
    }

    #[test]
    fn steps_are_checked_like_sends() {
        assert!(canonical_flow(&json!([])).is_err());
        assert!(canonical_flow(&json!([{"text": "no message key"}])).is_err());
        assert!(canonical_flow(&json!([{"message": {"text": "x".repeat(1001)}}])).is_err());
        assert_eq!(platforms(&["instagram".into()]).unwrap(), ["INSTAGRAM"]);
        assert!(platforms(&["whatsapp".into()]).is_err());
    }
}
