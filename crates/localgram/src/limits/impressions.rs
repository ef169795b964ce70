//! Where the Business Use Case budget finds an account's impressions (ref 004 L250-260:
//! "Calls within 24 hours = 4800 * Number of Impressions"): the control API's figure for the
//! account if one was set, else the insights model's (set once at start by the state, so
//! this module does not depend on insights), else the configured default.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use super::{Check, Limit, Settings};

/// An account's impressions at a virtual time (milliseconds), `None` when the model has none.
pub type Lookup =
    dyn Fn(String, i64) -> Pin<Box<dyn Future<Output = Option<u64>> + Send>> + Send + Sync;

/// The model's impressions, once installed.
#[derive(Default)]
pub struct Modelled(OnceLock<Arc<Lookup>>);

impl Modelled {
    pub fn install(&self, lookup: Arc<Lookup>) {
        let _ = self.0.set(lookup);
    }

    /// `settings` with the model's impressions for each account whose Instagram budget the
    /// checks count and that has no figure of its own (the control API's wins).
    pub async fn apply(
        &self,
        settings: Arc<Settings>,
        checks: &[Check],
        now_ms: i64,
    ) -> Arc<Settings> {
        let Some(lookup) = self.0.get() else {
            return settings;
        };
        let mut settings = settings;
        for check in checks.iter().filter(|c| c.limit == Limit::Instagram) {
            let Some(account) = check.account.as_deref() else {
                continue;
            };
            if settings.impressions.contains_key(account) {
                continue;
            }
            if let Some(n) = lookup(account.to_string(), now_ms).await {
                Arc::make_mut(&mut settings)
                    .impressions
                    .insert(account.to_string(), n);
            }
        }
        settings
    }
}
