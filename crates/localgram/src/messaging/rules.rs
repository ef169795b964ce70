//! Messaging's time windows and limits, each beside the reference lines that set it, and the
//! checks that apply them. Times are virtual Unix milliseconds unless a name says seconds.

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// A reply is allowed within 24 hours of the person's last message or button tap (ref 004
/// L198, 002 L225; 000 L1270-1290 for menu taps).
pub const STANDARD_WINDOW_MS: i64 = DAY_MS;
/// The `HUMAN_AGENT` tag allows a reply within 7 days (ref 004 L198, 002 L117-120).
pub const HUMAN_AGENT_WINDOW_MS: i64 = 7 * DAY_MS;
/// A private reply must be sent within 7 days of the comment (ref 001 L2453, L2495;
/// 004 L2887, L2908). Comments are timed in seconds.
pub const PRIVATE_REPLY_WINDOW_S: i64 = 7 * 24 * 3600;
/// Requests-folder conversations idle for 30 days are not returned (ref 000 L386, L1832).
pub const REQUESTS_INACTIVE_MS: i64 = 30 * DAY_MS;
/// Multi-image messages are a beta from November 3, 2025 (ref 004 L1122-1126).
pub const MULTI_IMAGE_FROM_S: i64 = 1_762_128_000;

/// Text: UTF-8 and at most 1000 bytes (Meta's public Instagram Messaging docs; the reference
/// gives no limit).
pub const TEXT_MAX_BYTES: usize = 1000;
/// Quick replies: at most 13; titles over 20 characters are cut (public docs); payloads up to
/// 1000 characters.
pub const QUICK_REPLIES_MAX: usize = 13;
pub const QUICK_REPLY_TITLE_CHARS: usize = 20;
pub const PAYLOAD_MAX_CHARS: usize = 1000;
/// The button template has up to three buttons (ref 000 L398-400); its text at most 640
/// characters and button titles 20 (public docs).
pub const BUTTONS_MAX: usize = 3;
pub const BUTTON_TEXT_MAX_CHARS: usize = 640;
pub const BUTTON_TITLE_MAX_CHARS: usize = 20;
/// The generic template: at most 10 elements, titles and subtitles up to 80 characters, up to
/// three buttons each (public docs; the reference shows no body, 000 L394-426).
pub const ELEMENTS_MAX: usize = 10;
pub const ELEMENT_TEXT_MAX_CHARS: usize = 80;
/// Images sent at once in the multi-image beta.
pub const IMAGES_PER_MESSAGE_MAX: usize = 10;
/// Attachment sizes: images 8 MB, audio, video and files 25 MB (public docs).
pub const IMAGE_MAX_BYTES: u64 = 8 * 1024 * 1024;
pub const MEDIA_MAX_BYTES: u64 = 25 * 1024 * 1024;
/// Ice breakers: at most 4 questions (ref 000 L1245); questions up to 80 characters.
pub const ICE_BREAKERS_MAX: usize = 4;
pub const QUESTION_MAX_CHARS: usize = 80;
/// Persistent menu: at most 20 items, titles up to 30 characters (public docs).
pub const MENU_ITEMS_MAX: usize = 20;
pub const MENU_TITLE_MAX_CHARS: usize = 30;

/// Whether a reply at `now` is inside the window the person's last message opened:
/// 24 hours, or 7 days with the `HUMAN_AGENT` tag. The window's last millisecond counts.
pub fn window_open(last_inbound_at: i64, now: i64, human_agent: bool) -> bool {
    let window = if human_agent {
        HUMAN_AGENT_WINDOW_MS
    } else {
        STANDARD_WINDOW_MS
    };
    now - last_inbound_at <= window
}

/// Whether a comment made at `comment_at_s` can still get its private reply at `now_s`.
pub fn private_reply_open(comment_at_s: i64, now_s: i64) -> bool {
    now_s - comment_at_s <= PRIVATE_REPLY_WINDOW_S
}

/// Whether a Requests-folder conversation last active at `updated_at` is still returned.
pub fn request_visible(updated_at: i64, now: i64) -> bool {
    now - updated_at <= REQUESTS_INACTIVE_MS
}

/// The oldest activity a Requests-folder conversation may have to be listed at `now`.
pub fn requests_active_since(now: i64) -> i64 {
    now - REQUESTS_INACTIVE_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN_MS: i64 = 60_000;

    #[test]
    fn the_standard_window_is_24_hours() {
        let t = 1_750_000_000_000;
        assert!(window_open(t, t + 23 * HOUR_MS + 59 * MIN_MS, false));
        assert!(window_open(t, t + DAY_MS, false));
        assert!(!window_open(t, t + DAY_MS + MIN_MS, false));
    }

    #[test]
    fn human_agent_extends_it_to_7_days() {
        let t = 1_750_000_000_000;
        assert!(window_open(t, t + DAY_MS + MIN_MS, true));
        assert!(window_open(t, t + 7 * DAY_MS - MIN_MS, true));
        assert!(!window_open(t, t + 7 * DAY_MS + MIN_MS, true));
    }

    #[test]
    fn private_replies_have_7_days() {
        let c = 1_750_000_000;
        assert!(private_reply_open(c, c + 7 * 86_400 - 60));
        assert!(!private_reply_open(c, c + 7 * 86_400 + 60));
    }

    #[test]
    fn idle_requests_hide_after_30_days() {
        let t = 1_750_000_000_000;
        assert!(request_visible(t, t + 30 * DAY_MS - MIN_MS));
        assert!(!request_visible(t, t + 30 * DAY_MS + MIN_MS));
        assert_eq!(requests_active_since(t + REQUESTS_INACTIVE_MS), t);
    }

    #[test]
    fn the_multi_image_beta_starts_on_november_3_2025() {
        assert_eq!(
            graph::timefmt::rfc3339(MULTI_IMAGE_FROM_S),
            "2025-11-03T00:00:00Z"
        );
    }
}
