//! `--demo`: a ready-made world to try localgram with: an app, a BUSINESS account linked to a
//! Facebook Page, a CREATOR account, a few people and media; then tokens and example calls.

use crate::sim::accounts::{create_account_blocking, NewAccount};
use crate::sim::apps::{create_app_blocking, NewApp};
use crate::sim::media::insert_media;
use crate::sim::people::{create_person_blocking, NewPerson};
use crate::sim::tokens::{issue_blocking, NewToken};
use crate::sim::ControlError;
use crate::state::Shared;
use crate::store::{accounts, apps, StoreError};

pub const DEMO_APP_NAME: &str = "localgram demo";

/// Creates the demo world unless the store already has apps.
pub fn ensure(state: &Shared) -> Result<(), ControlError> {
    if !state.db.read_blocking(apps::list)?.is_empty() {
        return Ok(());
    }
    create_app_blocking(
        state,
        NewApp {
            redirect_uris: vec!["http://localhost:3000/callback".into()],
            access_level: "advanced".into(),
            ..NewApp::named(DEMO_APP_NAME)
        },
    )?;
    let (business, _) = create_account_blocking(
        state,
        NewAccount {
            username: "bluebottle".into(),
            name: Some("Blue Bottle Coffee".into()),
            account_type: Some("BUSINESS".into()),
            biography: Some("Coffee roasters since 2002.".into()),
            website: Some("https://bluebottle.example/".into()),
            profile_picture_url: None,
            followers_count: Some(12_400),
            follows_count: Some(180),
            is_private: false,
            facebook_page: true,
            page_name: Some("Blue Bottle Coffee".into()),
            facebook_user_name: Some("Jamie Rivera".into()),
            page_tasks: None,
            page_role_via_business_manager: false,
        },
    )?;
    let (creator, _) = create_account_blocking(
        state,
        NewAccount {
            username: "metricsaurus".into(),
            name: Some("Metricsaurus".into()),
            account_type: Some("CREATOR".into()),
            biography: Some("Dino data crunching app".into()),
            website: Some("http://www.metricsaurus.example/".into()),
            profile_picture_url: None,
            followers_count: Some(2_150),
            follows_count: Some(321),
            is_private: false,
            facebook_page: false,
            page_name: None,
            facebook_user_name: None,
            page_tasks: None,
            page_role_via_business_manager: false,
        },
    )?;
    for (username, name) in [
        ("kevin.hart.fan", "Kevin"),
        ("ana.sousa", "Ana Sousa"),
        ("sam_tries_things", "Sam"),
    ] {
        create_person_blocking(
            state,
            NewPerson {
                username: username.into(),
                name: Some(name.into()),
                profile_picture_url: None,
                is_private: false,
                followers_count: Some(140),
                hide_like_counts: false,
            },
        )?;
    }
    let now = state.clock.now();
    let posts: &[(&str, &str, &str, Option<&str>, i64)] = &[
        (
            &business.id,
            "IMAGE",
            "FEED",
            Some("Fresh roast this morning ☕ #coffee"),
            3 * 86_400,
        ),
        (
            &business.id,
            "CAROUSEL_ALBUM",
            "FEED",
            Some("Our new cafe, inside and out"),
            2 * 86_400,
        ),
        (
            &business.id,
            "VIDEO",
            "REELS",
            Some("How we pour a cortado"),
            86_400,
        ),
        (&business.id, "IMAGE", "STORY", None, 3_600),
        (
            &creator.id,
            "IMAGE",
            "FEED",
            Some("There can be only one!"),
            5 * 86_400,
        ),
    ];
    state.db.write_blocking(|tx| -> Result<(), StoreError> {
        for (account_id, media_type, product, caption, age) in posts {
            let created_at = now - age;
            let id = insert_media(
                tx, state, account_id, media_type, product, *caption, None, created_at,
            )?
            .id;
            if *media_type == "CAROUSEL_ALBUM" {
                for _ in 0..2 {
                    insert_media(
                        tx,
                        state,
                        account_id,
                        "IMAGE",
                        "FEED",
                        None,
                        Some(&id),
                        created_at,
                    )?;
                }
            }
        }
        history(tx, state, &business.id, 12_400, 0.002, now)?;
        history(tx, state, &creator.id, 2_150, 0.004, now)?;
        Ok(())
    })?;
    Ok(())
}

/// Captions of the demo's older posts, in turn.
const HISTORY_CAPTIONS: &[&str] = &[
    "Single origin of the week",
    "Behind the counter",
    "Latte art practice",
    "New beans just landed",
    "Weekend hours",
    "Meet the roasters",
];

/// Ninety days of an account's past (issue #12): an audience that grew to `followers` by
/// `daily_growth` a day, and a post every other day, a reel every five and a story every three,
/// with likes in line with the reach the model gives them, so insights look real at once.
fn history(
    tx: &crate::store::Writer,
    state: &Shared,
    account_id: &str,
    followers: i64,
    daily_growth: f64,
    now: i64,
) -> Result<(), StoreError> {
    use crate::insights::model::{self, MediaKey, Surface, DAY};
    let seed = state.ids.seed();
    let start = now - 90 * DAY;
    let mut profile = model::Profile::derived(seed, account_id, followers, start);
    profile.followers = (followers as f64 / (1.0 + daily_growth).powi(90)).round() as i64;
    profile.daily_growth = daily_growth;
    let text = serde_json::to_string(&profile).map_err(|e| StoreError::Internal(e.to_string()))?;
    crate::store::insights::set_profile(tx, account_id, &text, start)?;
    for day in (6..90).rev() {
        let created_at = now - day * DAY + (day * 7_919) % (10 * 3_600);
        let kind = match day {
            d if d % 5 == 0 => ("VIDEO", "REELS"),
            d if d % 3 == 0 => ("IMAGE", "STORY"),
            d if d % 2 == 0 => ("IMAGE", "FEED"),
            _ => continue,
        };
        let caption =
            (kind.1 != "STORY").then(|| HISTORY_CAPTIONS[day as usize % HISTORY_CAPTIONS.len()]);
        let media = insert_media(
            tx, state, account_id, kind.0, kind.1, caption, None, created_at,
        )?;
        if kind.1 != "STORY" {
            let key = MediaKey {
                id: &media.id,
                surface: Surface::of(kind.1).unwrap_or(Surface::Feed),
                created_at,
            };
            let reach = model::totals(seed, account_id, &profile, key).reach;
            let share = 0.04 + 0.05 * model::unit(model::hash(seed, &[&media.id, "likes"]));
            crate::store::media::add_counts(tx, &media.id, 0, (reach * share).round() as i64)?;
        }
    }
    Ok(())
}

/// The demo summary, from async code: it issues tokens on the blocking threads, where the store's
/// synchronous calls may run.
pub async fn describe(state: &Shared, base: &str) -> Result<String, ControlError> {
    let (state, base) = (state.clone(), base.to_string());
    tokio::task::spawn_blocking(move || describe_blocking(&state, &base))
        .await
        .map_err(|e| {
            ControlError::from(StoreError::Internal(format!("the demo task failed: {e}")))
        })?
}

/// Ready-to-use tokens and example calls for the demo world. Blocks its thread: call it off
/// the async runtime (see [`describe`]).
fn describe_blocking(state: &Shared, base: &str) -> Result<String, ControlError> {
    let app = state
        .db
        .read_blocking(apps::list)?
        .into_iter()
        .find(|a| a.name == DEMO_APP_NAME)
        .ok_or_else(|| ControlError::not_found("the demo app is gone (was the store reset?)"))?;
    let all = state.db.read_blocking(accounts::list)?;
    let mut out = String::new();
    out.push_str(&format!(
        "\nDemo app \"{}\": id {}, secret {}, Instagram app id {}\n",
        app.name, app.id, app.secret, app.instagram_app_id
    ));
    let mut first_ig = None;
    let mut first_fb = None;
    for account in &all {
        let ig = issue_blocking(
            state,
            NewToken {
                app_id: app.id.clone(),
                account_id: account.id.clone(),
                login: "instagram".into(),
                scopes: None,
                long_lived: true,
                system_user: false,
            },
        )?;
        out.push_str(&format!(
            "\n@{} ({}, IG user id {})\n  Instagram Login token: {}\n",
            account.username, account.account_type, account.id, ig.token.token
        ));
        first_ig.get_or_insert((account.id.clone(), ig.token.token.clone()));
        if let Some(page_id) = &account.page_id {
            let fb = issue_blocking(
                state,
                NewToken {
                    app_id: app.id.clone(),
                    account_id: account.id.clone(),
                    login: "facebook".into(),
                    scopes: None,
                    long_lived: true,
                    system_user: false,
                },
            )?;
            out.push_str(&format!(
                "  Facebook Page id {page_id}\n  Facebook Login token: {}\n",
                fb.token.token
            ));
            first_fb.get_or_insert((account.id.clone(), page_id.clone(), fb.token.token.clone()));
        }
    }
    out.push_str("\nTry:\n");
    if let Some((_, token)) = &first_ig {
        out.push_str(&format!(
            "  curl -H 'Host: graph.instagram.com' '{base}/v24.0/me?fields=user_id,username,account_type,followers_count,media_count&access_token={token}'\n"
        ));
        out.push_str(&format!("  curl '{base}/v24.0/me/media?fields=id,caption,media_type,timestamp&limit=2&access_token={token}'\n"));
    }
    if let Some((ig_id, page_id, token)) = &first_fb {
        out.push_str(&format!(
            "  curl '{base}/v24.0/{page_id}?fields=instagram_business_account{{id,username}}&access_token={token}'\n"
        ));
        out.push_str(&format!(
            "  curl '{base}/v24.0/{ig_id}?fields=biography,id,username,website&access_token={token}'\n"
        ));
    }
    let redirect = app.redirect_uris.first().cloned().unwrap_or_default();
    out.push_str(&format!(
        "\nLog in as a person would (open in a browser):\n  Instagram Login: {base}/oauth/authorize?client_id={}&redirect_uri={redirect}&response_type=code&scope=instagram_business_basic,instagram_business_content_publish\n  Facebook Login:  {base}/v24.0/dialog/oauth?client_id={}&redirect_uri={redirect}&response_type=code&scope=instagram_basic,pages_show_list\n",
        app.instagram_app_id, app.id
    ));
    out.push_str(&format!("\n  curl '{base}/_localgram/clock'\n  OpenAPI of the control API: {base}/_localgram/openapi.json\n"));
    out.push_str(&format!(
        "\nSee and play Instagram's side:\n  Console: {base}/_localgram/console\n  CLI:     localgram --url {base} deliveries --follow\n"
    ));
    Ok(out)
}
