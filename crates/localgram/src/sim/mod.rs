//! The control API under `/_localgram/`: the other side of Instagram that tests play (apps,
//! accounts, people, tokens), the virtual clock, the request log, reset and snapshots.
//! Its shapes are a public contract: extend them, never break them. Every route is described
//! by the OpenAPI document generated in `openapi` (served at `/_localgram/openapi.json`).

pub mod accounts;
pub mod apps;
pub mod clock;
pub mod comments;
pub mod discovery;
pub mod error;
pub mod faults;
pub mod guard;
pub mod handover;
pub mod insights;
pub mod limits;
pub mod live;
pub mod logins;
pub mod media;
pub mod messaging;
pub mod openapi;
pub mod people;
pub mod publishing;
pub mod requests;
pub mod seed;
pub mod shopping;
pub mod snapshot;
pub mod tokens;
pub mod views;
pub mod webhooks;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, patch, post};
use axum::Router;

use crate::state::Shared;
pub use error::ControlError;

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/apps", post(apps::create).get(apps::list))
        .route("/accounts", post(accounts::create).get(accounts::list))
        .route("/accounts/{id}", get(accounts::get_one))
        .route("/accounts/{id}/media", post(media::create))
        .route("/people", post(people::create).get(people::list))
        .route("/tokens", post(tokens::create))
        .route("/clock", get(clock::get_clock).post(clock::set_clock))
        .route("/clock/due", get(views::clock_due))
        .route("/requests", get(requests::list))
        .route("/requests/{id}", get(requests::get_one))
        .route("/reset", post(snapshot::reset))
        .route(
            "/snapshot",
            get(snapshot::export)
                .put(snapshot::import)
                .layer(DefaultBodyLimit::max(
                    // A snapshot of a large state (a million media and comments is ~0.8 GB) is
                    // parsed row by row; only the body itself is held.
                    SNAPSHOT_BODY_LIMIT,
                )),
        )
        .route("/openapi.json", get(openapi::serve))
        // ----- logins and tokens (issue #3)
        .route("/login/next", post(logins::next))
        .route("/tokens/invalidate", post(logins::invalidate))
        // ----- the app model (issue #13)
        .route("/apps/{id}", get(apps::get_one).post(apps::update))
        .route("/apps/{id}/review", post(apps::submit_review))
        .route("/apps/{id}/deauthorize", post(apps::deauthorize))
        .route("/apps/{id}/data_deletion", post(apps::data_deletion))
        .route(
            "/apps/{id}/roles",
            post(logins::add_role).get(logins::list_roles),
        )
        // ----- content publishing (issue #4)
        .route(
            "/containers/{id}",
            get(publishing::get_container).post(publishing::set_container),
        )
        .route("/files", post(publishing::create_file))
        .route("/locations", post(publishing::create_location))
        .route(
            "/accounts/{id}/publishing",
            get(publishing::get_flags).post(publishing::set_flags),
        )
        // ----- media, comments, people (issue #5)
        .route("/people/{id}/comments", post(comments::person_comments))
        .route("/accounts/{id}/comments", post(comments::account_comments))
        .route(
            "/comments/{id}",
            patch(comments::edit_comment).delete(comments::delete_comment),
        )
        .route("/people/{id}/likes", post(comments::like))
        // ----- insights (issue #12)
        .route(
            "/accounts/{id}/audience",
            get(insights::get_audience).post(insights::set_audience),
        )
        .route("/accounts/{id}/activity", post(insights::add_activity))
        .route("/people/{id}/likes/{object_id}", delete(comments::unlike))
        .route("/people/{id}/media", post(comments::person_media))
        .route(
            "/accounts/{id}/live",
            post(comments::start_live).delete(comments::end_live),
        )
        .route(
            "/media/{id}/collaborators",
            post(comments::set_collaborator).get(comments::list_invites),
        )
        .route(
            "/media/{id}/collaborators/{username}",
            delete(comments::remove_collaborator),
        )
        .route(
            "/media/{id}/collaborators/{username}/accept",
            post(comments::accept_invite),
        )
        .route(
            "/media/{id}/collaborators/{username}/decline",
            post(comments::decline_invite),
        )
        .route("/accounts/{id}/restricted", post(comments::restrict))
        // ----- messaging (issue #7)
        .route(
            "/people/{id}/messages",
            post(messaging::person_message).get(messaging::person_thread),
        )
        .route("/people/{id}/reactions", post(messaging::reaction))
        .route("/people/{id}/postbacks", post(messaging::postback))
        .route("/people/{id}/seen", post(messaging::seen))
        .route("/people/{id}/referrals", post(messaging::referral))
        .route("/people/{id}/optins", post(messaging::optin))
        .route(
            "/people/{id}/relationships",
            post(messaging::set_relationship),
        )
        .route("/people/{id}/verified", post(messaging::set_verified))
        .route(
            "/messages/{mid}",
            patch(messaging::edit_message).delete(messaging::delete_message),
        )
        .route(
            "/accounts/{id}/self_messages",
            post(messaging::self_message),
        )
        .route("/accounts/{id}/messaging", post(messaging::set_switches))
        .route(
            "/accounts/{id}/handover",
            get(handover::get).post(handover::set_roles),
        )
        .route("/accounts/{id}/handover/inbox", post(handover::inbox))
        // ----- webhooks (issue #6)
        .route("/webhooks", get(webhooks::status))
        .route("/webhooks/deliveries", get(webhooks::list))
        .route("/webhooks/stats", get(webhooks::stats))
        .route(
            "/webhooks/retention",
            get(webhooks::get_retention).post(webhooks::set_retention),
        )
        .route("/webhooks/replay", post(webhooks::replay_all))
        .route("/webhooks/deliveries/{id}", get(webhooks::get_one))
        .route("/webhooks/deliveries/{id}/replay", post(webhooks::replay))
        .route("/webhooks/pause", post(webhooks::pause))
        .route("/webhooks/resume", post(webhooks::resume))
        .route("/webhooks/test", post(webhooks::test))
        .route(
            "/webhooks/tls",
            get(webhooks::get_tls).post(webhooks::set_tls),
        )
        // ----- rate limits and faults (issue #14)
        .route(
            "/faults",
            post(faults::create).get(faults::list).delete(faults::clear),
        )
        .route(
            "/faults/{id}",
            get(faults::get_one).delete(faults::delete_one),
        )
        .route(
            "/rate_limits",
            get(limits::get_limits).post(limits::set_limits),
        )
        .route("/rate_limits/reset", post(limits::reset))
        // discovery (issue #13)
        .route("/hashtags", post(discovery::hashtag))
        .route("/accounts/{id}/media/bulk", post(discovery::bulk_media))
        .route("/accounts/{id}/discovery", post(discovery::switches))
        .route("/people/{id}/discovery", post(discovery::person_switches))
        .route("/media/{id}/views", post(discovery::set_views))
        .route("/accounts/{id}/threads", post(discovery::threads))
        .route("/accounts/{id}/catalogs", post(shopping::create_catalog))
        .route("/catalogs/{id}/products", post(shopping::create_product))
        .route("/products/{id}/review", post(shopping::review))
        // ----- the console and the CLI (issue #15)
        .route("/events", get(live::stream))
        .route("/tokens", get(views::list_tokens))
        .route("/tokens/inspect", get(tokens::inspect))
        .route("/accounts/{id}/media", get(views::account_media))
        .route(
            "/accounts/{id}/conversations",
            get(views::account_conversations),
        )
        .route("/accounts/{id}/containers", get(views::account_containers))
        .route("/media/{id}", get(views::media_thread))
        .route("/accounts/{id}/insights", get(views::account_insights))
        .route("/media/{id}/insights", get(views::media_insights))
        .route("/apps/{id}/webhooks", get(views::app_webhooks))
        .route("/seed", post(seed::seed))
        .route("/console", get(crate::console::index))
        .route("/console/app.js", get(crate::console::script))
        .route("/console/app.css", get(crate::console::style))
        .route("/console/api", get(crate::console::reference::page))
        .route(
            "/console/api-reference.js",
            get(crate::console::reference::script),
        )
        .fallback(|| async { ControlError::not_found("no such control API route") })
        .layer(DefaultBodyLimit::max(256 * 1024 * 1024))
        .with_state(state)
}

/// The largest snapshot `PUT /_localgram/snapshot` takes; other control routes take 256 MiB.
pub const SNAPSHOT_BODY_LIMIT: usize = 4 << 30;

/// Parses a JSON request body into `T`, answering the control API's error shape on failure.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ControlError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| ControlError::bad_request(format!("invalid JSON body: {e}")))
}
