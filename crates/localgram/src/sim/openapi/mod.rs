//! The control API's OpenAPI document, generated from the code: each control handler carries
//! its `#[utoipa::path]` (method, path, parameters, body, answers), request bodies and query
//! parameters derive their schemas from the structs the handlers parse, and the answers'
//! shapes are in [`answers`]. Served at `GET /_localgram/openapi.json` and printed by
//! `localgram openapi`. A new control route is one more entry in `paths(...)` below (plus the
//! handler's annotation); the control API suite fails while the router and this list differ.

pub mod answers;
pub mod vocab;

use std::sync::LazyLock;

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "localgram control API",
        version = "1",
        description = "The other side of Instagram, for tests: apps, accounts, people, tokens, the virtual clock, the request log, reset and snapshots. These shapes are a public contract: they are extended, never broken."
    ),
    servers((url = "/_localgram")),
    paths(
        super::apps::create,
        super::apps::list,
        super::apps::get_one,
        super::apps::update,
        super::apps::submit_review,
        super::apps::deauthorize,
        super::apps::data_deletion,
        super::handover::get,
        super::handover::set_roles,
        super::handover::inbox,
        super::webhooks::get_tls,
        super::webhooks::set_tls,
        super::accounts::create,
        super::accounts::list,
        super::accounts::get_one,
        super::media::create,
        super::people::create,
        super::people::list,
        super::tokens::create,
        super::clock::get_clock,
        super::clock::set_clock,
        super::requests::list,
        super::requests::get_one,
        super::views::clock_due,
        super::views::account_insights,
        super::views::media_insights,
        super::snapshot::reset,
        super::snapshot::export,
        super::snapshot::import,
        super::openapi::serve,
        super::logins::next,
        super::logins::invalidate,
        super::logins::add_role,
        super::logins::list_roles,
        super::publishing::get_container,
        super::publishing::set_container,
        super::publishing::create_file,
        super::publishing::create_location,
        super::publishing::get_flags,
        super::publishing::set_flags,
        super::comments::person_comments,
        super::comments::account_comments,
        super::comments::edit_comment,
        super::comments::delete_comment,
        super::comments::like,
        super::insights::get_audience,
        super::insights::set_audience,
        super::insights::add_activity,
        super::comments::unlike,
        super::comments::person_media,
        super::comments::start_live,
        super::comments::end_live,
        super::comments::set_collaborator,
        super::comments::list_invites,
        super::comments::remove_collaborator,
        super::comments::accept_invite,
        super::comments::decline_invite,
        super::comments::restrict,
        super::messaging::person_message,
        super::messaging::person_thread,
        super::messaging::reaction,
        super::messaging::postback,
        super::messaging::seen,
        super::messaging::referral,
        super::messaging::optin,
        super::messaging::set_relationship,
        super::messaging::set_verified,
        super::messaging::edit_message,
        super::messaging::delete_message,
        super::messaging::self_message,
        super::messaging::set_switches,
        super::webhooks::status,
        super::webhooks::list,
        super::webhooks::stats,
        super::webhooks::get_retention,
        super::webhooks::set_retention,
        super::webhooks::replay_all,
        super::webhooks::get_one,
        super::webhooks::replay,
        super::webhooks::pause,
        super::webhooks::resume,
        super::webhooks::test,
        super::faults::create,
        super::faults::list,
        super::faults::clear,
        super::faults::get_one,
        super::faults::delete_one,
        super::limits::get_limits,
        super::limits::set_limits,
        super::limits::reset,
        super::discovery::hashtag,
        super::discovery::bulk_media,
        super::discovery::switches,
        super::discovery::person_switches,
        super::discovery::set_views,
        super::discovery::threads,
        super::shopping::create_catalog,
        super::shopping::create_product,
        super::shopping::review,
        super::live::stream,
        super::views::list_tokens,
        super::tokens::inspect,
        super::views::account_media,
        super::views::account_conversations,
        super::views::account_containers,
        super::views::media_thread,
        super::views::app_webhooks,
        super::seed::seed,
        crate::console::index,
        crate::console::script,
        crate::console::style,
        crate::console::reference::page,
        crate::console::reference::script
    ),
    // The error response is referenced by name; its detail is a schema of its own.
    components(
        responses(crate::sim::error::ErrorBody),
        schemas(crate::sim::error::ErrorDetail)
    ),
    tags(
        (name = "control", description = "This document"),
        (name = "apps", description = "Meta apps as the App Dashboard creates them"),
        (name = "accounts", description = "Instagram professional accounts, optionally linked to a Facebook Page"),
        (name = "media", description = "The account posts from the Instagram app, outside the API"),
        (name = "people", description = "Instagram users who are not the apps' accounts"),
        (name = "tokens", description = "Access tokens, as if the owner had logged in to the app"),
        (name = "logins", description = "How the next login dialog answers, ending tokens, app roles"),
        (name = "clock", description = "The virtual clock: read, move, set and freeze virtual time"),
        (name = "requests", description = "The request log of the Meta hosts"),
        (name = "snapshot", description = "Reset, export and import the whole state"),
        (name = "publishing", description = "What Meta decides about containers, files on the media host, locations and publishing flags"),
        (name = "comments", description = "People comment, reply, edit, delete, like, post, mention, go live and collaborate"),
        (name = "insights", description = "The audience behind insights and activity on the account"),
        (name = "messaging", description = "The customer's side of Instagram messaging"),
        (name = "webhooks", description = "Webhook delivery: the delivery log, replay, pause, retention and the Test button"),
        (name = "faults", description = "Fault injection on Graph calls"),
        (name = "limits", description = "Rate limits in force and the calls counted"),
        (name = "discovery", description = "Hashtags, bulk media, discovery switches, reel views, Threads"),
        (name = "shopping", description = "Instagram Shop catalogs, products and their review"),
        (name = "live", description = "The change feed as server-sent events"),
        (name = "views", description = "Read views the console pages need"),
        (name = "seed", description = "Build a large world in batches"),
        (name = "console", description = "The web console and its assets")
    )
)]
pub struct ControlApi;

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ControlApi::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
});

/// The OpenAPI document of the control API, as JSON.
pub fn document() -> &'static str {
    &DOCUMENT
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "control",
    operation_id = "control_serve",
    summary = "This document",
    responses(
        (status = 200, description = "OK", body = Object),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}
