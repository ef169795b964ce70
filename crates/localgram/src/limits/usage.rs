//! The usage headers on Graph responses, in the JSON clients parse (Meta's rate-limiting
//! overview; the seeds do not name them, docs/decisions.md):
//!
//! `X-App-Usage: {"call_count":28,"total_cputime":0,"total_time":0}` — percentages of the
//! app's platform limit;
//! `X-Business-Use-Case-Usage: {"<account id>":[{"type":"instagram","call_count":5,
//! "total_cputime":0,"total_time":0,"estimated_time_to_regain_access":0}]}` — one entry per
//! business use case the call counted in, keyed by the account (the business object).
//!
//! localgram throttles by call count only: `total_cputime` and `total_time` are 0 unless a
//! limit is reached, when all three read 100.

use std::sync::{Arc, OnceLock};

use axum::http::{HeaderName, HeaderValue};
use serde_json::{json, Value};

use super::{Limit, Reported, Usage};

/// The usage headers an answer carries besides Meta's usual ones, ready for the response,
/// held together and shared: a call shows the headers its entry rendered before by taking
/// one more reference to them, and an answer's template is found by which rendering it holds
/// (every counted call carries them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    values: Option<Arc<Values>>,
}

#[derive(Debug, PartialEq, Eq)]
struct Values {
    /// `X-App-Usage`.
    app: Option<HeaderValue>,
    /// `X-Business-Use-Case-Usage`.
    business: Option<HeaderValue>,
}

impl Headers {
    pub fn new() -> Headers {
        Headers::default()
    }

    /// `X-App-Usage` and `X-Business-Use-Case-Usage`, either of them or none.
    pub fn of(app: Option<HeaderValue>, business: Option<HeaderValue>) -> Headers {
        if app.is_none() && business.is_none() {
            return Headers::new();
        }
        Headers {
            values: Some(Arc::new(Values { app, business })),
        }
    }

    /// `X-App-Usage`.
    pub fn app(&self) -> Option<&HeaderValue> {
        self.values.as_ref()?.app.as_ref()
    }

    /// `X-Business-Use-Case-Usage`.
    pub fn business(&self) -> Option<&HeaderValue> {
        self.values.as_ref()?.business.as_ref()
    }

    /// Whether these are the very headers `other` holds, the same rendering (not only the
    /// same text).
    pub fn is(&self, other: &Headers) -> bool {
        match (&self.values, &other.values) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        }
    }

    /// Each header present, in the order answers carry them.
    pub fn iter(&self) -> impl Iterator<Item = (HeaderName, &HeaderValue)> {
        [
            (app_usage(), self.app()),
            (business_usage(), self.business()),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
    }

    /// Takes the headers `later` has in place of these (a header set twice answers its last
    /// value, as a response's header map would).
    #[inline]
    pub fn merge(&mut self, later: &Headers) {
        if self.values.is_none() {
            // The usual case: the call's own headers, shared.
            self.values.clone_from(&later.values);
            return;
        }
        self.merge_both(later);
    }

    /// [`Headers::merge`] when these hold some already.
    fn merge_both(&mut self, later: &Headers) {
        let (Some(mine), Some(theirs)) = (&self.values, &later.values) else {
            return;
        };
        let app = theirs.app.clone().or_else(|| mine.app.clone());
        let business = theirs.business.clone().or_else(|| mine.business.clone());
        *self = Headers::of(app, business);
    }
}

pub fn app_usage() -> HeaderName {
    const { HeaderName::from_static("x-app-usage") }
}

pub fn business_usage() -> HeaderName {
    const { HeaderName::from_static("x-business-use-case-usage") }
}

/// A header value from rendered JSON (visible ASCII and UTF-8 only: JSON escapes controls).
fn value(text: String) -> Option<HeaderValue> {
    HeaderValue::from_maybe_shared(bytes::Bytes::from(text)).ok()
}

/// `"call_count":N,"total_cputime":N,"total_time":N`, written directly.
fn counts(usage: &Usage, out: &mut String) {
    counts_at(usage.percent(), out)
}

fn counts_at(count: u64, out: &mut String) {
    use std::fmt::Write;
    let time = if count >= 100 { 100 } else { 0 };
    let _ = write!(
        out,
        "\"call_count\":{count},\"total_cputime\":{time},\"total_time\":{time}"
    );
}

/// `X-App-Usage` at `percent` (0 to 100): its 101 values are rendered once, and a response
/// shares one without counting references to it.
fn app_usage_value(percent: u64) -> HeaderValue {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    let texts = TEXTS.get_or_init(|| {
        (0..=100)
            .map(|count| {
                let mut text = String::with_capacity(64);
                text.push('{');
                counts_at(count, &mut text);
                text.push('}');
                text
            })
            .collect()
    });
    let text: &'static str = &texts[percent.min(100) as usize];
    HeaderValue::from_static(text)
}

/// What the headers show of one usage: a call renders the same headers as the last one on its
/// thread when these agree (the percentages move once in many calls).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    limit: super::Limit,
    account: Option<Box<str>>,
    percent: u64,
    regain_minutes: i64,
}

impl Shown {
    fn of(usage: &Usage) -> Shown {
        Shown {
            limit: usage.limit,
            account: usage.account.map(Box::from),
            percent: usage.percent(),
            regain_minutes: usage.regain_minutes(),
        }
    }

    fn shows(&self, usage: &Usage) -> bool {
        self.limit == usage.limit
            && self.account.as_deref() == usage.account
            && self.percent == usage.percent()
            && self.regain_minutes == usage.regain_minutes()
    }
}

thread_local! {
    /// The last usages rendered on this thread and their headers (a value's clone shares its
    /// bytes: handing them to another response copies nothing).
    static LAST: std::cell::RefCell<Option<(Vec<Shown>, Headers)>> =
        const { std::cell::RefCell::new(None) };
}

/// Adds the headers for what a call counted to `out`: the thread's last rendering while the
/// numbers it shows are unchanged. Calls counted in the store (PostgreSQL) come here; on
/// SQLite each caller's resolved entry keeps its own rendering (`hot`).
pub fn headers(usages: &[Usage], out: &mut Headers) {
    let reused = LAST.with_borrow(|last| match last {
        Some((shown, rendered))
            if shown.len() == usages.len() && shown.iter().zip(usages).all(|(s, u)| s.shows(u)) =>
        {
            out.merge(rendered);
            true
        }
        _ => false,
    });
    if reused {
        return;
    }
    let rendered = render(usages);
    out.merge(&rendered);
    LAST.set(Some((usages.iter().map(Shown::of).collect(), rendered)));
}

pub(super) fn render(usages: &[Usage]) -> Headers {
    let (mut app_header, mut business_header) = (None, None);
    // The app's limit only: Meta does not disclose a user's count. A creator marketplace
    // call reports that API's app limit (ref 001 L9302), which it counted in, rather than
    // the platform limit it only looked at.
    let app = usages
        .iter()
        .find(|u| u.limit == Limit::CreatorMarketplaceApp)
        .or_else(|| usages.iter().find(|u| u.limit == Limit::App));
    if let Some(app) = app {
        app_header = Some(app_usage_value(app.percent()));
    }
    // One entry per business use case, grouped by account in the order first counted.
    let mut accounts: Vec<(&str, String)> = Vec::new();
    for usage in usages {
        let Reported::BusinessUseCase(kind) = usage.limit.reported() else {
            continue;
        };
        let Some(account) = usage.account else {
            continue;
        };
        let mut entry = String::with_capacity(128);
        entry.push_str("{\"type\":");
        entry.push_str(&Value::from(kind).to_string());
        entry.push(',');
        counts(usage, &mut entry);
        entry.push_str(&format!(
            ",\"estimated_time_to_regain_access\":{}}}",
            usage.regain_minutes()
        ));
        match accounts.iter_mut().find(|(a, _)| *a == account) {
            Some((_, list)) => {
                list.push(',');
                list.push_str(&entry);
            }
            None => accounts.push((account, entry)),
        }
    }
    if !accounts.is_empty() {
        let mut text = String::from("{");
        for (i, (account, list)) in accounts.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&Value::from(*account).to_string());
            text.push_str(":[");
            text.push_str(list);
            text.push(']');
        }
        text.push('}');
        business_header = value(text);
    }
    Headers::of(app_header, business_header)
}

/// The headers a throttling error injected as a fault carries: the use case its code names at
/// 100%, access back in `regain_minutes`.
pub fn throttled(code: i64, account: Option<&str>, regain_minutes: i64) -> Headers {
    let kind = match code {
        4 | 17 => {
            let text =
                json!({"call_count": 100, "total_cputime": 100, "total_time": 100}).to_string();
            return Headers::of(value(text), None);
        }
        80002 => "instagram",
        32 => "pages",
        613 => "messenger",
        _ => return Headers::new(),
    };
    let Some(account) = account else {
        return Headers::new();
    };
    let text = json!({ account: [{
        "type": kind, "call_count": 100, "total_cputime": 100, "total_time": 100,
        "estimated_time_to_regain_access": regain_minutes,
    }]})
    .to_string();
    Headers::of(None, value(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(headers: &Headers) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect()
    }

    /// What a call adds to its answer's headers, as text.
    fn shown(usages: &[Usage]) -> Vec<(String, String)> {
        let mut out = Headers::new();
        headers(usages, &mut out);
        text(&out)
    }

    #[test]
    fn headers_have_the_shapes_clients_parse() {
        let usages = vec![
            Usage {
                limit: Limit::Instagram,
                account: Some("17841400000000001"),
                used: 3,
                max: 3,
                regain_ms: 90_000,
            },
            Usage {
                limit: Limit::App,
                account: None,
                used: 1,
                max: 4,
                regain_ms: 0,
            },
        ];
        assert_eq!(
            shown(&usages),
            vec![
                (
                    "x-app-usage".to_string(),
                    r#"{"call_count":25,"total_cputime":0,"total_time":0}"#.to_string()
                ),
                (
                    "x-business-use-case-usage".to_string(),
                    r#"{"17841400000000001":[{"type":"instagram","call_count":100,"total_cputime":100,"total_time":100,"estimated_time_to_regain_access":2}]}"#
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn a_reused_rendering_always_shows_the_calls_own_numbers() {
        let usage = |account: &'static str, used: u64, regain_ms: i64| Usage {
            limit: Limit::Instagram,
            account: Some(account),
            used,
            max: 200,
            regain_ms,
        };
        let calls = [
            vec![usage("1", 1, 0)],
            vec![usage("1", 1, 0)],
            // the same percentage (0%): the same headers
            vec![usage("1", 2, 0)],
            vec![usage("1", 2, 0), usage("2", 2, 0)],
            vec![usage("2", 2, 0)],
            vec![usage("2", 100, 0)],
            vec![usage("2", 100, 61_000)],
            vec![usage("1", 1, 0)],
        ];
        for call in &calls {
            assert_eq!(shown(call), text(&render(call)), "{call:?}");
        }
        assert_ne!(text(&render(&calls[4])), text(&render(&calls[5])));
        assert_ne!(text(&render(&calls[5])), text(&render(&calls[6])));
    }
}
