//! An account's insights over time windows: sums over its media (the model's counts between
//! the window's ends, explicit activity, real likes and comments), follower movements and
//! demographics. Everything is read once per request ([`AccountData::load`]) and then
//! computed in memory, so a 30-bucket series costs one set of reads.

use super::catalog::{product_dimension, CONTACT_BUTTON_TYPES};
use super::model::{self, apportion, MediaKey, Profile, Surface, Totals, DAY};
use crate::store::insights::{self as store, Activity, MediaFacts, MediaKind};
use crate::store::{Reader, StoreResult};

/// The `media_product_type` dimension values, in the order results list them.
pub const PRODUCTS: [&str; 4] = ["POST", "CAROUSEL_CONTAINER", "REEL", "STORY"];

/// How much of each surface's audience already follows the account (for `follow_type` and
/// `follower_type`).
const FOLLOWER_SHARE: [f64; 4] = [0.72, 0.7, 0.38, 0.9];

/// Reach across media overlaps: the same person reached by two posts counts once.
const REACH_OVERLAP_PERCENT: i64 = 15;

/// Media older than this collect nothing more (the longest settle horizon).
const HORIZON: i64 = 31 * DAY;

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

/// Everything an account's insights read, loaded once for `[from, to)`.
pub struct AccountData {
    pub seed: u64,
    pub account_id: String,
    pub profile: Profile,
    media: Vec<(MediaFacts, Totals, Surface)>,
    activity: Vec<(Activity, MediaKind)>,
    interactions: Vec<(i64, String, String, bool)>,
    /// Windows already summed in this request: several metrics share their buckets.
    windows: std::cell::RefCell<std::collections::HashMap<(i64, i64), Window>>,
}

impl AccountData {
    pub fn load(
        r: &Reader,
        seed: u64,
        account_id: &str,
        profile: Profile,
        from: i64,
        to: i64,
    ) -> StoreResult<AccountData> {
        let since = store::Since {
            feed: from - Surface::Feed.horizon(),
            reels: from - Surface::Reels.horizon(),
            story: from - Surface::Story.horizon(),
        };
        let media = store::media_created(r, account_id, since, to)?
            .into_iter()
            .filter_map(|m| {
                let surface = Surface::of(&m.media_product_type)?;
                let key = MediaKey {
                    id: &m.id,
                    surface,
                    created_at: m.created_at,
                };
                let totals = model::totals(seed, account_id, &profile, key);
                Some((m, totals, surface))
            })
            .collect();
        Ok(AccountData {
            seed,
            account_id: account_id.to_string(),
            activity: store::account_activity(r, account_id, from, to)?,
            interactions: store::interactions(r, account_id, from, to)?,
            media,
            profile,
            windows: Default::default(),
        })
    }

    /// The sums of `[a, b)` (within the loaded range), computed once per request.
    pub fn window(&self, a: i64, b: i64) -> Window {
        if let Some(w) = self.windows.borrow().get(&(a, b)) {
            return w.clone();
        }
        let w = self.sum(a, b);
        self.windows.borrow_mut().insert((a, b), w.clone());
        w
    }

    fn sum(&self, a: i64, b: i64) -> Window {
        let mut w = Window::default();
        // Media are in creation order: skip those settled before `a`, stop at `b`.
        let first = self
            .media
            .partition_point(|(m, _, _)| m.created_at < a - HORIZON);
        for (m, totals, surface) in &self.media[first..] {
            if m.created_at >= b {
                break;
            }
            if m.created_at + surface.horizon() <= a && m.created_at < a {
                continue; // settled before the window: nothing gained in it
            }
            let key = MediaKey {
                id: &m.id,
                surface: *surface,
                created_at: m.created_at,
            };
            let gained = model::counts_at(totals, key, b).minus(model::counts_at(totals, key, a));
            let p = &mut w.products[product_index(&m.media_type, &m.media_product_type)];
            p.views += gained.views;
            p.reach += gained.reach;
            p.saves += gained.saved;
            p.shares += gained.shares;
            p.replies += gained.replies;
            p.profile_visits += gained.profile_visits;
            p.follows += gained.follows;
            p.link_taps += gained.link_taps;
            if m.created_at >= a {
                // Likes without a time of their own count when the media was published.
                p.likes += (m.like_count - m.timed_likes).max(0);
            }
        }
        for (t, media_type, product, is_like) in &self.interactions {
            if *t >= a && *t < b {
                let p = &mut w.products[product_index(media_type, product)];
                if *is_like {
                    p.likes += 1;
                } else {
                    p.comments += 1;
                }
            }
        }
        for (activity, media) in &self.activity {
            if activity.at < a || activity.at >= b {
                continue;
            }
            match activity.kind.as_str() {
                "follows" => w.follows += activity.amount,
                "unfollows" => w.unfollows += activity.amount,
                kind => match media {
                    Some((media_type, product)) => w.products[product_index(media_type, product)]
                        .add_kind(kind, activity.amount),
                    None => w.account.add_kind(kind, activity.amount),
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
