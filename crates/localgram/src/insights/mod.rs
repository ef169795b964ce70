//! Insights (issue #12): a simulated audience per account (`model`, pure), the metric
//! catalogue with its version rules (`catalog`), what a media collected (`media`), an
//! account's sums, series and demographics (`account`), and the `story_insights` webhook
//! (`story`). Handlers are in `api::insights`, control routes in `sim::insights`.

pub mod account;
pub mod catalog;
pub mod media;
pub mod model;
pub mod story;

use crate::store::{accounts, insights as store, Reader, StoreError, StoreResult};
use model::Profile;

/// The audience profile of an account: the one set through the control API, else one derived
/// from the seed and the account's `followers_count`.
pub fn profile(r: &Reader, seed: u64, account_id: &str) -> StoreResult<Option<Profile>> {
    if let Some(text) = store::profile(r, account_id)? {
        let profile = serde_json::from_str(&text)
            .map_err(|e| StoreError::Internal(format!("bad audience profile: {e}")))?;
        return Ok(Some(profile));
    }
    Ok(accounts::get(r, account_id)?
        .map(|a| Profile::derived(seed, account_id, a.followers_count, 0)))
}

/// The account's followers at `t`: the model's, plus explicit follows minus unfollows. The IG
/// User's `followers_count` is this at the virtual now, so it follows `follower_count`.
pub fn followers_at(r: &Reader, profile: &Profile, account_id: &str, t: i64) -> StoreResult<i64> {
    Ok((profile.followers_at(t) + store::net_follows(r, account_id, t)?).max(0))
}

/// `followers_count` for the IG User node: the stored count unless a profile or explicit
/// follows move it. Read on every IG User render that asks for it, so from the read cache.
pub fn followers_count(r: &Reader, account: &accounts::Account, now: i64) -> StoreResult<i64> {
    let audience = store::audience(r, &account.id)?;
    let net = audience.net_follows(now);
    match &audience.profile {
        None => Ok((account.followers_count + net).max(0)),
        Some(text) => {
            let profile: Profile = serde_json::from_str(text)
                .map_err(|e| StoreError::Internal(format!("bad audience profile: {e}")))?;
            Ok((profile.followers_at(now) + net).max(0))
        }
    }
}

/// The period of virtual time (milliseconds, numbered) over which
/// [`daily_impressions`] gives one answer while the account's data is unchanged: the hour it
/// counts the day before.
pub fn impressions_period(now_ms: i64) -> i64 {
    (now_ms / 1000).div_euclid(model::HOUR)
}

/// The account's impressions for its Business Use Case budget (ref 004 L250-260): its views
/// in the 24 hours before the current virtual hour, as `GET /{ig-user-id}/insights?metric=views`
/// sums them over that window (docs/decisions.md). `None` when there is no such account or it
/// had no views then, so the configured default applies. Kept per account and hour in the
/// read cache: a Graph call pays a map lookup.
pub async fn daily_impressions(
    db: &crate::store::Db,
    seed: u64,
    account_id: &str,
    now: i64,
) -> StoreResult<Option<u64>> {
    let hour = now.div_euclid(model::HOUR) * model::HOUR;
    let id = account_id.to_string();
    let views = db
        .read_memory_first(move |r| {
            store::daily_views(r, &id, hour, |r| {
                let Some(data) = account::AccountData::load(r, seed, &id)? else {
                    return Ok(0);
                };
                Ok(data.window(hour - model::DAY, hour).value("views"))
            })
        })
        .await?;
    Ok(u64::try_from(views).ok().filter(|v| *v > 0))
}
