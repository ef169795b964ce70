//! An account's insights over time windows: sums over its media (the model's counts between
//! the window's ends, explicit activity, real likes and comments), follower movements and
//! demographics. The rows are read once per generation (the read cache keeps them until
//! one of their tables is written) and the model's totals and running sums are worked out
//! once beside them ([`Ledger`]), so a window costs the media still collecting at its two
//! ends, whatever the number of settled media (docs/performance.md, issue #12).

use super::catalog::{product_dimension, CONTACT_BUTTON_TYPES};
use std::cell::RefCell;
use std::collections::HashMap;

use super::model::{self, apportion, Counts, MediaKey, Profile, Surface, Totals};
use crate::store::insights::{self as store, AccountRows};
use crate::store::{Reader, StoreError, StoreResult};

/// The `media_product_type` dimension values, in the order results list them.
pub const PRODUCTS: [&str; 4] = ["POST", "CAROUSEL_CONTAINER", "REEL", "STORY"];

/// How much of each surface's audience already follows the account (for `follow_type` and
/// `follower_type`).
const FOLLOWER_SHARE: [f64; 4] = [0.72, 0.7, 0.38, 0.9];

/// Reach across media overlaps: the same person reached by two posts counts once.
const REACH_OVERLAP_PERCENT: i64 = 15;

fn product_index(media_type: &str, product: &str) -> usize {
    let dim = product_dimension(media_type, product);
    PRODUCTS.iter().position(|p| *p == dim).unwrap_or(0)
}

/// Counts of one product (or of the account itself) in a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Part {
    pub views: i64,
    pub reach: i64,
    pub likes: i64,
    pub comments: i64,
    pub saves: i64,
    pub shares: i64,
    pub replies: i64,
    pub profile_visits: i64,
    pub follows: i64,
    pub link_taps: i64,
}

impl Part {
    /// What the model says media gained (likes and comments are not modelled).
    fn add_gained(&mut self, gained: Counts) {
        self.views += gained.views;
        self.reach += gained.reach;
        self.saves += gained.saved;
        self.shares += gained.shares;
        self.replies += gained.replies;
        self.profile_visits += gained.profile_visits;
        self.follows += gained.follows;
        self.link_taps += gained.link_taps;
    }

    fn add_kind(&mut self, kind: &str, n: i64) {
        match kind {
            "views" => {
                self.views += n;
                self.reach += n;
            }
            "likes" => self.likes += n,
            "saves" => self.saves += n,
            "shares" => self.shares += n,
            "replies" => self.replies += n,
            "profile_visits" => self.profile_visits += n,
            "link_taps" => self.link_taps += n,
            _ => {}
        }
    }
}

/// One window's sums.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    pub products: [Part; 4],
    /// Activity on the account rather than a media (profile visits, link taps).
    pub account: Part,
    pub follows: i64,
    pub unfollows: i64,
}

impl Window {
    /// A per-product metric, by product.
    pub fn by_product(&self, metric: &str) -> [i64; 4] {
        let mut out = [0; 4];
        for (i, p) in self.products.iter().enumerate() {
            out[i] = match metric {
                "views" | "impressions" | "content_views" => p.views,
                "reach" => p.reach - p.reach * REACH_OVERLAP_PERCENT / 100,
                "likes" => p.likes,
                "comments" => p.comments,
                "saves" | "saved" => p.saves,
                "shares" => p.shares,
                "replies" => p.replies,
                "total_interactions" => p.likes + p.comments + p.saves + p.shares + p.replies,
                _ => 0,
            };
        }
        out
    }

    fn link_taps(&self) -> i64 {
        self.products.iter().map(|p| p.link_taps).sum::<i64>() + self.account.link_taps
    }

    fn profile_visits(&self) -> i64 {
        self.products.iter().map(|p| p.profile_visits).sum::<i64>() + self.account.profile_visits
    }

    /// The total of a non-demographic user metric.
    pub fn value(&self, metric: &str) -> i64 {
        let taps = apportion(self.link_taps(), &[0.6, 0.1, 0.1, 0.1, 0.1]);
        match metric {
            "accounts_engaged" => self.value("total_interactions") * 8 / 10,
            "profile_links_taps" => self.link_taps(),
            "follows_and_unfollows" => self.follows + self.unfollows,
            "follower_count" => self.follows,
            "profile_views" => self.profile_visits(),
            "website_clicks" => taps[0],
            "email_contacts" => taps[1],
            "get_directions_clicks" => taps[2],
            "phone_call_clicks" => taps[3],
            "text_message_clicks" => taps[4],
            m => self.by_product(m).iter().sum(),
        }
    }

    /// A metric broken down by one or two dimensions: `(dimension values, value)`, zero
    /// results left out; the values sum to [`Window::value`].
    pub fn breakdown(&self, metric: &str, dimensions: &[&str]) -> Vec<(Vec<String>, i64)> {
        let split_follow = |value: i64, share: f64| apportion(value, &[share, 1.0 - share]);
        let follow_names = ["FOLLOWER", "NON_FOLLOWER"];
        let mut out: Vec<(Vec<String>, i64)> = Vec::new();
        match dimensions {
            ["media_product_type"] => {
                for (i, v) in self.by_product(metric).into_iter().enumerate() {
                    out.push((vec![PRODUCTS[i].into()], v));
                }
            }
            ["follow_type"] if metric == "follows_and_unfollows" => {
                out.push((vec!["FOLLOWER".into()], self.follows));
                out.push((vec!["NON_FOLLOWER".into()], self.unfollows));
            }
            ["follow_type"] | ["follower_type"] => {
                let mut sums = [0i64; 2];
                for (i, v) in self.by_product(metric).into_iter().enumerate() {
                    for (j, part) in split_follow(v, FOLLOWER_SHARE[i]).into_iter().enumerate() {
                        sums[j] += part;
                    }
                }
                for (j, v) in sums.into_iter().enumerate() {
                    out.push((vec![follow_names[j].into()], v));
                }
            }
            [a, b] => {
                // media_product_type with follow(er)_type, in either order.
                let product_first = *a == "media_product_type";
                for (i, v) in self.by_product(metric).into_iter().enumerate() {
                    for (j, part) in split_follow(v, FOLLOWER_SHARE[i]).into_iter().enumerate() {
                        let (p, f) = (PRODUCTS[i].to_string(), follow_names[j].to_string());
                        let _ = b;
                        out.push((
                            if product_first {
                                vec![p, f]
                            } else {
                                vec![f, p]
                            },
                            part,
                        ));
                    }
                }
            }
            ["contact_button_type"] => {
                let weights = [0.05, 0.3, 0.2, 0.25, 0.02, 0.15, 0.03];
                for (i, v) in apportion(self.link_taps(), &weights)
                    .into_iter()
                    .enumerate()
                {
                    out.push((vec![CONTACT_BUTTON_TYPES[i].into()], v));
                }
            }
            _ => {}
        }
        out.retain(|(_, v)| *v != 0);
        out
    }
}

/// One media as the sums need it: when, which product, its lifetime totals, and from when its
/// counts stop moving with what they then are.
struct Tracked {
    created_at: i64,
    product: usize,
    totals: Totals,
    settled_by: i64,
    settled: Counts,
}

/// An account's media on one surface, by creation time, with the running sums of what each
/// has collected once settled: `settled[i]` is the sum over the first `i` media.
struct SurfaceMedia {
    surface: Surface,
    media: Vec<Tracked>,
    settled: Vec<[Counts; 4]>,
}

impl SurfaceMedia {
    fn key(&self, m: &Tracked) -> MediaKey<'static> {
        MediaKey {
            id: "",
            surface: self.surface,
            created_at: m.created_at,
        }
    }

    /// What this surface's media have collected by `t`, per product: the running sum of
    /// those settled by then, plus the curve of those still collecting.
    fn collected(&self, t: i64, out: &mut [Counts; 4]) {
        let settled = self
            .media
            .partition_point(|m| m.created_at <= t - self.surface.horizon());
        let published = self.media.partition_point(|m| m.created_at < t);
        for (o, s) in out.iter_mut().zip(self.settled[settled]) {
            o.add(s);
        }
        for m in &self.media[settled..published.max(settled)] {
            // Most media stop moving long before the horizon: their final counts then.
            let counts = if m.settled_by <= t {
                m.settled
            } else {
                model::counts_at(&m.totals, self.key(m), t)
            };
            out[m.product].add(counts);
        }
    }
}

/// What an account's sums are computed from, worked out once per generation of its rows
/// (kept beside them in the read cache): the audience profile, the media with their totals
/// and running sums, and the timed interactions and activity by time. A window's sums are
/// then differences of running sums ("collected by `b`" minus "collected by `a`"), which
/// equal the sum over media of what each gained in the window because the counts are
/// floors of one curve per media.
pub struct Ledger {
    seed: u64,
    account_id: String,
    profile: Profile,
    surfaces: Vec<SurfaceMedia>,
    /// Likes without a time of their own, counted when their media was published: creation
    /// times and the running sums per product (`published_likes[i]` over the first `i`).
    published_at: Vec<i64>,
    published_likes: Vec<[i64; 4]>,
    /// Comments and people's likes by time: times, and running sums of (likes, comments)
    /// per product.
    interaction_at: Vec<i64>,
    interaction_sums: Vec<[(i64, i64); 4]>,
    /// Explicit activity by time, with the product of its media if it was on one.
    activity: Vec<(i64, Option<usize>, String, i64)>,
}

impl Ledger {
    /// `None` when there is no such account.
    pub fn build(seed: u64, account_id: &str, rows: &AccountRows) -> StoreResult<Option<Ledger>> {
        let profile = match (&rows.profile, rows.followers_count) {
            (Some(text), _) => serde_json::from_str(text)
                .map_err(|e| StoreError::Internal(format!("bad audience profile: {e}")))?,
            (None, Some(followers)) => Profile::derived(seed, account_id, followers, 0),
            (None, None) => return Ok(None),
        };
        let mut surfaces: Vec<SurfaceMedia> = [Surface::Feed, Surface::Reels, Surface::Story]
            .into_iter()
            .map(|surface| SurfaceMedia {
                surface,
                media: Vec::new(),
                settled: Vec::new(),
            })
            .collect();
        let mut published_at = Vec::with_capacity(rows.media.len());
        let mut published_likes = vec![[0i64; 4]];
        for m in &rows.media {
            let Some(surface) = Surface::of(&m.media_product_type) else {
                continue;
            };
            let key = MediaKey {
                id: &m.id,
                surface,
                created_at: m.created_at,
            };
            let product = product_index(&m.media_type, &m.media_product_type);
            let totals = model::totals(seed, account_id, &profile, key);
            if let Some(s) = surfaces.iter_mut().find(|s| s.surface == surface) {
                let settled_at = m.created_at.saturating_add(surface.horizon());
                s.media.push(Tracked {
                    created_at: m.created_at,
                    product,
                    totals,
                    settled_by: model::settled_by(&totals, key),
                    settled: model::counts_at(&totals, key, settled_at),
                });
            }
            let mut likes = published_likes.last().copied().unwrap_or_default();
            likes[product] += (m.like_count - m.timed_likes).max(0);
            published_at.push(m.created_at);
            published_likes.push(likes);
        }
        for s in &mut surfaces {
            // Rows come by creation time; keep it so whatever the engine's ties.
            s.media.sort_by_key(|m| m.created_at);
            let mut running = [Counts::default(); 4];
            s.settled.reserve(s.media.len() + 1);
            s.settled.push(running);
            for m in &s.media {
                running[m.product].add(m.settled);
                s.settled.push(running);
            }
        }
        let mut interaction_at = Vec::with_capacity(rows.interactions.len());
        let mut interaction_sums = vec![[(0i64, 0i64); 4]];
        for (t, media_type, product, is_like) in &rows.interactions {
            let mut sums = interaction_sums.last().copied().unwrap_or_default();
            let p = &mut sums[product_index(media_type, product)];
            if *is_like {
                p.0 += 1;
            } else {
                p.1 += 1;
            }
            interaction_at.push(*t);
            interaction_sums.push(sums);
        }
        let activity = rows
            .activity
            .iter()
            .map(|(a, media)| {
                let product = media.as_ref().map(|(t, p)| product_index(t, p));
                (a.at, product, a.kind.clone(), a.amount)
            })
            .collect();
        Ok(Some(Ledger {
            seed,
            account_id: account_id.to_string(),
            profile,
            surfaces,
            published_at,
            published_likes,
            interaction_at,
            interaction_sums,
            activity,
        }))
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The account's followers at `t`: the model's plus explicit follows minus unfollows.
    pub fn followers_at(&self, t: i64) -> i64 {
        let net: i64 = self
            .activity
            .iter()
            .take_while(|a| a.0 <= t)
            .map(|(_, _, kind, n)| match kind.as_str() {
                "follows" => *n,
                "unfollows" => -n,
                _ => 0,
            })
            .sum();
        (self.profile.followers_at(t) + net).max(0)
    }

    /// What every media has collected by `t`, per product.
    fn collected(&self, t: i64) -> [Counts; 4] {
        let mut out = [Counts::default(); 4];
        for s in &self.surfaces {
            s.collected(t, &mut out);
        }
        out
    }

    /// The sums of `[a, b)` given what media had collected at both ends.
    fn window_between(&self, a: i64, b: i64, at_a: &[Counts; 4], at_b: &[Counts; 4]) -> Window {
        let mut w = Window::default();
        for (i, p) in w.products.iter_mut().enumerate() {
            p.add_gained(at_b[i].minus(at_a[i]));
        }
        let running = |times: &[i64], t: i64| times.partition_point(|x| *x < t);
        let (la, lb) = (
            running(&self.published_at, a),
            running(&self.published_at, b),
        );
        let (ia, ib) = (
            running(&self.interaction_at, a),
            running(&self.interaction_at, b),
        );
        for (i, p) in w.products.iter_mut().enumerate() {
            if lb > la {
                p.likes += self.published_likes[lb][i] - self.published_likes[la][i];
            }
            if ib > ia {
                p.likes += self.interaction_sums[ib][i].0 - self.interaction_sums[ia][i].0;
                p.comments += self.interaction_sums[ib][i].1 - self.interaction_sums[ia][i].1;
            }
        }
        let first = self.activity.partition_point(|x| x.0 < a);
        for (_, product, kind, amount) in self.activity[first..].iter().take_while(|x| x.0 < b) {
            match kind.as_str() {
                "follows" => w.follows += amount,
                "unfollows" => w.unfollows += amount,
                kind => match product {
                    Some(i) => w.products[*i].add_kind(kind, *amount),
                    None => w.account.add_kind(kind, *amount),
                },
            }
        }
        let (follows, unfollows) = self
            .profile
            .follows_between(self.seed, &self.account_id, a, b);
        w.follows += follows;
        w.unfollows += unfollows;
        w
    }
}

/// An account's insights for one request: its [`Ledger`] (shared, from the read cache) and
/// what this request already summed, since several metrics share their windows.
pub struct AccountData {
    ledger: std::sync::Arc<Ledger>,
    windows: RefCell<HashMap<(i64, i64), Window>>,
    collected: RefCell<HashMap<i64, [Counts; 4]>>,
}

impl AccountData {
    /// The account's data, `None` when there is no such account. The ledger is worked out
    /// once per generation of the account's rows and kept beside them.
    pub fn load(r: &Reader, seed: u64, account_id: &str) -> StoreResult<Option<AccountData>> {
        let rows = store::account_rows(r, account_id)?;
        let Some(ledger) = ledger_of(&rows, seed, account_id)? else {
            return Ok(None);
        };
        Ok(Some(AccountData::new(ledger)))
    }

    pub fn new(ledger: std::sync::Arc<Ledger>) -> AccountData {
        AccountData {
            ledger,
            windows: Default::default(),
            collected: Default::default(),
        }
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub fn profile(&self) -> &Profile {
        &self.ledger.profile
    }

    pub fn seed(&self) -> u64 {
        self.ledger.seed
    }

    fn collected(&self, t: i64) -> [Counts; 4] {
        if let Some(c) = self.collected.borrow().get(&t) {
            return *c;
        }
        let c = self.ledger.collected(t);
        self.collected.borrow_mut().insert(t, c);
        c
    }

    /// The sums of `[a, b)`, computed once per request.
    pub fn window(&self, a: i64, b: i64) -> Window {
        if let Some(w) = self.windows.borrow().get(&(a, b)) {
            return w.clone();
        }
        let w = self
            .ledger
            .window_between(a, b, &self.collected(a), &self.collected(b));
        self.windows.borrow_mut().insert((a, b), w.clone());
        w
    }
}

/// The ledger kept beside `rows` (built on first use), `None` when there is no such account.
pub fn ledger_of(
    rows: &AccountRows,
    seed: u64,
    account_id: &str,
) -> StoreResult<Option<std::sync::Arc<Ledger>>> {
    type Kept = Option<std::sync::Arc<Ledger>>;
    let kept = rows.derived.get_or_init(|| {
        // A bad profile is answered as an error by the build below, not kept.
        let built: Kept = Ledger::build(seed, account_id, rows)
            .ok()
            .flatten()
            .map(std::sync::Arc::new);
        Box::new(built)
    });
    match kept.downcast_ref::<Kept>() {
        Some(Some(ledger)) if ledger.seed == seed && ledger.account_id == account_id => {
            Ok(Some(ledger.clone()))
        }
        // Not kept (no account, a bad profile) or kept for another seed: build it here.
        _ => Ok(Ledger::build(seed, account_id, rows)?.map(std::sync::Arc::new)),
    }
}

/// Weighted values of a demographic dimension.
pub fn dimension<'p>(profile: &'p Profile, name: &str) -> &'p [(String, f64)] {
    match name {
        "age" => &profile.ages,
        "gender" => &profile.genders,
        "country" => &profile.countries,
        _ => &profile.cities,
    }
}

/// `total` people spread over the combinations of `dimensions`, largest first, top 45.
pub fn demographics(profile: &Profile, dimensions: &[&str], total: i64) -> Vec<(Vec<String>, i64)> {
    let mut combos: Vec<(Vec<String>, f64)> = vec![(Vec::new(), 1.0)];
    for d in dimensions {
        let values = dimension(profile, d);
        let sum: f64 = values
            .iter()
            .map(|v| v.1)
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        combos = combos
            .into_iter()
            .flat_map(|(keys, w)| {
                values.iter().map(move |(name, vw)| {
                    let mut k = keys.clone();
                    k.push(name.clone());
                    (k, w * vw / sum)
                })
            })
            .collect();
    }
    let weights: Vec<f64> = combos.iter().map(|c| c.1).collect();
    let mut out: Vec<(Vec<String>, i64)> = combos
        .into_iter()
        .zip(apportion(total, &weights))
        .map(|((k, _), v)| (k, v))
        .filter(|(_, v)| *v > 0)
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.truncate(45);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::model::DAY;
    use crate::store::insights::{Activity, MediaFacts};
    use graph::ids::splitmix64;

    /// The straightforward sums of `[a, b)`: every media's counts at `b` minus at `a`, the
    /// likes of media published in the window, and each interaction and activity in it.
    fn window_direct(seed: u64, account: &str, rows: &AccountRows, a: i64, b: i64) -> Window {
        let profile = match &rows.profile {
            Some(text) => serde_json::from_str(text).expect("a profile"),
            None => Profile::derived(seed, account, rows.followers_count.expect("an account"), 0),
        };
        let mut w = Window::default();
        for m in &rows.media {
            let surface = Surface::of(&m.media_product_type).expect("a surface");
            let key = MediaKey {
                id: &m.id,
                surface,
                created_at: m.created_at,
            };
            let totals = model::totals(seed, account, &profile, key);
            let gained = model::counts_at(&totals, key, b).minus(model::counts_at(&totals, key, a));
            let p = &mut w.products[product_index(&m.media_type, &m.media_product_type)];
            p.add_gained(gained);
            if m.created_at >= a && m.created_at < b {
                p.likes += (m.like_count - m.timed_likes).max(0);
            }
        }
        for (t, media_type, product, is_like) in &rows.interactions {
            if *t >= a && *t < b {
                let p = &mut w.products[product_index(media_type, product)];
                if *is_like {
                    p.likes += 1;
                } else {
                    p.comments += 1;
                }
            }
        }
        for (activity, media) in &rows.activity {
            if activity.at < a || activity.at >= b {
                continue;
            }
            match activity.kind.as_str() {
                "follows" => w.follows += activity.amount,
                "unfollows" => w.unfollows += activity.amount,
                kind => match media {
                    Some((t, p)) => w.products[product_index(t, p)].add_kind(kind, activity.amount),
                    None => w.account.add_kind(kind, activity.amount),
                },
            }
        }
        let (follows, unfollows) = profile.follows_between(seed, account, a, b);
        w.follows += follows;
        w.unfollows += unfollows;
        w
    }

    /// A random account: `n` media of every kind over 120 days before `now`, likes with and
    /// without a time, comments, explicit activity on media and on the account.
    fn random_rows(seed: u64, n: usize, now: i64) -> AccountRows {
        let mut state = seed;
        let mut next = |below: i64| {
            state = splitmix64(state);
            (state % below as u64) as i64
        };
        const KINDS: [(&str, &str); 5] = [
            ("IMAGE", "FEED"),
            ("CAROUSEL_ALBUM", "FEED"),
            ("VIDEO", "REELS"),
            ("IMAGE", "STORY"),
            ("VIDEO", "FEED"),
        ];
        let mut media: Vec<MediaFacts> = (0..n)
            .map(|i| {
                let (media_type, product) = KINDS[next(5) as usize];
                let like_count = next(300);
                MediaFacts {
                    id: format!("179{i:08}"),
                    media_type: media_type.into(),
                    media_product_type: product.into(),
                    created_at: now - next(120 * DAY),
                    like_count,
                    timed_likes: next(like_count + 20),
                }
            })
            .collect();
        media.sort_by_key(|m| m.created_at);
        let mut interactions: Vec<(i64, String, String, bool)> = (0..n * 3)
            .map(|_| {
                let m = &media[next(n as i64) as usize];
                let at = m.created_at + next(20 * DAY);
                (
                    at,
                    m.media_type.clone(),
                    m.media_product_type.clone(),
                    next(2) == 0,
                )
            })
            .collect();
        interactions.sort();
        let kinds = [
            "views",
            "likes",
            "saves",
            "shares",
            "replies",
            "profile_visits",
            "link_taps",
            "follows",
            "unfollows",
        ];
        let mut activity: Vec<(Activity, Option<(String, String)>)> = (0..n)
            .map(|_| {
                let on_media = next(3) > 0;
                let m = &media[next(n as i64) as usize];
                let kind = kinds[next(kinds.len() as i64) as usize];
                (
                    Activity {
                        at: now - next(100 * DAY),
                        media_id: on_media.then(|| m.id.clone()),
                        kind: kind.into(),
                        amount: 1 + next(40),
                    },
                    on_media.then(|| (m.media_type.clone(), m.media_product_type.clone())),
                )
            })
            .collect();
        activity.sort_by_key(|a| a.0.at);
        let mut profile = Profile::derived(seed, "17841", 40_000 + next(80_000), now - 90 * DAY);
        profile.daily_growth = 0.001 * next(5) as f64;
        AccountRows {
            followers_count: Some(1234),
            profile: (next(2) == 0).then(|| serde_json::to_string(&profile).expect("a profile")),
            media,
            activity,
            interactions,
            derived: Default::default(),
        }
    }

    /// The running sums answer exactly what summing every media answers, for windows of any
    /// length and alignment, on random accounts (issue #12: numbers stay identical).
    #[test]
    fn the_ledger_answers_what_summing_every_media_answers() {
        let now = 1_780_000_000;
        for seed in 1..=6u64 {
            let rows = random_rows(seed, 400, now);
            let ledger = ledger_of(&rows, seed, "17841")
                .expect("a ledger")
                .expect("an account");
            let data = AccountData::new(ledger);
            let mut state = seed ^ 0xfeed;
            let mut next = |below: i64| {
                state = splitmix64(state);
                (state % below as u64) as i64
            };
            for _ in 0..60 {
                let b = now - next(100 * DAY) + next(2 * DAY);
                let a = b - [3_600, DAY, 7 * DAY, 28 * DAY, 30 * DAY, next(30 * DAY) + 1]
                    [next(6) as usize];
                assert_eq!(
                    data.window(a, b),
                    window_direct(seed, "17841", &rows, a, b),
                    "seed {seed}, [{a}, {b})"
                );
            }
            // Day buckets sharing their ends, as a time series asks for them.
            for day in 0..30 {
                let (a, b) = (now - (day + 1) * DAY, now - day * DAY);
                assert_eq!(data.window(a, b), window_direct(seed, "17841", &rows, a, b));
            }
        }
    }
}
