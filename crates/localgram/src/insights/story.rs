//! The `story_insights` webhook: a story's first-24-hours metrics, sent one hour after it
//! expires (ref 003 L82, L133-165). It is recorded through the outbox in the transaction that
//! publishes the story, due at expiry + 1 hour, so it goes out exactly once whichever
//! instance is running then; the numbers are the model's at the story's 24-hour mark.

use super::media::values;
use super::model::STORY_LIFETIME;
use crate::events::{self, Event, Payload, StoryInsights};
use crate::state::AppState;
use crate::store::media::Media;
use crate::store::{StoreResult, Writer};

/// One hour after expiry (ref 003 L82).
const AFTER_EXPIRY: i64 = 3_600;

/// Records the story's `story_insights` event; other media are left alone.
pub fn schedule(tx: &Writer, state: &AppState, media: &Media) -> StoreResult<()> {
    if media.media_product_type != "STORY" || media.parent_id.is_some() {
        return Ok(());
    }
    let seed = state.ids.seed();
    let Some(profile) = super::profile(tx, seed, &media.account_id)? else {
        return Ok(());
    };
    let expiry = media.created_at + STORY_LIFETIME;
    let Some(v) = values(seed, &profile, media, expiry, &[]) else {
        return Ok(());
    };
    let payload = StoryInsights {
        media_id: media.id.clone(),
        exits: v.value("exits"),
        replies: v.value("replies"),
        reach: v.value("reach"),
        taps_forward: v.value("taps_forward"),
        taps_back: v.value("taps_back"),
        impressions: v.value("views"),
    };
    let mut event = Event::new(media.account_id.clone(), Payload::StoryInsights(payload));
    event.deliver_at_ms = Some((expiry + AFTER_EXPIRY) * 1000);
    events::record(tx, state, event)?;
    Ok(())
}
