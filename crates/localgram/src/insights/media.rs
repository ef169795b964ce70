//! What one media has collected at a virtual time: the model's counts plus the explicit
//! activity, with its real likes (`like_count`) and comments (its comment rows).

use super::catalog::{ACTION_TYPES, NAVIGATION_TYPES};
use super::model::{self, apportion, MediaKey, Profile, Surface};
use crate::store::media::{self, Media};
use crate::store::{insights, Reader, StoreResult};

/// Weights of the profile actions (`action_type`) and story navigation actions.
const ACTION_WEIGHTS: [f64; 6] = [0.42, 0.08, 0.14, 0.1, 0.1, 0.16];
const NAVIGATION_WEIGHTS: [f64; 4] = [0.76, 0.16, 0.04, 0.04];

/// A media's numbers at one time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaValues {
    pub surface: Surface,
    pub counts: model::Counts,
    pub likes: i64,
    pub comments: i64,
    /// Explicit link taps (bio link), counted in `profile_activity`.
    pub link_taps: i64,
}

/// The values of `media` at `now` (story counts stop at 24 hours).
pub fn values(
    seed: u64,
    profile: &Profile,
    media: &Media,
    now: i64,
    explicit: &[(String, i64)],
) -> Option<MediaValues> {
    let surface = Surface::of(&media.media_product_type)?;
    let key = MediaKey {
        id: &media.id,
        surface,
        created_at: media.created_at,
    };
    let totals = model::totals(seed, &media.account_id, profile, key);
    let mut counts = model::counts_at(&totals, key, now);
    let get = |kind: &str| {
        explicit
            .iter()
            .find(|(k, _)| k == kind)
            .map_or(0, |(_, n)| *n)
    };
    // An explicit view is one more person seeing it: reach and views both move.
    counts.views += get("views");
    counts.reach += get("views");
    counts.navigation += get("views");
    counts.saved += get("saves");
    counts.shares += get("shares");
    counts.replies += get("replies");
    counts.follows += get("follows");
    counts.profile_visits += get("profile_visits");
    if surface == Surface::Story && profile.story_replies_withheld(media.created_at) {
        counts.replies = 0; // the EEA and Japan rule (ref 001 L5073)
    }
    Some(MediaValues {
        surface,
        counts,
        likes: media.like_count,
        comments: media.comments_count,
        link_taps: get("link_taps"),
    })
}

/// What a media's insights are worked out from: its row, its account's audience profile
/// (`None` for a person's media or an account gone since), and its explicit activity up to
/// where the account's data reaches at `now` (the data delay), summed per kind.
pub struct MediaInputs {
    pub media: Media,
    pub profile: Option<std::sync::Arc<Profile>>,
    pub explicit: Vec<(String, i64)>,
}

impl MediaInputs {
    /// `None` when there is no such media of an account. Every read here is one the read
    /// caches hold, so a repeated request answers from memory on the calling thread.
    pub fn load(r: &Reader, seed: u64, media_id: &str, now: i64) -> StoreResult<Option<Self>> {
        let Some(media) = media::get(r, media_id)? else {
            return Ok(None);
        };
        let audience = insights::audience(r, &media.account_id)?;
        let profile = super::profile_of(r, seed, &media.account_id, &audience)?;
        let as_of = profile.as_ref().map_or(now, |p| p.data_as_of(now));
        let explicit = audience.media_activity(&media.id, as_of);
        Ok(Some(MediaInputs {
            media,
            profile,
            explicit,
        }))
    }
}

impl MediaValues {
    fn profile_activity_parts(&self) -> Vec<i64> {
        let modelled = self.counts.profile_visits * 3 / 10;
        let mut parts = apportion(modelled, &ACTION_WEIGHTS);
        parts[0] += self.link_taps;
        parts
    }

    fn navigation_parts(&self) -> Vec<i64> {
        apportion(self.counts.navigation, &NAVIGATION_WEIGHTS)
    }

    /// The value of a media metric (the catalogue has decided it applies).
    pub fn value(&self, metric: &str) -> i64 {
        let c = &self.counts;
        let views = c.views;
        match metric {
            "views"
            | "impressions"
            | "plays"
            | "video_views"
            | "carousel_album_impressions"
            | "carousel_album_video_views" => views,
            "reach" | "carousel_album_reach" => c.reach,
            "likes" => self.likes,
            "comments" => self.comments,
            "saved" | "carousel_album_saved" => c.saved,
            "shares" => c.shares,
            "follows" => c.follows,
            "profile_visits" => c.profile_visits,
            "replies" => c.replies,
            "profile_activity" => self.profile_activity_parts().iter().sum(),
            "navigation" => c.navigation,
            "taps_forward" => self.navigation_parts()[0],
            "taps_back" => self.navigation_parts()[1],
            "exits" => self.navigation_parts()[2],
            "total_interactions" => match self.surface {
                Surface::Story => c.shares + c.replies,
                _ => self.likes + self.comments + c.saved + c.shares,
            },
            "engagement" | "carousel_album_engagement" => self.likes + self.comments,
            "ig_reels_avg_watch_time" => c.avg_watch_ms,
            "ig_reels_video_view_total_time" => views * c.avg_watch_ms,
            "clips_replays_count" => views / 5,
            "content_views" => views,
            // Percent of plays skipped in the first 3 seconds: a per-reel draw from the
            // average watch time (short watches, more skips).
            "reels_skip_rate" => (60 - c.avg_watch_ms / 300).clamp(5, 60),
            "facebook_views" => views / 8,
            "crossposted_views" => views + views / 8,
            "ig_reels_aggregated_all_plays_count" => views + views / 5 + views / 20,
            _ => 0,
        }
    }

    /// The breakdown of a metric by its dimension: `(dimension value, value)` in the
    /// dimension's documented order; they sum to `value(metric)`.
    pub fn breakdown(&self, metric: &str) -> Vec<(&'static str, i64)> {
        match metric {
            "profile_activity" => ACTION_TYPES
                .iter()
                .copied()
                .zip(self.profile_activity_parts())
                .collect(),
            "navigation" => NAVIGATION_TYPES
                .iter()
                .copied()
                .zip(self.navigation_parts())
                .collect(),
            _ => Vec::new(),
        }
    }
}
