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

use serde_json::{json, Value};

use super::{Limit, Reported, Usage};

pub const APP_USAGE: &str = "x-app-usage";
pub const BUSINESS_USAGE: &str = "x-business-use-case-usage";

/// `"call_count":N,"total_cputime":N,"total_time":N`, written directly (every counted call
/// renders it).
fn counts(usage: &Usage, out: &mut String) {
    use std::fmt::Write;
    let count = usage.percent();
    let time = if count >= 100 { 100 } else { 0 };
    let _ = write!(
        out,
        "\"call_count\":{count},\"total_cputime\":{time},\"total_time\":{time}"
    );
}

/// What the headers show of one usage: a call renders the same headers as the last one on its
/// thread when these agree (the percentages move once in many calls).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    limit: super::Limit,
    account: Option<String>,
    percent: u64,
    regain_minutes: i64,
}

impl Shown {
    fn of(usage: &Usage) -> Shown {
        Shown {
            limit: usage.limit,
            account: usage.account.clone(),
            percent: usage.percent(),
            regain_minutes: usage.regain_minutes(),
        }
    }

    fn shows(&self, usage: &Usage) -> bool {
        self.limit == usage.limit
            && self.account.as_deref() == usage.account.as_deref()
            && self.percent == usage.percent()
            && self.regain_minutes == usage.regain_minutes()
    }
}

type Rendered = Vec<(&'static str, String)>;

thread_local! {
    /// The last usages rendered on this thread and their headers.
    static LAST: std::cell::RefCell<Option<(Vec<Shown>, Rendered)>> =
        const { std::cell::RefCell::new(None) };
}

/// The headers for what a call counted: (name, JSON value). Every counted call asks, so the
/// last rendering is reused while the numbers it shows are unchanged.
pub fn headers(usages: &[Usage]) -> Vec<(&'static str, String)> {
    let reused = LAST.with_borrow(|last| {
        last.as_ref()
            .filter(|(shown, _)| {
                shown.len() == usages.len() && shown.iter().zip(usages).all(|(s, u)| s.shows(u))
            })
            .map(|(_, rendered)| rendered.clone())
    });
    if let Some(rendered) = reused {
        return rendered;
    }
    let rendered = render(usages);
    LAST.set(Some((
        usages.iter().map(Shown::of).collect(),
        rendered.clone(),
    )));
    rendered
}

fn render(usages: &[Usage]) -> Vec<(&'static str, String)> {
    let mut out = Vec::with_capacity(2);
    // The app's limit only: Meta does not disclose a user's count. A creator marketplace
    // call reports that API's app limit (ref 001 L9302), which it counted in, rather than
    // the platform limit it only looked at.
    let app = usages
        .iter()
        .find(|u| u.limit == Limit::CreatorMarketplaceApp)
        .or_else(|| usages.iter().find(|u| u.limit == Limit::App));
    if let Some(app) = app {
        let mut value = String::with_capacity(64);
        value.push('{');
        counts(app, &mut value);
        value.push('}');
        out.push((APP_USAGE, value));
    }
    // One entry per business use case, grouped by account in the order first counted.
    let mut accounts: Vec<(&str, String)> = Vec::new();
    for usage in usages {
        let Reported::BusinessUseCase(kind) = usage.limit.reported() else {
            continue;
        };
        let Some(account) = usage.account.as_deref() else {
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
        let mut value = String::from("{");
        for (i, (account, list)) in accounts.iter().enumerate() {
            if i > 0 {
                value.push(',');
            }
            value.push_str(&Value::from(*account).to_string());
            value.push_str(":[");
            value.push_str(list);
            value.push(']');
        }
        value.push('}');
        out.push((BUSINESS_USAGE, value));
    }
    out
}

/// The headers a throttling error injected as a fault carries: the use case its code names at
/// 100%, access back in `regain_minutes`.
pub fn throttled(
    code: i64,
    account: Option<&str>,
    regain_minutes: i64,
) -> Vec<(&'static str, String)> {
    let kind = match code {
        4 | 17 => {
            return vec![(
                APP_USAGE,
                json!({"call_count": 100, "total_cputime": 100, "total_time": 100}).to_string(),
            )]
        }
        80002 => "instagram",
        32 => "pages",
        613 => "messenger",
        _ => return Vec::new(),
    };
    let Some(account) = account else {
        return Vec::new();
    };
    let value = json!({ account: [{
        "type": kind, "call_count": 100, "total_cputime": 100, "total_time": 100,
        "estimated_time_to_regain_access": regain_minutes,
    }]});
    vec![(BUSINESS_USAGE, value.to_string())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_have_the_shapes_clients_parse() {
        let usages = vec![
            Usage {
                limit: Limit::Instagram,
                account: Some("17841400000000001".into()),
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
        let h = headers(&usages);
        assert_eq!(
            h,
            vec![
                (
                    APP_USAGE,
                    r#"{"call_count":25,"total_cputime":0,"total_time":0}"#.to_string()
                ),
                (
                    BUSINESS_USAGE,
                    r#"{"17841400000000001":[{"type":"instagram","call_count":100,"total_cputime":100,"total_time":100,"estimated_time_to_regain_access":2}]}"#
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn a_reused_rendering_always_shows_the_calls_own_numbers() {
        let usage = |account: &str, used: u64, regain_ms: i64| Usage {
            limit: Limit::Instagram,
            account: Some(account.into()),
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
            assert_eq!(headers(call), render(call), "{call:?}");
        }
        assert_ne!(render(&calls[4]), render(&calls[5]));
        assert_ne!(render(&calls[5]), render(&calls[6]));
    }
}
