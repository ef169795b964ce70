//! Meta's error envelope and the catalogue of every error localgram answers with.
//!
//! Handlers never write error text: each error has a named constructor here carrying Meta's
//! message, type, code, subcode and HTTP status. The publishing errors are the reference's
//! error table (ref 001 L3287-3545); the protocol errors (tokens, paths, fields, parameters)
//! are Meta's public Graph API behaviour, each choice recorded in docs/decisions.md.

use serde_json::{json, Map, Value};
use std::fmt;

use crate::api::Api;
use crate::fields::FieldsSyntaxError;
use crate::params::ParamError;
use crate::timefmt::pacific_session_time;

/// One Graph API error, ready to be rendered as `{"error":{...}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphError {
    pub status: u16,
    pub message: String,
    /// The envelope's `type`: `OAuthException`, `GraphMethodException` or `IGApiException`.
    pub kind: &'static str,
    pub code: i64,
    pub subcode: Option<i64>,
    pub is_transient: Option<bool>,
    pub user_title: Option<String>,
    pub user_msg: Option<String>,
}

const OAUTH: &str = "OAuthException";
const GRAPH_METHOD: &str = "GraphMethodException";
const IG_API: &str = "IGApiException";

impl GraphError {
    fn new(status: u16, kind: &'static str, code: i64, message: impl Into<String>) -> Self {
        GraphError {
            status,
            message: message.into(),
            kind,
            code,
            subcode: None,
            is_transient: None,
            user_title: None,
            user_msg: None,
        }
    }

    fn with_subcode(mut self, subcode: i64) -> Self {
        self.subcode = Some(subcode);
        self
    }

    /// Renders the envelope; `fbtrace_id` identifies the request in the request log.
    pub fn to_body(&self, fbtrace_id: &str) -> Value {
        let mut error = Map::new();
        error.insert("message".into(), json!(self.message));
        error.insert("type".into(), json!(self.kind));
        error.insert("code".into(), json!(self.code));
        if let Some(subcode) = self.subcode {
            error.insert("error_subcode".into(), json!(subcode));
        }
        if let Some(transient) = self.is_transient {
            error.insert("is_transient".into(), json!(transient));
        }
        if let Some(title) = &self.user_title {
            error.insert("error_user_title".into(), json!(title));
        }
        if let Some(msg) = &self.user_msg {
            error.insert("error_user_msg".into(), json!(msg));
        }
        error.insert("fbtrace_id".into(), json!(fbtrace_id));
        json!({ "error": Value::Object(error) })
    }

    /// The `WWW-Authenticate` header Meta sends with OAuth errors:
    /// `OAuth "Facebook Platform" "invalid_token" "<message>"`.
    pub fn www_authenticate(&self) -> Option<String> {
        if self.kind != OAUTH {
            return None;
        }
        let reason = match self.code {
            190 | 102 | 104 => "invalid_token",
            10 | 200..=299 => "insufficient_scope",
            _ => "invalid_request",
        };
        let message = self.message.replace('"', "'");
        Some(format!(
            "OAuth \"Facebook Platform\" \"{reason}\" \"{message}\""
        ))
    }

    pub fn is_token_error(&self) -> bool {
        matches!(self.code, 190 | 102 | 104)
    }

    // ----- generic failures -------------------------------------------------------------

    /// Code 1: the catch-all Meta answers when something failed on its side.
    pub fn unknown_error() -> Self {
        GraphError::new(500, OAUTH, 1, "An unknown error has occurred.")
    }

    /// Code 2: a temporary service problem; clients retry.
    pub fn service_unavailable() -> Self {
        let mut e = GraphError::new(
            503,
            OAUTH,
            2,
            "An unexpected error has occurred. Please retry your request later.",
        );
        e.is_transient = Some(true);
        e
    }

    // ----- access tokens -----------------------------------------------------------------

    /// No token at all on an endpoint that needs one.
    pub fn token_required() -> Self {
        GraphError::new(
            400,
            OAUTH,
            104,
            "An access token is required to request this resource.",
        )
    }

    /// `/me` without a token.
    pub fn active_token_required() -> Self {
        GraphError::new(
            400,
            OAUTH,
            2500,
            "An active access token must be used to query information about the current user.",
        )
    }

    /// A token that is not one of ours, or one of the other login's on this API.
    pub fn token_unparseable() -> Self {
        GraphError::new(
            400,
            OAUTH,
            190,
            "Invalid OAuth access token - Cannot parse access token",
        )
    }

    /// A token past its expiry (subcode 463).
    pub fn token_expired(expired_at: i64, now: i64) -> Self {
        GraphError::new(
            400,
            OAUTH,
            190,
            format!(
                "Error validating access token: Session has expired on {}. The current time is {}.",
                pacific_session_time(expired_at),
                pacific_session_time(now)
            ),
        )
        .with_subcode(463)
    }

    /// The person logged out of the session the token belonged to (subcode 467).
    pub fn token_logged_out() -> Self {
        GraphError::new(
            400,
            OAUTH,
            190,
            "Error validating access token: The session is invalid because the user logged out.",
        )
        .with_subcode(467)
    }

    /// The person changed their password (subcode 460).
    pub fn token_password_changed() -> Self {
        GraphError::new(
            400,
            OAUTH,
            190,
            "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
        )
        .with_subcode(460)
    }

    /// The person removed the app, or the token was revoked (subcode 458).
    pub fn token_app_not_authorized(user_id: &str, app_id: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            190,
            format!(
                "Error validating access token: User {user_id} has not authorized application {app_id}."
            ),
        )
        .with_subcode(458)
    }

    /// `appsecret_proof` missing where the app requires it.
    pub fn appsecret_proof_required() -> Self {
        GraphError::new(
            400,
            GRAPH_METHOD,
            100,
            "API calls from the server require an appsecret_proof argument",
        )
    }

    /// `appsecret_proof` that does not match the token and secret.
    pub fn appsecret_proof_invalid() -> Self {
        GraphError::new(
            400,
            GRAPH_METHOD,
            100,
            "Invalid appsecret_proof provided in the API argument",
        )
    }

    // ----- logins and token exchanges -----------------------------------------------------

    /// `client_id` that names no app.
    pub fn invalid_client_id() -> Self {
        GraphError::new(
            400,
            OAUTH,
            101,
            "Error validating application. Invalid application ID.",
        )
    }

    /// `client_secret` that is not the app's.
    pub fn invalid_client_secret() -> Self {
        GraphError::new(400, OAUTH, 1, "Error validating client secret.")
    }

    /// An authorization code localgram never issued.
    pub fn code_invalid() -> Self {
        GraphError::new(400, OAUTH, 100, "Invalid verification code format.")
    }

    /// An authorization code older than its hour.
    pub fn code_expired() -> Self {
        GraphError::new(400, OAUTH, 100, "This authorization code has expired.").with_subcode(36007)
    }

    /// An authorization code exchanged before.
    pub fn code_used() -> Self {
        GraphError::new(400, OAUTH, 100, "This authorization code has been used.")
            .with_subcode(36009)
    }

    /// A code exchanged with another `redirect_uri` (or app) than the dialog had.
    pub fn code_redirect_mismatch() -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
        )
        .with_subcode(36008)
    }

    /// A `grant_type` the endpoint does not take.
    pub fn unsupported_grant_type(grant_type: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) Unsupported grant_type: {grant_type}"),
        )
    }

    /// `ig_exchange_token` on a token that is long-lived already.
    pub fn token_not_short_lived() -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            "(#100) Only a short-lived access token can be exchanged for a long-lived one",
        )
    }

    /// `ig_refresh_token` on a short-lived token.
    pub fn token_not_long_lived() -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            "(#100) Only a long-lived access token can be refreshed",
        )
    }

    /// `ig_refresh_token` on a long-lived token younger than 24 hours (ref 001 L8894-8897).
    pub fn token_refresh_too_early() -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            "(#100) A long-lived access token can be refreshed only once it is at least 24 hours old",
        )
    }

    /// `debug_token` of another app's token.
    pub fn debug_token_app_mismatch() -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            "(#100) The App_id in the input_token did not match the Viewing App",
        )
    }

    // ----- comments, mentions and media -------------------------------------------------

    /// A new comment on media whose comments are turned off.
    pub fn comments_disabled() -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            "(#100) Comments are disabled for this media",
        )
    }

    /// A reply to a hidden comment (ref 001 L3840-3846).
    pub fn reply_to_hidden_comment() -> Self {
        GraphError::new(400, OAUTH, 100, "(#100) Cannot reply to a hidden comment")
    }

    /// Comment operations on live video media, which the API does not support
    /// (ref 001 L4950-4955, L3795-3800).
    pub fn live_video_not_supported() -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            "(#100) This operation is not supported on live video media",
        )
    }

    /// `mentioned_media.media_id(x)` or a mention reply on media that does not mention the user.
    pub fn not_mentioned_in_media(media_id: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) The user was not mentioned in the media {media_id}"),
        )
    }

    /// `mentioned_comment.comment_id(x)` or a mention reply on a comment that does not mention
    /// the user.
    pub fn not_mentioned_in_comment(comment_id: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) The user was not mentioned in the comment {comment_id}"),
        )
    }

    /// Mentions on stories are not supported (ref 001 L7980-7985).
    pub fn mentions_on_stories_not_supported() -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            "(#100) Mentions on stories are not supported",
        )
    }

    /// A field removed in a version: Meta's deprecation error (code 12).
    pub fn field_deprecated(field: &str, version: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            12,
            format!("(#12) {field} field is deprecated for versions {version} and higher"),
        )
    }

    // ----- permissions ---------------------------------------------------------------------

    /// The token lacks a permission the endpoint needs (code 10).
    pub fn permission_denied() -> Self {
        GraphError::new(
            403,
            OAUTH,
            10,
            "(#10) Application does not have permission for this action",
        )
    }

    /// The token lacks a named permission (code 200 family).
    pub fn permission_required(permissions: &[&str]) -> Self {
        let list = permissions.join(", ");
        GraphError::new(
            403,
            OAUTH,
            200,
            format!("(#200) Requires {list} permission to manage the object"),
        )
    }

    // ----- paths, nodes and methods ----------------------------------------------------------

    /// An object that does not exist, is not visible to the token, or does not support the
    /// method (code 100, subcode 33). graph.instagram.com names it `IGApiException` and drops
    /// the documentation pointer.
    pub fn unsupported_method(method: &str, id: &str, api: Api) -> Self {
        let verb = method.to_ascii_lowercase();
        match api {
            Api::Facebook => GraphError::new(
                400,
                GRAPH_METHOD,
                100,
                format!(
                    "Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
                ),
            ),
            Api::Instagram => GraphError::new(
                400,
                IG_API,
                100,
                format!(
                    "Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation"
                ),
            ),
        }
        .with_subcode(33)
    }

    /// A path with segments no node or edge has.
    pub fn unknown_path_components(rest: &str) -> Self {
        GraphError::new(400, OAUTH, 2500, format!("Unknown path components: {rest}"))
    }

    /// An HTTP method the Graph API does not speak at all.
    pub fn unsupported_http_method(method: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("Unsupported method: {}", method.to_ascii_uppercase()),
        )
    }

    /// A version segment that is not a Graph API version Meta released.
    pub fn unknown_version(segment: &str, latest: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            2500,
            format!("Unknown API version: {segment}. The latest version is {latest}."),
        )
    }

    // ----- fields and parameters -----------------------------------------------------------

    /// A field the node type does not have.
    pub fn nonexisting_field(field: &str, node_type: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!(
                "(#100) Tried accessing nonexisting field ({field}) on node type ({node_type})"
            ),
        )
    }

    /// A `fields` expression that does not parse.
    pub fn fields_syntax(error: &FieldsSyntaxError) -> Self {
        GraphError::new(400, OAUTH, 2500, error.message())
    }

    /// A modifier an edge or field does not take, e.g. `.foo(1)`.
    pub fn unknown_modifier(modifier: &str, field: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) Unknown modifier ({modifier}) on field ({field})"),
        )
    }

    /// Subfields `{...}` on a field that is a plain value.
    pub fn no_subfields(field: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) Field {field} is not an object and cannot have subfields"),
        )
    }

    /// A field or edge the reference documents that localgram does not serve yet; the
    /// coverage list (docs/coverage.md) says which issue brings it.
    pub fn not_implemented(feature: &str) -> Self {
        GraphError::new(
            501,
            OAUTH,
            1,
            format!("localgram does not implement {feature} yet; see docs/coverage.md"),
        )
    }

    /// A required parameter that is absent.
    pub fn param_required(name: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) The parameter {name} is required"),
        )
    }

    /// A parameter whose value has the wrong type or shape.
    pub fn param_invalid(name: &str, expected: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) Param {name} must be {expected}"),
        )
    }

    /// A parameter whose value is out of the allowed set.
    pub fn invalid_parameter(detail: &str) -> Self {
        GraphError::new(400, OAUTH, 100, format!("(#100) {detail}"))
    }

    /// From a decoder failure to Meta's parameter errors.
    pub fn from_param(error: &ParamError) -> Self {
        match error {
            ParamError::Missing { name } => GraphError::param_required(name),
            ParamError::Invalid { name, expected } => {
                GraphError::param_invalid(name, &with_article(expected))
            }
            ParamError::Body { .. } => GraphError::invalid_body(),
        }
    }

    /// A request body that is not what its Content-Type says.
    pub fn invalid_body() -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            "(#100) The request body could not be parsed",
        )
    }

    /// A request body over the size Meta accepts.
    pub fn body_too_large() -> Self {
        GraphError::new(413, OAUTH, 100, "(#100) The request body is too large")
    }

    /// An `after`/`before` cursor that is not one localgram issued.
    pub fn invalid_cursor(name: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) The {name} parameter is not a valid cursor"),
        )
    }

    /// Ids in `?ids=` that are not objects.
    pub fn aliases_do_not_exist(ids: &[&str]) -> Self {
        GraphError::new(
            404,
            OAUTH,
            803,
            format!(
                "(#803) Some of the aliases you requested do not exist: {}",
                ids.join(",")
            ),
        )
    }

    // ----- batch requests ----------------------------------------------------------------------

    pub fn batch_too_large(max: usize) -> Self {
        GraphError::new(
            400,
            OAUTH,
            1,
            format!("Too many requests in batch message. Maximum batch size is {max}"),
        )
    }

    pub fn batch_invalid() -> Self {
        GraphError::new(
            400,
            OAUTH,
            190,
            "The parameter batch must be a JSON-encoded array",
        )
    }

    // ----- rate limits -----------------------------------------------------------------------

    pub fn app_rate_limited() -> Self {
        let mut e = GraphError::new(400, OAUTH, 4, "(#4) Application request limit reached");
        e.is_transient = Some(true);
        e
    }

    pub fn user_rate_limited() -> Self {
        let mut e = GraphError::new(400, OAUTH, 17, "(#17) User request limit reached");
        e.is_transient = Some(true);
        e
    }

    /// Code 32: a Page's calls passed its limit (Meta's rate-limiting overview).
    pub fn page_rate_limited() -> Self {
        let mut e = GraphError::new(400, OAUTH, 32, "(#32) Page request limit reached");
        e.is_transient = Some(true);
        e
    }

    /// Code 613: an API with a limit of its own (the Send API, private replies, the
    /// Conversations API) was called too often.
    pub fn api_rate_limited() -> Self {
        let mut e = GraphError::new(
            400,
            OAUTH,
            613,
            "(#613) Calls to this api have exceeded the rate limit.",
        );
        e.is_transient = Some(true);
        e
    }

    /// Code 80002: an Instagram account's Business Use Case budget is spent (ref 002/004
    /// rate limits; the code and message are Meta's public rate-limiting overview).
    pub fn instagram_rate_limited() -> Self {
        let mut e = GraphError::new(
            400,
            OAUTH,
            80002,
            "There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
        );
        e.is_transient = Some(true);
        e
    }

    /// An error a test asked for through the control API's fault injection: any status,
    /// type, code and subcode, rendered in Meta's envelope like every other error.
    #[allow(clippy::too_many_arguments)]
    pub fn injected(
        status: u16,
        kind: &str,
        code: i64,
        subcode: Option<i64>,
        message: String,
        is_transient: Option<bool>,
        user_title: Option<String>,
        user_msg: Option<String>,
    ) -> Self {
        let kind = match kind {
            GRAPH_METHOD => GRAPH_METHOD,
            IG_API => IG_API,
            _ => OAUTH,
        };
        GraphError {
            status,
            message,
            kind,
            code,
            subcode,
            is_transient,
            user_title,
            user_msg,
        }
    }

    /// The envelope types an injected error may name.
    pub const TYPES: [&'static str; 3] = [OAUTH, GRAPH_METHOD, IG_API];

    // ----- the reference's error table (ref 001 L3287-3545) ----------------------------------

    fn table(code: i64, subcode: i64, title: &str, user_msg: String) -> Self {
        GraphError {
            status: 400,
            message: user_msg.clone(),
            kind: OAUTH,
            code,
            subcode: Some(subcode),
            is_transient: Some(false),
            user_title: Some(title.to_string()),
            user_msg: Some(user_msg),
        }
    }

    // ----- discovery (issue #13): hashtags, business discovery, oEmbed --------------------
    // The reference names none of these errors' texts; each is Meta's public behaviour, as
    // docs/decisions.md ("Discovery") records.

    /// A hashtag query that is not one word of letters, digits and `_` (emojis are not
    /// supported, ref 001 L1281).
    pub fn hashtag_query_invalid(q: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) Param q must be a hashtag name without emojis or spaces, not {q:?}"),
        )
    }

    /// A paging parameter an edge does not offer (hashtag media page forward only, ref 001
    /// L4237-4240).
    pub fn param_not_supported_here(name: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) Param {name} is not supported by this edge: it pages forward only"),
        )
    }

    /// Product tagging, catalogs and appeals are for business accounts (ref 001 L6100-6105).
    pub fn shopping_not_for_creators() -> Self {
        GraphError::new(
            400,
            OAUTH,
            10,
            "(#10) Instagram Shopping is not available to creator accounts",
        )
    }

    /// The brand's account cannot use the creator marketplace (ref 001 L9390-9397: code 10,
    /// brand eligibility).
    pub fn creator_marketplace_brand_ineligible() -> Self {
        GraphError::new(
            400,
            OAUTH,
            10,
            "(#10) Permission Denied: the account is not eligible to onboard as a brand to the creator marketplace",
        )
    }

    /// The 31st unique hashtag within 7 days (ref 001 L1277-1278).
    pub fn hashtag_limit_reached() -> Self {
        Self::table(
            24,
            2207034,
            "Hashtag limit reached",
            "You have reached the maximum number of unique hashtags (30) that can be queried within a 7 day period.".into(),
        )
    }

    /// `business_discovery` of a username that names no professional account the caller may
    /// discover (personal, private, age-gated, unknown).
    pub fn business_discovery_not_found(username: &str) -> Self {
        GraphError {
            status: 400,
            message: "Invalid user id".into(),
            kind: OAUTH,
            code: 110,
            subcode: Some(2207013),
            is_transient: Some(false),
            user_title: Some("Cannot find User".into()),
            user_msg: Some(format!(
                "The user with username: {username} cannot be found."
            )),
        }
    }

    /// `business_discovery` by a creator of another creator before August 13, 2019 (004
    /// changelog).
    pub fn business_discovery_creator_target() -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            "(#100) Creator accounts can only discover business accounts",
        )
    }

    /// oEmbed of a URL that is not an Instagram post, reel or guide URL.
    pub fn oembed_url_invalid() -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            "(#100) Invalid URL: the url parameter must be an Instagram post, reel, TV or guide URL",
        )
    }

    /// oEmbed of content that cannot be embedded: unknown, private, inactive, age-restricted,
    /// embeds disabled, or a story (ref 001 L3176-3183; 004 L2945).
    pub fn oembed_not_embeddable() -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            "(#100) No oEmbed data is available for this URL: the media does not exist or cannot be embedded",
        )
    }

    /// -2 / 2207003 (ref 001 L3308-3316).
    pub fn media_download_timeout() -> Self {
        Self::table(
            -2,
            2207003,
            "Media download timed out",
            "It takes too long to download the media.".into(),
        )
    }

    /// -2 / 2207020.
    pub fn media_expired() -> Self {
        Self::table(
            -2,
            2207020,
            "Media expired",
            "The media you are trying to access has expired. Please try to upload again.".into(),
        )
    }

    /// -1 / 2207001.
    pub fn instagram_server_error() -> Self {
        Self::table(
            -1,
            2207001,
            "Instagram server error",
            "Instagram server error. Try again.".into(),
        )
    }

    /// -1 / 2207032.
    pub fn create_media_failed() -> Self {
        Self::table(
            -1,
            2207032,
            "Create media failed",
            "Create media fail, please try to re-create media".into(),
        )
    }

    /// -1 / 2207053.
    pub fn unknown_upload_error() -> Self {
        Self::table(-1, 2207053, "Upload failed", "unknown upload error".into())
    }

    /// 1 / 2207057.
    pub fn thumbnail_offset_out_of_range(video_length: &str) -> Self {
        Self::table(
            1,
            2207057,
            "Invalid thumbnail offset",
            format!(
                "Thumbnail offset must be greater than or equal to 0 and less than video duration, i.e. {video_length}"
            ),
        )
    }

    /// 4 / 2207051.
    pub fn restricted_as_spam() -> Self {
        Self::table(
            4,
            2207051,
            "Action restricted",
            "We restrict certain activity to protect our community. Tell us if you think we made a mistake.".into(),
        )
    }

    /// 9 / 2207042.
    pub fn publish_limit_reached() -> Self {
        Self::table(
            9,
            2207042,
            "Publishing limit reached",
            "You reached maximum number of posts that is allowed to be published by Content Publishing API.".into(),
        )
    }

    /// The 26th product-tagged post within 24 hours (ref 001 L9663; the reference gives no
    /// code: the publishing limit's code 9, decisions.md).
    pub fn product_tagged_post_limit_reached() -> Self {
        GraphError::new(
            400,
            OAUTH,
            9,
            "(#9) Product tagging limit reached: an account can publish at most 25 product-tagged posts within 24 hours",
        )
    }

    /// 24 / 2207006.
    pub fn media_not_found(media_id: &str) -> Self {
        Self::table(
            24,
            2207006,
            "Media not found",
            format!("The media with {media_id} cannot be found"),
        )
    }

    /// 24 / 2207008.
    pub fn media_builder_not_found(creation_id: &str) -> Self {
        Self::table(
            24,
            2207008,
            "Media builder not found",
            format!("The media builder with creation id = {creation_id} does not exist or has been expired."),
        )
    }

    /// 25 / 2207050.
    pub fn account_restricted() -> Self {
        Self::table(
            25,
            2207050,
            "Account restricted",
            "The Instagram account is restricted.".into(),
        )
    }

    /// 100 / 2207023.
    pub fn unknown_media_type(media_type: &str) -> Self {
        Self::table(
            100,
            2207023,
            "Unknown media type",
            format!("The media type {media_type} is unknown."),
        )
    }

    /// 100 / 2207028.
    pub fn carousel_child_count() -> Self {
        Self::table(
            100,
            2207028,
            "Invalid carousel",
            "Your post won't work as a carousel. Carousels need at least 2 photos/videos and no more than 10 photos/videos.".into(),
        )
    }

    /// 100 / 2207035.
    pub fn product_tag_positions_on_video() -> Self {
        Self::table(
            100,
            2207035,
            "Product tag positions not allowed",
            "Product tag positions should not be specified for video media.".into(),
        )
    }

    /// 100 / 2207036.
    pub fn product_tag_positions_required() -> Self {
        Self::table(
            100,
            2207036,
            "Product tag positions required",
            "Product tag positions are required for photo media.".into(),
        )
    }

    /// 100 / 2207037.
    pub fn product_tags_invalid() -> Self {
        Self::table(
            100,
            2207037,
            "Product tags could not be added",
            "We couldn't add all of your product tags. The product ID may be incorrect, the product may be deleted, or you may not have permission to tag the product.".into(),
        )
    }

    /// 100 / 2207040.
    pub fn too_many_tags(max_tag_count: u32) -> Self {
        Self::table(
            100,
            2207040,
            "Too many tags",
            format!("Cannot use more than {max_tag_count} tags per created media."),
        )
    }

    /// 352 / 2207026.
    pub fn unsupported_video_format(format: &str) -> Self {
        Self::table(
            352,
            2207026,
            "Unsupported video format",
            format!("The video format is not supported. Please check spec for supported {format} format"),
        )
    }

    /// 9004 / 2207052.
    pub fn media_fetch_failed(uri: &str) -> Self {
        Self::table(
            9004,
            2207052,
            "Media download failed",
            format!("The media could not be fetched from this uri: {uri}"),
        )
    }

    /// 9007 / 2207027.
    pub fn media_not_ready() -> Self {
        Self::table(
            9007,
            2207027,
            "Media not ready",
            "The media is not ready for publishing, please wait for a moment".into(),
        )
    }

    /// 36000 / 2207004, with the sample's exact message and title (ref 001 L3291-3304).
    pub fn image_too_large(size: &str) -> Self {
        let mut e = Self::table(
            36000,
            2207004,
            "Image size too large",
            format!("The image is too large to download. It should be less than {size}."),
        );
        e.message = "The image size is too large.".into();
        e
    }

    /// 36001 / 2207005.
    pub fn unsupported_image_format(current: &str, supported: &str) -> Self {
        Self::table(
            36001,
            2207005,
            "Unsupported image format",
            format!(
                "The image format {current} is not supported. Supported formats are: {supported}."
            ),
        )
    }

    /// 36003 / 2207009.
    pub fn invalid_aspect_ratio(ratio: &str) -> Self {
        Self::table(
            36003,
            2207009,
            "Invalid aspect ratio",
            format!(
                "The submitted image with aspect ratio {ratio} cannot be published. Please submit an image with a valid aspect ratio."
            ),
        )
    }

    /// 36004 / 2207010.
    pub fn caption_too_long(length: usize, max: usize) -> Self {
        Self::table(
            36004,
            2207010,
            "Caption too long",
            format!(
                "The submitted image's caption was {length} characters long. The maximum number of characters permitted for a caption is {max}. Please submit media with a shorter caption."
            ),
        )
    }

    // ----- webhooks (issue #6; Meta's public wording, recorded in docs/decisions.md) ---------

    /// Code 2200: the callback URL did not pass the verification request Meta sends when the
    /// Webhooks product is configured (ref 004 L2282-2310); `detail` says what happened.
    pub fn callback_verification_failed(detail: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            2200,
            format!("(#2200) callback verification failed: {detail}"),
        )
    }

    /// Code 2201: the callback answered, but not with the `hub.challenge` it was sent.
    pub fn callback_challenge_mismatch(expected: &str, received: &str) -> Self {
        const SHOWN: usize = 100;
        let received: String = received.chars().take(SHOWN).collect();
        GraphError::new(
            400,
            OAUTH,
            2201,
            format!(
                "(#2201) response does not match challenge, expected value=\"{expected}\", received=\"{received}\""
            ),
        )
    }

    /// A list parameter holding a name outside the allowed set, such as an unknown webhook
    /// field in `subscribed_fields`: Meta names the position, the set and the value.
    pub fn param_not_one_of(name: &str, allowed: &[&str], got: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!(
                "(#100) Param {name} must be one of {{{}}} - got \"{got}\"",
                allowed.join(", ")
            ),
        )
    }

    // ----- content publishing (issue #4; choices in docs/decisions.md) ----------------------

    /// A container parameter given for a kind of media that does not take it, such as
    /// `caption` on a carousel item or `cover_url` on an image (ref 001 L223-354).
    pub fn param_not_supported(name: &str, media: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) The parameter {name} is not supported for {media}"),
        )
    }

    /// More than the containers an account may create in a rolling 24 hours (400, ref 001
    /// L18-20); the reference gives no error, so this one is shaped like the publishing limit.
    pub fn container_limit_reached(limit: u32) -> Self {
        let mut e = GraphError::new(
            400,
            OAUTH,
            9,
            format!("(#9) You reached the maximum number of containers ({limit}) that can be created within 24 hours."),
        );
        e.is_transient = Some(false);
        e
    }

    /// `location_id` naming a Page without location data: Meta's coded exception
    /// `INSTAGRAM_PLATFORM_API__INVALID_LOCATION_ID` (ref 001 L289-297).
    pub fn invalid_location_id(location_id: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) INSTAGRAM_PLATFORM_API__INVALID_LOCATION_ID: the location_id {location_id} is not a Page with location data"),
        )
    }

    /// Stories can be published by business accounts only (ref 004 L1657, 000 L52).
    pub fn stories_business_only() -> Self {
        GraphError::new(
            400,
            OAUTH,
            10,
            "(#10) Stories can only be published by Instagram business accounts",
        )
    }

    /// The Facebook user cannot perform the Page tasks publishing needs (ref 001 L55-58).
    pub fn page_task_required(tasks: &[&str]) -> Self {
        GraphError::new(
            403,
            OAUTH,
            10,
            format!(
                "(#10) The user must be able to perform the {} task on the Page connected to the Instagram account",
                tasks.join(" or ")
            ),
        )
    }

    /// The linked Page requires Page Publishing Authorization, not completed (ref 001 L21,
    /// L1384-1387: "the request will fail", code not given).
    pub fn page_publishing_authorization_required() -> Self {
        GraphError::new(
            403,
            OAUTH,
            10,
            "(#10) The Page connected to this Instagram account requires Page Publishing Authorization; complete it before publishing",
        )
    }

    /// The linked Page requires two-factor authentication the Facebook user has not
    /// performed (ref 001 L22, code not given).
    pub fn page_two_factor_required() -> Self {
        GraphError::new(
            403,
            OAUTH,
            10,
            "(#10) The Page connected to this Instagram account requires two-factor authentication, which this user has not performed",
        )
    }

    /// `creation_id` naming a carousel item, which is published with its carousel only
    /// (ref 001 L1554, L2222-2227).
    pub fn carousel_item_not_publishable(creation_id: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) The container {creation_id} is a carousel item: publish the carousel container that holds it"),
        )
    }
    // ----- messaging (issue #7; choices in docs/decisions.md) -------------------------------

    /// The type a messaging error carries: graph.instagram.com answers `IGApiException`, the
    /// Messenger Platform on graph.facebook.com `OAuthException` (as clients report them).
    fn messaging_kind(api: Api) -> &'static str {
        match api {
            Api::Instagram => IG_API,
            Api::Facebook => OAUTH,
        }
    }

    /// Code 10: a message outside the 24-hour window (7 days with `HUMAN_AGENT`, ref 004
    /// L198). Instagram's subcode is 2534022; the Messenger Platform's is 2018278.
    pub fn outside_messaging_window(api: Api) -> Self {
        let subcode = match api {
            Api::Instagram => 2534022,
            Api::Facebook => 2018278,
        };
        GraphError::new(
            403,
            Self::messaging_kind(api),
            10,
            "This message is sent outside of allowed window.",
        )
        .with_subcode(subcode)
    }

    /// Code 230: the person never messaged the account, tapped an ice breaker or a menu item
    /// (ref 000 L1585-1590), so neither their profile nor a message to them is allowed.
    pub fn user_consent_required(api: Api) -> Self {
        GraphError::new(
            400,
            Self::messaging_kind(api),
            230,
            "User consent is required to access user profile.",
        )
    }

    /// 100 / 2534025: a private reply to a comment that already has one, is older than 7 days,
    /// belongs to an ended live broadcast, or is not a person's comment on the account's media
    /// (ref 001 L2494-2496).
    pub fn invalid_private_reply(api: Api) -> Self {
        GraphError::new(
            400,
            Self::messaging_kind(api),
            100,
            "The comment is invalid for a private reply",
        )
        .with_subcode(2534025)
    }

    /// 100 / 2534014: a recipient id that is not an Instagram-scoped id of the account.
    pub fn messaging_user_not_found(api: Api) -> Self {
        GraphError::new(
            400,
            Self::messaging_kind(api),
            100,
            "The requested user cannot be found.",
        )
        .with_subcode(2534014)
    }

    /// 551 / 1545041: the person blocked the account (ref 000 L1641-1645).
    pub fn messaging_user_unavailable() -> Self {
        GraphError::new(400, OAUTH, 551, "This person isn't available right now.")
            .with_subcode(1545041)
    }

    // ----- the Handover Protocol (Meta's public Messenger Platform behaviour, decisions.md) --

    fn handover(api: Api, detail: &str) -> Self {
        GraphError::new(
            400,
            Self::messaging_kind(api),
            10,
            format!("(#10) {detail}"),
        )
    }

    /// The account set no primary receiver: there is no thread control to pass or take.
    pub fn handover_not_configured(api: Api) -> Self {
        Self::handover(
            api,
            "The Handover Protocol is not set up for this account: it has no primary receiver app",
        )
    }

    /// The calling app holds neither role in the account's conversations.
    pub fn handover_no_role(api: Api) -> Self {
        Self::handover(
            api,
            "This app is neither the primary nor a secondary receiver of the account's conversations",
        )
    }

    /// Passing, or sending in, a conversation another app controls.
    pub fn handover_not_thread_owner(api: Api) -> Self {
        Self::handover(
            api,
            "This app does not control the conversation: only the thread owner can pass thread control or send messages",
        )
    }

    /// `take_thread_control` or `secondary_receivers` by an app that is not the primary
    /// receiver.
    pub fn handover_primary_only(api: Api, action: &str) -> Self {
        Self::handover(api, &format!("Only the primary receiver app can {action}"))
    }

    /// `request_thread_control` by the app that already controls the conversation.
    pub fn handover_already_owner(api: Api) -> Self {
        Self::handover(api, "This app already controls the conversation")
    }

    /// A text or title longer than its limit: Meta's length error.
    pub fn param_too_long(name: &str, max: usize) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) Length of param {name} must be less than or equal to {max}"),
        )
    }

    /// A list with more items than its limit (buttons, elements, quick replies, ice breakers).
    pub fn too_many_items(name: &str, max: usize) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) Param {name} must have at most {max} items"),
        )
    }

    /// 100 / 2018047: an attachment whose URL cannot be fetched or does not hold its type.
    pub fn attachment_upload_failed(detail: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) Upload attachment failure: {detail}"),
        )
        .with_subcode(2018047)
    }

    /// An attachment over its type's size limit (8 MB images, 25 MB audio, video and files).
    pub fn attachment_too_large(kind: &str, max: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) Attachment size exceeds allowable limit: {kind} attachments can be at most {max}"),
        )
        .with_subcode(2018047)
    }

    /// 100 / 2534068: sending several images in one message, a beta not yet available to the
    /// account (ref 004 L1122-1126).
    pub fn multi_image_unavailable() -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            "(#100) Sending multiple images in one message is not available for this account yet",
        )
        .with_subcode(2534068)
    }

    /// A body that combines what cannot go together (text with an attachment, a message with
    /// a sender action): `detail` names the parts.
    pub fn message_body_conflict(detail: &str) -> Self {
        GraphError::new(400, OAUTH, 100, format!("(#100) {detail}"))
    }
}

fn with_article(expected: &str) -> String {
    let first = expected.chars().next().unwrap_or('x').to_ascii_lowercase();
    let article = if "aeiou".contains(first) { "an" } else { "a" };
    format!("{article} {expected}")
}

/// Insights (issue #12): `GET /{ig-user-id}/insights` and `GET /{ig-media-id}/insights`. Where the
/// reference gives no wording, the text is Meta's public behaviour (docs/decisions.md, "Insights").
impl GraphError {
    /// A metric name outside the endpoint's list; `index` is its place in `metric`.
    pub fn insights_metric_invalid(index: usize, allowed: &[&str]) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!(
                "(#100) metric[{index}] must be one of the following values: {}",
                allowed.join(", ")
            ),
        )
    }

    /// A metric the request's version or date no longer serves (ref 004 changelog).
    pub fn insights_metric_removed(metric: &str, version: u16, object: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!(
                "(#100) Starting from version {version} and above, the {metric} metric is no longer supported for the queried {object}. Please refer to the documentation at https://developers.facebook.com/docs/instagram-api/reference/ig-{object}/insights for a list of supported metrics."
            ),
        )
    }

    /// Metrics that answer only a simple total, asked without `metric_type=total_value`.
    pub fn insights_total_value_required(metrics: &[&str]) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!(
                "(#100) The following metrics ({}) should be specified with parameter metric_type=total_value",
                metrics.join(", ")
            ),
        )
    }

    /// Metrics asked with `metric_type=total_value` that only answer a time series.
    pub fn insights_time_series_only(metrics: &[&str]) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!(
                "(#100) The following metrics ({}) do not support metric_type=total_value",
                metrics.join(", ")
            ),
        )
    }

    /// A metric asked for with a period it has no values for.
    pub fn insights_period_incompatible(metric: &str, period: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!(
                "(#100) Incompatible period: the metric {metric} does not support period {period}"
            ),
        )
    }

    /// `since` and `until` further apart than user insights allow.
    pub fn insights_range_too_long(max_days: i64) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!(
                "(#100) There cannot be more than {max_days} days ({} s) between since and until",
                max_days * 86_400
            ),
        )
    }

    /// `since` after `until`.
    pub fn insights_range_reversed() -> Self {
        GraphError::new(400, OAUTH, 100, "(#100) since must be before until")
    }

    /// A demographics metric without the `timeframe` it requires.
    pub fn insights_timeframe_required(metric: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!("(#100) The parameter timeframe is required for the metric {metric}"),
        )
    }

    /// A media metric the media's product type does not have (ref 001 L5100-5200).
    pub fn media_insights_metric_unsupported(metric: &str) -> Self {
        GraphError::new(
            400,
            OAUTH,
            100,
            format!(
                "(#100) The Media Insights API does not support the {metric} metric for this media product type."
            ),
        )
    }

    /// A story with fewer than five viewers (ref 001 L5060-5062).
    pub fn story_not_enough_viewers() -> Self {
        GraphError::new(
            400,
            OAUTH,
            10,
            "(#10) Not enough viewers for the media to show insights",
        )
    }

    /// Media inside a carousel album has no insights of its own (ref 001 L5056).
    pub fn media_insights_album_child() -> Self {
        GraphError::new(
            400,
            OAUTH,
            10,
            "(#10) Media Insights are not supported for media inside an album",
        )
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (code {}", self.message, self.code)?;
        if let Some(subcode) = self.subcode {
            write!(f, ", subcode {subcode}")?;
        }
        write!(f, ")")
    }
}

impl std::error::Error for GraphError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_documented_sample_exactly() {
        // ref 001 L3291-3304
        let body = GraphError::image_too_large("8 MiB").to_body("A6LJylpZRKw2xKLFsAP-cJh");
        let expected = json!({"error": {
            "message": "The image size is too large.",
            "type": "OAuthException",
            "code": 36000,
            "error_subcode": 2207004,
            "is_transient": false,
            "error_user_title": "Image size too large",
            "error_user_msg": "The image is too large to download. It should be less than 8 MiB.",
            "fbtrace_id": "A6LJylpZRKw2xKLFsAP-cJh"
        }});
        assert_eq!(body, expected);
        // Key order is part of the shape clients see.
        let keys: Vec<_> = body["error"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "message",
                "type",
                "code",
                "error_subcode",
                "is_transient",
                "error_user_title",
                "error_user_msg",
                "fbtrace_id"
            ]
        );
    }

    #[test]
    fn every_table_row_has_its_code_and_subcode() {
        // ref 001 L3306-3545: (code, subcode) for each row of the table, in order.
        let rows: Vec<(GraphError, i64, i64)> = vec![
            (GraphError::media_download_timeout(), -2, 2207003),
            (GraphError::media_expired(), -2, 2207020),
            (GraphError::instagram_server_error(), -1, 2207001),
            (GraphError::create_media_failed(), -1, 2207032),
            (GraphError::unknown_upload_error(), -1, 2207053),
            (
                GraphError::thumbnail_offset_out_of_range("15000"),
                1,
                2207057,
            ),
            (GraphError::restricted_as_spam(), 4, 2207051),
            (GraphError::publish_limit_reached(), 9, 2207042),
            (GraphError::media_not_found("1"), 24, 2207006),
            (GraphError::media_builder_not_found("1"), 24, 2207008),
            (GraphError::account_restricted(), 25, 2207050),
            (GraphError::unknown_media_type("GIF"), 100, 2207023),
            (GraphError::carousel_child_count(), 100, 2207028),
            (GraphError::product_tag_positions_on_video(), 100, 2207035),
            (GraphError::product_tag_positions_required(), 100, 2207036),
            (GraphError::product_tags_invalid(), 100, 2207037),
            (GraphError::too_many_tags(20), 100, 2207040),
            (GraphError::unsupported_video_format("video"), 352, 2207026),
            (GraphError::media_fetch_failed("http://x"), 9004, 2207052),
            (GraphError::media_not_ready(), 9007, 2207027),
            (GraphError::image_too_large("8 MiB"), 36000, 2207004),
            (
                GraphError::unsupported_image_format("PNG", "JPEG"),
                36001,
                2207005,
            ),
            (GraphError::invalid_aspect_ratio("3:1"), 36003, 2207009),
            (GraphError::caption_too_long(2300, 2200), 36004, 2207010),
        ];
        assert_eq!(rows.len(), 24);
        for (error, code, subcode) in rows {
            assert_eq!(
                (error.code, error.subcode),
                (code, Some(subcode)),
                "{error}"
            );
            assert_eq!(error.status, 400);
            assert_eq!(error.kind, "OAuthException");
            assert_eq!(error.is_transient, Some(false));
        }
    }

    #[test]
    fn table_messages_fill_their_placeholders() {
        assert_eq!(
            GraphError::media_builder_not_found("17889615691921648").message,
            "The media builder with creation id = 17889615691921648 does not exist or has been expired."
        );
        assert_eq!(
            GraphError::caption_too_long(2201, 2200).user_msg.as_deref(),
            Some("The submitted image's caption was 2201 characters long. The maximum number of characters permitted for a caption is 2200. Please submit media with a shorter caption.")
        );
        assert_eq!(
            GraphError::media_fetch_failed("http://127.0.0.1:9/a.jpg").message,
            "The media could not be fetched from this uri: http://127.0.0.1:9/a.jpg"
        );
    }

    #[test]
    fn token_errors_carry_subcodes_and_www_authenticate() {
        let e = GraphError::token_unparseable();
        assert_eq!((e.code, e.subcode, e.status), (190, None, 400));
        assert_eq!(
            e.www_authenticate().as_deref(),
            Some("OAuth \"Facebook Platform\" \"invalid_token\" \"Invalid OAuth access token - Cannot parse access token\"")
        );
        assert_eq!(GraphError::token_logged_out().subcode, Some(467));
        assert_eq!(GraphError::token_password_changed().subcode, Some(460));
        assert_eq!(
            GraphError::token_app_not_authorized("1", "2").subcode,
            Some(458)
        );
        let expired = GraphError::token_expired(1_552_413_600, 1_552_413_933);
        assert_eq!(expired.subcode, Some(463));
        assert_eq!(
            expired.message,
            "Error validating access token: Session has expired on Tuesday, 12-Mar-19 11:00:00 PDT. The current time is Tuesday, 12-Mar-19 11:05:33 PDT."
        );
        assert!(expired.is_token_error());
    }

    #[test]
    fn unsupported_requests_differ_per_api() {
        let fb = GraphError::unsupported_method("GET", "123", Api::Facebook);
        assert_eq!(fb.kind, "GraphMethodException");
        assert_eq!((fb.code, fb.subcode), (100, Some(33)));
        assert!(fb
            .message
            .starts_with("Unsupported get request. Object with ID '123' does not exist"));
        assert!(fb
            .message
            .ends_with("https://developers.facebook.com/docs/graph-api"));
        assert_eq!(fb.www_authenticate(), None);
        let ig = GraphError::unsupported_method("POST", "123", Api::Instagram);
        assert_eq!(ig.kind, "IGApiException");
        assert!(ig.message.ends_with("does not support this operation"));
    }

    #[test]
    fn webhook_configuration_errors_read_like_meta() {
        let e = GraphError::callback_verification_failed("Couldn't connect to server");
        assert_eq!((e.status, e.code, e.subcode), (400, 2200, None));
        assert_eq!(e.kind, "OAuthException");
        assert_eq!(
            e.message,
            "(#2200) callback verification failed: Couldn't connect to server"
        );
        let e = GraphError::callback_challenge_mismatch("1158201444", &"x".repeat(300));
        assert_eq!(e.code, 2201);
        assert_eq!(
            e.message,
            format!(
                "(#2201) response does not match challenge, expected value=\"1158201444\", received=\"{}\"",
                "x".repeat(100)
            )
        );
        let e = GraphError::param_not_one_of(
            "subscribed_fields[1]",
            &["comments", "messages"],
            "feeds",
        );
        assert_eq!(e.code, 100);
        assert_eq!(
            e.message,
            "(#100) Param subscribed_fields[1] must be one of {comments, messages} - got \"feeds\""
        );
    }

    #[test]
    fn publishing_errors_outside_the_table() {
        let e = GraphError::param_not_supported("caption", "carousel images");
        assert_eq!(
            (e.status, e.code, e.message.as_str()),
            (
                400,
                100,
                "(#100) The parameter caption is not supported for carousel images"
            )
        );
        let e = GraphError::container_limit_reached(400);
        assert_eq!((e.code, e.subcode, e.is_transient), (9, None, Some(false)));
        assert!(e.message.contains("(400)"));
        assert!(GraphError::invalid_location_id("7")
            .message
            .contains("INSTAGRAM_PLATFORM_API__INVALID_LOCATION_ID"));
        assert_eq!(GraphError::stories_business_only().code, 10);
        let e = GraphError::page_task_required(&["MANAGE", "CREATE_CONTENT"]);
        assert_eq!((e.status, e.code), (403, 10));
        assert!(e.message.contains("MANAGE or CREATE_CONTENT"));
        assert_eq!(
            GraphError::page_publishing_authorization_required().code,
            10
        );
        assert_eq!(GraphError::page_two_factor_required().status, 403);
        assert!(GraphError::carousel_item_not_publishable("1")
            .message
            .contains("carousel item"));
    }

    #[test]
    fn parameter_errors_read_like_meta() {
        assert_eq!(
            GraphError::param_required("creation_id").message,
            "(#100) The parameter creation_id is required"
        );
        let e = GraphError::from_param(&ParamError::Invalid {
            name: "limit".into(),
            expected: "integer",
        });
        assert_eq!(e.message, "(#100) Param limit must be an integer");
        assert_eq!(
            GraphError::nonexisting_field("foo", "IGUser").message,
            "(#100) Tried accessing nonexisting field (foo) on node type (IGUser)"
        );
    }

    #[test]
    fn messaging_errors_read_like_meta() {
        // Window: 10/2534022 on graph.instagram.com, 10/2018278 on the Messenger Platform.
        let e = GraphError::outside_messaging_window(Api::Instagram);
        assert_eq!((e.status, e.code, e.subcode), (403, 10, Some(2534022)));
        assert_eq!(e.kind, "IGApiException");
        assert_eq!(e.message, "This message is sent outside of allowed window.");
        let e = GraphError::outside_messaging_window(Api::Facebook);
        assert_eq!(
            (e.code, e.subcode, e.kind),
            (10, Some(2018278), "OAuthException")
        );
        // ref 000 L1589: the consent sentence, with its period.
        let e = GraphError::user_consent_required(Api::Instagram);
        assert_eq!((e.status, e.code, e.subcode), (400, 230, None));
        assert_eq!(
            e.message,
            "User consent is required to access user profile."
        );
        let e = GraphError::invalid_private_reply(Api::Facebook);
        assert_eq!((e.code, e.subcode), (100, Some(2534025)));
        assert_eq!(e.message, "The comment is invalid for a private reply");
        assert_eq!(
            GraphError::messaging_user_not_found(Api::Instagram).subcode,
            Some(2534014)
        );
        let e = GraphError::messaging_user_unavailable();
        assert_eq!((e.code, e.subcode), (551, Some(1545041)));
        assert_eq!(
            GraphError::param_too_long("message[text]", 1000).message,
            "(#100) Length of param message[text] must be less than or equal to 1000"
        );
        assert_eq!(
            GraphError::too_many_items("message[quick_replies]", 13).message,
            "(#100) Param message[quick_replies] must have at most 13 items"
        );
        let e = GraphError::attachment_upload_failed("the URL answered HTTP 404");
        assert_eq!((e.code, e.subcode), (100, Some(2018047)));
        assert!(GraphError::attachment_too_large("image", "8 MB")
            .message
            .ends_with("image attachments can be at most 8 MB"));
        assert_eq!(GraphError::multi_image_unavailable().subcode, Some(2534068));
        assert_eq!(GraphError::message_body_conflict("x").message, "(#100) x");
    }
}
