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
use std::sync::Arc;

/// The audience profile of an account: the one set through the control API, else one derived
/// from the seed and the account's `followers_count`.
pub fn profile(r: &Reader, seed: u64, account_id: &str) -> StoreResult<Option<Profile>> {
    let audience = store::audience(r, account_id)?;
    Ok(profile_of(r, seed, account_id, &audience)?.map(|p| (*p).clone()))
}

/// The profile kept beside an account's audience: the stored one parsed (`None` if it does
/// not parse), or the one derived for a seed and a number of followers.
enum KeptProfile {
    Stored(Option<Arc<Profile>>),
    Derived {
        seed: u64,
        followers: i64,
        profile: Arc<Profile>,
    },
}

fn parse_profile(text: &str) -> StoreResult<Profile> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Internal(format!("bad audience profile: {e}")))
}

/// The profile set through the control API, parsed once per generation of the audience and
/// kept beside it.
fn stored_profile(audience: &store::Audience) -> StoreResult<Option<Arc<Profile>>> {
    let Some(text) = &audience.profile else {
        return Ok(None);
    };
    let kept = audience
        .derived
        .get_or_init(|| KeptProfile::Stored(parse_profile(text).ok().map(Arc::new)));
    match kept {
        Some(KeptProfile::Stored(Some(profile))) => Ok(Some(profile.clone())),
        // A profile that does not parse answers its error.
        _ => parse_profile(text).map(|p| Some(Arc::new(p))),
    }
}

/// [`profile`] given the account's audience (read from memory when cached), shared: worked out
/// once per generation of the audience and kept beside it.
pub fn profile_of(
    r: &Reader,
    seed: u64,
    account_id: &str,
    audience: &store::Audience,
) -> StoreResult<Option<Arc<Profile>>> {
    if let Some(profile) = stored_profile(audience)? {
        return Ok(Some(profile));
    }
    let Some(account) = accounts::get(r, account_id)? else {
        return Ok(None);
    };
    let followers = account.followers_count;
    let derive = || Arc::new(Profile::derived(seed, account_id, followers, 0));
    let kept = audience.derived.get_or_init(|| KeptProfile::Derived {
        seed,
        followers,
        profile: derive(),
    });
    Ok(Some(match kept {
        Some(KeptProfile::Derived {
            seed: s,
            followers: f,
            profile,
        }) if *s == seed && *f == followers => profile.clone(),
        // Kept for another seed or count: the account moved since the audience was read.
        _ => derive(),
    }))
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
    match stored_profile(&audience)? {
        None => Ok((account.followers_count + net).max(0)),
        Some(profile) => Ok((profile.followers_at(now) + net).max(0)),
    }
}

/// The periods of virtual time (milliseconds, numbered from the epoch) over which
/// [`daily_impressions`] gives one answer while the account's data is unchanged: the hours it
/// counts the day before.
pub const IMPRESSIONS_PERIOD_MS: i64 = model::HOUR * 1000;

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

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored profile is parsed once per generation of its audience and shared after; one
    /// that does not parse answers its error every time rather than being kept.
    #[test]
    fn a_stored_profile_is_parsed_once_beside_its_audience() {
        let text = serde_json::to_string(&Profile::derived(7, "17841", 1_000, 0)).expect("json");
        let audience = store::Audience {
            profile: Some(text),
            ..Default::default()
        };
        let first = stored_profile(&audience).expect("a profile").expect("set");
        let again = stored_profile(&audience).expect("a profile").expect("set");
        assert!(Arc::ptr_eq(&first, &again), "kept, not parsed again");
        assert_eq!(first.followers, 1_000);
        // A new generation of the audience (a clone, as a new read) parses its own.
        let renewed = audience.clone();
        let parsed = stored_profile(&renewed).expect("a profile").expect("set");
        assert!(!Arc::ptr_eq(&first, &parsed));
        let bad = store::Audience {
            profile: Some("{".into()),
            ..Default::default()
        };
        for _ in 0..2 {
            assert!(stored_profile(&bad).is_err());
        }
        assert_eq!(
            stored_profile(&store::Audience::default()).expect("none"),
            None
        );
    }
}
