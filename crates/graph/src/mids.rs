//! Message ids (`mid`) shaped like Meta's: `ig_dm_item:1:IGMessageID:<scoped id>:<thread>:
//! <item>` in base64, with Meta's escapes (`Z` as `ZA`, `+` as `ZB`, `/` as `ZC`, `=` as
//! `ZD`), so every sample's `aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOj` prefix comes out the same
//! (ref 000 L422, seed000 §1.3). The thread and item parts come from the conversation id and
//! the message's position in it, so a mid is unique and never changes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// What every mid starts with: the encoding of `ig_dm_item:1:IGMessageID:`.
pub const MID_PREFIX: &str = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOj";

/// The 21 leading digits of Meta's thread ids in the samples.
const THREAD_PREFIX: &str = "340282366841710301244";

/// The mid of the `seq`-th message of a conversation, seen by the person `scoped_id`.
pub fn mid(scoped_id: &str, conversation_id: &str, seq: i64) -> String {
    let thread = format!("{THREAD_PREFIX}{conversation_id:0>18}");
    let item = format!("323{conversation_id:0>17}{seq:015}");
    escape(&STANDARD.encode(format!(
        "ig_dm_item:1:IGMessageID:{scoped_id}:{thread}:{item}"
    )))
}

/// Meta's escaping of base64 into letters and digits only.
fn escape(base64: &str) -> String {
    let mut out = String::with_capacity(base64.len() + 8);
    for c in base64.chars() {
        match c {
            'Z' => out.push_str("ZA"),
            '+' => out.push_str("ZB"),
            '/' => out.push_str("ZC"),
            '=' => out.push_str("ZD"),
            other => out.push(other),
        }
    }
    out
}

/// Meta's escaping undone.
fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == 'Z' {
            out.push(match chars.next()? {
                'A' => 'Z',
                'B' => '+',
                'C' => '/',
                'D' => '=',
                _ => return None,
            });
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Where a mid of ours points: `(conversation id, seq)`; `None` for anything else.
pub fn position(mid: &str) -> Option<(String, i64)> {
    if !looks_like_mid(mid) {
        return None;
    }
    let bytes = STANDARD.decode(unescape(mid)?).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let item = text.rsplit(':').next()?;
    if item.len() != 35 || !item.starts_with("323") || !item.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let conversation = item[3..20].trim_start_matches('0').to_string();
    let seq = item[20..].parse().ok()?;
    Some((conversation, seq))
}

/// Whether a path segment is a message id (the dispatcher addresses nodes by numeric ids
/// otherwise).
pub fn looks_like_mid(text: &str) -> bool {
    text.len() > MID_PREFIX.len()
        && text.len() <= 400
        && text.starts_with(MID_PREFIX)
        && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unescape(text: &str) -> String {
        super::unescape(text).unwrap()
    }

    #[test]
    fn mids_decode_like_the_samples() {
        // ref 000 L418-422: the sample mid decodes to ig_dm_item:1:IGMessageID:<id>:<thread>:<item>.
        let sample = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjEyNTAyNDAyNjQwOTMwOjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI1ODE4NzUxOTk3OTcyODI5MjozMjM4NzQ4MDk1NTU2NDIxMjIzNDE1NjY3NTg0NzY4NDA5NgZDZD";
        let decoded = STANDARD.decode(unescape(sample)).unwrap();
        assert!(String::from_utf8(decoded)
            .unwrap()
            .starts_with("ig_dm_item:1:IGMessageID:12502402640930:"));
        assert!(looks_like_mid(sample));

        let ours = mid("5200000000000001", "18100000000000042", 7);
        assert!(ours.starts_with(MID_PREFIX), "{ours}");
        assert!(looks_like_mid(&ours));
        let text = String::from_utf8(STANDARD.decode(unescape(&ours)).unwrap()).unwrap();
        let parts: Vec<&str> = text.split(':').collect();
        assert_eq!(
            parts[..4],
            ["ig_dm_item", "1", "IGMessageID", "5200000000000001"]
        );
        assert_eq!(parts[4].len(), 39);
        assert!(parts[5].ends_with("000000000000007"));
        assert_eq!(position(&ours), Some(("18100000000000042".to_string(), 7)));
        // Meta's mids decode the same way (to a conversation no store has).
        assert_eq!(position(sample).map(|p| p.0.len()), Some(17));
        assert_eq!(position("12345"), None);
    }

    #[test]
    fn mids_are_unique_per_position() {
        let a = mid("52", "18100000000000042", 1);
        assert_ne!(a, mid("52", "18100000000000042", 2));
        assert_ne!(a, mid("52", "18100000000000043", 1));
        assert_eq!(a, mid("52", "18100000000000042", 1));
        assert!(!looks_like_mid("12345"));
        assert!(!looks_like_mid("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOj/../"));
    }
}
