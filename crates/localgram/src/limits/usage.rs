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

/// The headers for what a call counted: (name, JSON value).
pub fn headers(usages: &[Usage]) -> Vec<(&'static str, String)> {
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
}
