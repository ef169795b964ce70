//! The messenger profile's two fields (ref 000 L1236-1580): the persistent menu, a list of
//! `{locale, call_to_actions}` with `web_url` and `postback` buttons, and the ice breakers,
//! at most 4 questions per locale, taken flat or grouped by locale and always given back
//! grouped. Reading and checking them is pure; storing them is `store::messenger_profiles`.

use graph::GraphError;
use serde_json::{json, Map, Value};

use super::body::parse_button;
use super::rules::{
    ICE_BREAKERS_MAX, MENU_ITEMS_MAX, MENU_TITLE_MAX_CHARS, PAYLOAD_MAX_CHARS, QUESTION_MAX_CHARS,
};

pub const PERSISTENT_MENU: &str = "persistent_menu";
pub const ICE_BREAKERS: &str = "ice_breakers";
/// The fields Instagram's messenger profile has.
pub const FIELDS: &[&str] = &[PERSISTENT_MENU, ICE_BREAKERS];
/// The locale a flat ice breaker list belongs to, and every menu needs.
pub const DEFAULT_LOCALE: &str = "default";

fn text(
    object: &Map<String, Value>,
    key: &str,
    name: &str,
    max: usize,
) -> Result<String, GraphError> {
    let value = match object.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(GraphError::param_required(&format!("{name}[{key}]")))
        }
        Some(_) => {
            return Err(GraphError::param_invalid(
                &format!("{name}[{key}]"),
                "a string",
            ))
        }
    };
    if value.chars().count() > max {
        return Err(GraphError::param_too_long(&format!("{name}[{key}]"), max));
    }
    Ok(value)
}

fn items<'a>(value: &'a Value, name: &str) -> Result<&'a Vec<Value>, GraphError> {
    match value.as_array() {
        Some(items) if !items.is_empty() => Ok(items),
        Some(_) => Err(GraphError::param_required(name)),
        None => Err(GraphError::param_invalid(name, "a JSON array")),
    }
}

fn object<'a>(value: &'a Value, name: &str) -> Result<&'a Map<String, Value>, GraphError> {
    value
        .as_object()
        .ok_or_else(|| GraphError::param_invalid(name, "a JSON object"))
}

/// Reads `persistent_menu`: locales each once, `default` among them, at most 20 buttons each;
/// `composer_input_disabled` and `webview_height_ratio` are not available on Instagram
/// (ref 000 L1291-1303).
pub fn parse_persistent_menu(value: &Value) -> Result<Value, GraphError> {
    let mut out = Vec::new();
    let mut locales: Vec<String> = Vec::new();
    for (i, menu) in items(value, PERSISTENT_MENU)?.iter().enumerate() {
        let name = format!("{PERSISTENT_MENU}[{i}]");
        let menu = object(menu, &name)?;
        if menu.contains_key("composer_input_disabled") {
            return Err(GraphError::invalid_parameter(
                "composer_input_disabled is not available for Instagram",
            ));
        }
        let locale = text(menu, "locale", &name, 64)?;
        if locales.contains(&locale) {
            return Err(GraphError::invalid_parameter(&format!(
                "The locale {locale} appears more than once in {PERSISTENT_MENU}"
            )));
        }
        let actions_name = format!("{name}[call_to_actions]");
        let actions = items(
            menu.get("call_to_actions").unwrap_or(&Value::Null),
            &actions_name,
        )?;
        if actions.len() > MENU_ITEMS_MAX {
            return Err(GraphError::too_many_items(&actions_name, MENU_ITEMS_MAX));
        }
        let mut buttons = Vec::with_capacity(actions.len());
        for (j, action) in actions.iter().enumerate() {
            let bname = format!("{actions_name}[{j}]");
            let action = object(action, &bname)?;
            if action.contains_key("webview_height_ratio") {
                return Err(GraphError::invalid_parameter(
                    "webview_height_ratio is not available for Instagram",
                ));
            }
            buttons.push(parse_button(action, &bname, MENU_TITLE_MAX_CHARS)?);
        }
        locales.push(locale.clone());
        out.push(json!({"locale": locale, "call_to_actions": buttons}));
    }
    if !locales.iter().any(|l| l == DEFAULT_LOCALE) {
        return Err(GraphError::invalid_parameter(
            "persistent_menu must include the default locale",
        ));
    }
    Ok(Value::Array(out))
}

fn questions(value: &Value, name: &str) -> Result<Vec<Value>, GraphError> {
    let list = items(value, name)?;
    if list.len() > ICE_BREAKERS_MAX {
        return Err(GraphError::too_many_items(name, ICE_BREAKERS_MAX));
    }
    list.iter()
        .enumerate()
        .map(|(i, q)| {
            let qname = format!("{name}[{i}]");
            let q = object(q, &qname)?;
            let question = text(q, "question", &qname, QUESTION_MAX_CHARS)?;
            let payload = text(q, "payload", &qname, PAYLOAD_MAX_CHARS)?;
            Ok(json!({"question": question, "payload": payload}))
        })
        .collect()
}

/// Reads `ice_breakers`, flat (`[{question, payload}]`, ref 000 L1462-1473) or grouped
/// (`[{call_to_actions, locale}]`, the shape the read answers, L1510-1545), into the grouped
/// shape: at most 4 questions per locale.
pub fn parse_ice_breakers(value: &Value) -> Result<Value, GraphError> {
    let list = items(value, ICE_BREAKERS)?;
    let grouped = list
        .iter()
        .any(|item| item.get("call_to_actions").is_some() || item.get("locale").is_some());
    if !grouped {
        let qs = questions(value, ICE_BREAKERS)?;
        return Ok(json!([{"call_to_actions": qs, "locale": DEFAULT_LOCALE}]));
    }
    let mut out = Vec::with_capacity(list.len());
    let mut locales: Vec<String> = Vec::new();
    for (i, group) in list.iter().enumerate() {
        let name = format!("{ICE_BREAKERS}[{i}]");
        let group = object(group, &name)?;
        let locale = match group.get("locale") {
            None | Some(Value::Null) => DEFAULT_LOCALE.to_string(),
            Some(_) => text(group, "locale", &name, 64)?,
        };
        if locales.contains(&locale) {
            return Err(GraphError::invalid_parameter(&format!(
                "The locale {locale} appears more than once in {ICE_BREAKERS}"
            )));
        }
        let qs = questions(
            group.get("call_to_actions").unwrap_or(&Value::Null),
            &format!("{name}[call_to_actions]"),
        )?;
        locales.push(locale.clone());
        out.push(json!({"call_to_actions": qs, "locale": locale}));
    }
    Ok(Value::Array(out))
}

/// The read's `data`: the ice breakers alone come as their locale groups (ref 000 L1510-1545);
/// otherwise one object holds each requested field that is set (ref 000 L1391-1419).
pub fn read_data(
    requested: &[&str],
    menu: Option<Value>,
    ice_breakers: Option<Value>,
) -> Vec<Value> {
    if requested == [ICE_BREAKERS] {
        return match ice_breakers {
            Some(Value::Array(groups)) => groups,
            _ => Vec::new(),
        };
    }
    let mut object = Map::new();
    for field in requested {
        let value = match *field {
            PERSISTENT_MENU => menu.clone(),
            ICE_BREAKERS => ice_breakers.clone(),
            _ => None,
        };
        if let Some(value) = value {
            object.insert((*field).to_string(), value);
        }
    }
    if object.is_empty() {
        Vec::new()
    } else {
        vec![Value::Object(object)]
    }
}

/// The title a tap on `payload` shows: the ice breaker's question or the menu item's title.
pub fn title_for(
    payload: &str,
    menu: Option<&Value>,
    ice_breakers: Option<&Value>,
) -> Option<String> {
    let from = |value: Option<&Value>, key: &str| -> Option<String> {
        value?.as_array()?.iter().find_map(|group| {
            group
                .get("call_to_actions")?
                .as_array()?
                .iter()
                .find_map(|item| {
                    (item.get("payload")?.as_str()? == payload)
                        .then(|| item.get(key)?.as_str().map(str::to_string))
                        .flatten()
                })
        })
    };
    from(ice_breakers, "question").or_else(|| from(menu, "title"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_menu() -> Value {
        // ref 000 L1336-1358.
        json!([{"locale": "default", "call_to_actions": [
            {"type": "postback", "title": "Talk to an agent", "payload": "CARE_HELP"},
            {"type": "postback", "title": "Outfit suggestions", "payload": "CURATION"},
            {"type": "web_url", "title": "Shop now", "url": "https://www.originalcoastclothing.com/"}
        ]}])
    }

    #[test]
    fn the_sample_menu_reads_back_unchanged() {
        assert_eq!(
            parse_persistent_menu(&sample_menu()).unwrap(),
            sample_menu()
        );
    }

    #[test]
    fn menus_refuse_what_instagram_lacks() {
        let mut menu = sample_menu();
        menu[0]["composer_input_disabled"] = json!(true);
        assert!(parse_persistent_menu(&menu).is_err());
        let mut menu = sample_menu();
        menu[0]["call_to_actions"][2]["webview_height_ratio"] = json!("full");
        assert!(parse_persistent_menu(&menu).is_err());
        let nested = json!([{"locale": "default", "call_to_actions": [{"type": "nested", "title": "More"}]}]);
        assert!(parse_persistent_menu(&nested).is_err());
        let french_only = json!([{"locale": "fr_FR", "call_to_actions": [{"type": "postback", "title": "Aide", "payload": "H"}]}]);
        assert!(parse_persistent_menu(&french_only).is_err());
        let many: Vec<Value> = (0..21)
            .map(|i| json!({"type": "postback", "title": format!("t{i}"), "payload": "p"}))
            .collect();
        assert!(
            parse_persistent_menu(&json!([{"locale": "default", "call_to_actions": many}]))
                .is_err()
        );
    }

    #[test]
    fn ice_breakers_are_grouped_and_at_most_four() {
        // ref 000 L1462-1473 in, L1510-1545 out.
        let flat = json!([{"question": "What is your favorite sport?", "payload": "Q1"}, {"question": "What is the capital of USA?", "payload": "Q2"}]);
        assert_eq!(
            parse_ice_breakers(&flat).unwrap(),
            json!([{"call_to_actions": flat, "locale": "default"}])
        );
        let four: Vec<Value> = (0..4)
            .map(|i| json!({"question": format!("Q{i}?"), "payload": format!("P{i}")}))
            .collect();
        assert!(parse_ice_breakers(&json!(four)).is_ok());
        let five: Vec<Value> = (0..5)
            .map(|i| json!({"question": format!("Q{i}?"), "payload": format!("P{i}")}))
            .collect();
        assert_eq!(
            parse_ice_breakers(&json!(five)).unwrap_err().message,
            "(#100) Param ice_breakers must have at most 4 items"
        );
        let grouped = json!([{"call_to_actions": four, "locale": "en_US"}, {"call_to_actions": [{"question": "¿Hola?", "payload": "H"}], "locale": "es_ES"}]);
        assert_eq!(parse_ice_breakers(&grouped).unwrap(), grouped);
    }

    #[test]
    fn reads_wrap_the_menu_but_not_the_ice_breakers() {
        let groups =
            json!([{"call_to_actions": [{"question": "Q", "payload": "P"}], "locale": "default"}]);
        assert_eq!(
            read_data(&[ICE_BREAKERS], None, Some(groups.clone())),
            groups.as_array().unwrap().clone()
        );
        assert_eq!(
            read_data(&[PERSISTENT_MENU], Some(sample_menu()), None),
            vec![json!({"persistent_menu": sample_menu()})]
        );
        assert!(read_data(&[PERSISTENT_MENU], None, Some(groups.clone())).is_empty());
        assert_eq!(
            title_for("P", Some(&sample_menu()), Some(&groups)).as_deref(),
            Some("Q")
        );
        assert_eq!(
            title_for("CURATION", Some(&sample_menu()), Some(&groups)).as_deref(),
            Some("Outfit suggestions")
        );
        assert_eq!(title_for("nope", Some(&sample_menu()), None), None);
    }
}
