//! The shapes the control API answers, as the OpenAPI document describes them (the handlers
//! build these answers as JSON values; the control API suite checks each shape against real
//! answers).

use utoipa::ToSchema;

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct App {
    pub id: String,
    #[schema(required = false)]
    pub name: String,
    pub secret: String,
    pub client_token: String,
    #[schema(required = false)]
    pub app_token: String,
    #[schema(required = false)]
    pub instagram_app_id: String,
    #[schema(required = false)]
    pub instagram_app_secret: String,
    #[schema(required = false)]
    pub access_level: String,
    #[schema(required = false)]
    pub api_version: String,
    #[schema(required = false)]
    pub redirect_uris: Vec<String>,
    #[schema(required = false)]
    pub require_appsecret_proof: bool,
    /// Always `business`: only Business apps can add the Instagram product
    pub app_type: String,
    /// `live` or `development`
    pub mode: String,
    /// Whether the app's business completed Business Verification
    pub business_verified: bool,
    /// `instagram`, `facebook` or `either`
    pub login_type: String,
    /// The products the app has added, following its login type
    pub products: Vec<String>,
    /// The permissions with Advanced Access now
    pub advanced_permissions: Vec<String>,
    /// The embed URL the App Dashboard shows once a redirect URL is set
    #[schema(required = true)]
    pub embed_url: Option<String>,
    #[schema(required = true)]
    pub deauthorize_callback_url: Option<String>,
    #[schema(required = true)]
    pub data_deletion_url: Option<String>,
    /// Only on `GET /apps/{id}`: the permissions the app has made a successful call with
    #[schema(required = false)]
    pub called_permissions: Vec<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ReviewVerdict {
    pub permission: String,
    /// `approved` or `rejected`
    pub status: String,
    /// Why a permission was rejected
    #[schema(required = false)]
    pub reason: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AppReview {
    pub data: Vec<ReviewVerdict>,
    pub app: App,
}

/// What the app's callback URL answered to the signed_request.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CallbackAnswer {
    pub url: String,
    /// The HTTP status, when the callback answered
    #[schema(required = true)]
    pub status: Option<i64>,
    /// The answer's body: JSON when it parses, else its text (null when none came)
    pub body: serde_json::Value,
    #[schema(required = true)]
    pub error: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Deauthorization {
    pub success: bool,
    /// The id the signed_request carries
    pub user_id: String,
    /// How many of the app's tokens for the person ended
    pub revoked_tokens: i64,
    /// Absent (null) when the app has no deauthorize callback URL
    #[schema(required = true)]
    pub callback: Option<CallbackAnswer>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DataDeletion {
    pub user_id: String,
    pub callback: CallbackAnswer,
    /// The status URL from the app's receipt
    #[schema(required = false)]
    pub url: String,
    #[schema(required = false)]
    pub confirmation_code: String,
    /// Why the app's answer is not a receipt
    #[schema(required = false)]
    pub error: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AppList {
    pub data: Vec<App>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Account {
    /// The IG user id (the professional account's user_id)
    pub id: String,
    pub username: String,
    #[schema(required = false)]
    pub name: String,
    #[schema(required = false)]
    pub account_type: String,
    #[schema(required = false)]
    pub page_id: String,
    #[schema(required = false)]
    pub page_name: String,
    #[schema(required = false)]
    pub facebook_user_id: String,
    #[schema(required = false)]
    pub followers_count: i64,
    #[schema(required = false)]
    pub follows_count: i64,
    pub biography: String,
    #[schema(required = true)]
    pub website: Option<String>,
    #[schema(required = true)]
    pub profile_picture_url: Option<String>,
    pub is_private: bool,
    /// With a linked Page: the Page tasks the Facebook user may perform.
    #[schema(required = false, schema_with = crate::sim::openapi::vocab::page_tasks_list)]
    pub page_tasks: Vec<String>,
    /// With a linked Page: whether the role comes through Business Manager.
    #[schema(required = false)]
    pub page_role_via_business_manager: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AccountList {
    pub data: Vec<Account>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PostedMedia {
    pub id: String,
    #[schema(required = false)]
    pub media_type: String,
    #[schema(required = false)]
    pub media_product_type: String,
    #[schema(required = false)]
    pub shortcode: String,
    #[schema(required = false)]
    pub permalink: String,
    #[schema(required = false)]
    pub timestamp: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Person {
    pub id: String,
    pub username: String,
    #[schema(required = false)]
    pub name: String,
    #[schema(required = true)]
    pub profile_picture_url: Option<String>,
    pub is_private: bool,
    #[schema(required = true)]
    pub followers_count: Option<i64>,
    /// Like counts hidden on the person's posts.
    pub hide_like_counts: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PersonList {
    pub data: Vec<Person>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct IssuedToken {
    pub access_token: String,
    #[schema(schema_with = crate::sim::openapi::vocab::token_type)]
    pub token_type: String,
    #[schema(required = false)]
    pub expires_in: i64,
    #[schema(required = false)]
    pub user_id: String,
    #[schema(required = false)]
    pub scopes: Vec<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Clock {
    #[schema(format = DateTime)]
    pub now: String,
    #[schema(required = false)]
    pub now_unix: i64,
    #[schema(required = false)]
    pub now_unix_ms: i64,
    pub frozen: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RequestLog {
    pub data: Vec<LoggedRequest>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LoggedRequest {
    #[schema(required = false)]
    pub id: i64,
    #[schema(required = false)]
    pub time: String,
    #[schema(required = false)]
    pub method: String,
    #[schema(required = false)]
    pub host: String,
    #[schema(required = false)]
    pub path: String,
    #[schema(required = false)]
    pub query: String,
    #[schema(required = false)]
    pub status: i64,
    #[schema(required = false)]
    pub duration_ms: f64,
    #[schema(required = false)]
    pub fbtrace_id: String,
    pub error_code: Option<i64>,
    pub error_subcode: Option<i64>,
    /// The access token as sent (query, body or Authorization header)
    pub token: Option<String>,
    /// The app of the token, when it resolved
    pub app_id: Option<String>,
}

/// The request side of a logged exchange.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ExchangeRequestSide {
    pub method: String,
    pub url: String,
    /// Repeated headers joined with ", "
    pub headers: std::collections::BTreeMap<String, String>,
    /// Headers past 8 KiB were left out
    pub headers_truncated: bool,
    /// The body's first 16 KiB as text; null when omitted
    pub body: Option<String>,
    /// The whole body's size in bytes, when known
    pub body_size: Option<i64>,
    pub body_truncated: bool,
    /// Why the body was not kept: binary content, streamed upload, streamed, too large
    pub body_omitted: Option<String>,
}

/// The response side of a logged exchange.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ExchangeResponseSide {
    pub status: i64,
    /// Repeated headers joined with ", "
    pub headers: std::collections::BTreeMap<String, String>,
    /// Headers past 8 KiB were left out
    pub headers_truncated: bool,
    /// The body's first 16 KiB as text; null when omitted
    pub body: Option<String>,
    /// The whole body's size in bytes, when known
    pub body_size: Option<i64>,
    pub body_truncated: bool,
    /// Why the body was not kept: binary content, streamed upload, streamed, too large
    pub body_omitted: Option<String>,
}

/// A logged request with its whole exchange.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RequestExchange {
    pub id: i64,
    pub time: String,
    pub method: String,
    pub host: String,
    pub path: String,
    pub query: String,
    pub status: i64,
    pub duration_ms: f64,
    pub fbtrace_id: String,
    pub error_code: Option<i64>,
    pub error_subcode: Option<i64>,
    /// The access token as sent (query, body or Authorization header)
    pub token: Option<String>,
    /// The app of the token, when it resolved
    pub app_id: Option<String>,
    /// The request's method, URL, headers and body
    pub request: ExchangeRequestSide,
    /// The response's status, headers and body
    pub response: ExchangeResponseSide,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Success {
    pub success: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Snapshot {
    #[schema(schema_with = crate::sim::openapi::vocab::snapshot_format)]
    pub format: String,
    pub schema: i64,
    pub tables: std::collections::BTreeMap<String, Vec<serde_json::Value>>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NextLoginSet {
    #[schema(required = false)]
    pub success: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RoleList {
    #[schema(required = false)]
    pub data: Vec<Role>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Role {
    #[schema(required = false)]
    pub account_id: String,
    #[schema(required = false)]
    pub role: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Container {
    pub id: String,
    #[schema(required = false)]
    pub account_id: String,
    #[schema(schema_with = crate::sim::openapi::vocab::container_media_type, required = false)]
    pub media_type: String,
    #[schema(required = false)]
    pub is_video: bool,
    #[schema(required = false)]
    pub is_carousel_item: bool,
    pub upload_type: Option<String>,
    #[schema(required = false)]
    pub children: Vec<String>,
    #[schema(schema_with = crate::sim::openapi::vocab::container_status_code, required = false)]
    pub status_code: String,
    #[schema(required = false)]
    pub status: String,
    pub error_subcode: Option<i64>,
    pub error_message: Option<String>,
    pub file_url: Option<String>,
    pub cover_file_url: Option<String>,
    pub file_size: Option<i64>,
    #[schema(required = false)]
    pub bytes_transferred: i64,
    pub duration_ms: Option<i64>,
    #[schema(required = false)]
    pub created_at: String,
    #[schema(required = false)]
    pub expires_at: String,
    pub processing_started_at: Option<String>,
    #[schema(required = false)]
    pub processing_seconds: f64,
    pub published_media_id: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct StoredFile {
    pub url: String,
    #[schema(required = false)]
    pub sha256: String,
    #[schema(required = false)]
    pub size: i64,
    #[schema(required = false)]
    pub content_type: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Location {
    pub id: String,
    #[schema(required = false)]
    pub name: String,
    #[schema(required = false)]
    pub latitude: f64,
    #[schema(required = false)]
    pub longitude: f64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PublishingFlags {
    /// Every publishing call fails with 25/2207050
    #[schema(required = false)]
    pub restricted: bool,
    /// Publishing fails with 4/2207051
    #[schema(required = false)]
    pub spam: bool,
    /// The linked Page requires Page Publishing Authorization, not completed
    #[schema(required = false)]
    pub ppa_required: bool,
    /// The linked Page requires two-factor authentication the Facebook user has not done (Facebook Login calls fail)
    #[schema(required = false)]
    pub two_factor_required: bool,
    /// The account has an approved Instagram Shop and may tag products
    #[schema(required = false)]
    pub shopping_product_tag_eligibility: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CommentMade {
    pub id: String,
    pub parent_id: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CommentEdited {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub text: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LikeChange {
    #[schema(required = false)]
    pub success: bool,
    #[schema(required = false)]
    pub like_count: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Audience {
    /// Followers now; the profile is anchored at the virtual now.
    #[schema(minimum = 0, required = false)]
    pub followers: i64,
    /// Net follower growth per day as a fraction (0.01 = +1% a day). followers_count and follower_count follow it on the virtual clock.
    #[schema(minimum = -0.5, maximum = 1, required = false)]
    pub daily_growth: f64,
    /// Share of the accounts reached that save, share or reply.
    #[schema(minimum = 0, maximum = 1, required = false)]
    pub engagement_rate: f64,
    /// Share of followers a feed post reaches (reels reach more, stories less).
    #[schema(minimum = 0, maximum = 1, required = false)]
    pub reach_rate: f64,
    /// Weights by age bucket: 13-17, 18-24, 25-34, 35-44, 45-54, 55-64, 65+.
    #[schema(required = false)]
    pub ages: std::collections::BTreeMap<String, f64>,
    /// Weights of F, M and U.
    #[schema(required = false)]
    pub genders: std::collections::BTreeMap<String, f64>,
    /// Weights by ISO 3166 country code (their time zones shape online_followers).
    #[schema(required = false)]
    pub countries: std::collections::BTreeMap<String, f64>,
    /// Weights by city, as "London, England".
    #[schema(required = false)]
    pub cities: std::collections::BTreeMap<String, f64>,
    /// The account's own country (upper-case ISO 3166 code). Stories of accounts in the EEA or Japan count no replies.
    #[schema(required = false)]
    pub country: Option<String>,
    /// How late insights data is (Meta: up to 48 hours): insights are those of now minus this; media newer than that have none yet. 0 by default.
    #[schema(minimum = 0, maximum = 48, required = false)]
    pub data_delay_hours: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PersonMedia {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub shortcode: String,
    #[schema(required = false)]
    pub permalink: String,
    #[schema(required = false)]
    pub timestamp: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LiveBroadcast {
    #[schema(required = false)]
    pub id: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InviteList {
    #[schema(required = false)]
    pub data: Vec<Invite>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Invite {
    #[schema(required = false)]
    pub username: String,
    #[schema(schema_with = crate::sim::openapi::vocab::invite_status, required = false)]
    pub invite_status: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InviteAnswer {
    #[schema(required = false)]
    pub success: bool,
    #[schema(required = false)]
    pub username: String,
    #[schema(schema_with = crate::sim::openapi::vocab::invite_answer, required = false)]
    pub invite_status: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MessageSent {
    pub mid: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PersonThread {
    #[schema(required = false)]
    pub conversation_id: String,
    #[schema(required = false)]
    pub igsid: String,
    #[schema(schema_with = crate::sim::openapi::vocab::inbox_folder, required = false)]
    pub folder: String,
    #[schema(required = false)]
    pub consent: bool,
    #[schema(required = false)]
    pub read_by_account: bool,
    #[schema(required = false)]
    pub data: Vec<serde_json::Value>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ReactionSent {
    pub success: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SeenSent {
    #[schema(required = false)]
    pub success: bool,
    #[schema(required = false)]
    pub mid: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Relationship {
    #[schema(required = false)]
    pub follows_account: bool,
    #[schema(required = false)]
    pub followed_by_account: bool,
    #[schema(required = false)]
    pub blocked: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct VerifiedBadge {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub is_verified_user: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MessageEdited {
    #[schema(required = false)]
    pub mid: String,
    #[schema(required = false)]
    pub num_edit: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SelfMessageSent {
    #[schema(required = false)]
    pub mid: String,
    #[schema(required = false)]
    pub igsid: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MessagingSwitchesSet {
    #[schema(required = false)]
    pub account_id: String,
    pub multi_image_send: Option<bool>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WebhookStatus {
    pub paused: bool,
    #[schema(required = false)]
    pub paused_apps: Vec<String>,
    pub counts: std::collections::BTreeMap<String, i64>,
    #[schema(required = false)]
    pub timeout_ms: i64,
    /// Requests to callbacks this instance has in flight (their outcome not yet recorded). Wait for 0 before moving the clock, so a failure's retry is scheduled from when it happened.
    #[schema(required = false)]
    pub sending: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DeliveryLog {
    pub data: Vec<Delivery>,
    #[schema(required = false)]
    pub counts: std::collections::BTreeMap<String, i64>,
    #[schema(required = false)]
    pub paging: DeliveryLogPaging,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Delivery {
    pub id: i64,
    #[schema(required = false)]
    pub event_id: i64,
    pub app_id: Option<String>,
    #[schema(required = false)]
    pub account_id: String,
    #[schema(required = false)]
    pub field: String,
    pub login: Option<String>,
    #[schema(required = false)]
    pub test: bool,
    #[schema(schema_with = crate::sim::openapi::vocab::delivery_status)]
    pub status: String,
    /// Why it was skipped, why the last attempt failed, or why it was given up, in plain words
    pub reason: Option<String>,
    #[schema(required = false)]
    pub created_at_ms: i64,
    pub first_attempt_at_ms: Option<i64>,
    pub next_attempt_at_ms: Option<i64>,
    pub finished_at_ms: Option<i64>,
    pub latency_ms: Option<i64>,
    #[schema(required = false)]
    pub attempt_count: i64,
    pub attempts: Vec<DeliveryAttempt>,
    /// When retention removed this delivery's requests (its attempts list is then empty; its outcome and attempt_count stay)
    pub pruned_at_ms: Option<i64>,
    pub url: Option<String>,
    /// Headers of the last request, signatures included
    #[schema(value_type = Option<Object>)]
    pub headers: Option<serde_json::Value>,
    /// This delivery's notification as its login renders it
    #[schema(value_type = Object, required = false)]
    pub payload: serde_json::Value,
    /// The event's semantic payload (events.rs)
    #[schema(value_type = Object, required = false)]
    pub event: serde_json::Value,
    /// The exact bytes of the last request (detail, replay, or include=body)
    pub body: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DeliveryAttempt {
    #[schema(required = false)]
    pub request_id: i64,
    #[schema(required = false)]
    pub at_ms: i64,
    #[schema(required = false)]
    pub duration_ms: i64,
    pub status: Option<i64>,
    pub error: Option<String>,
    pub response_body: Option<String>,
    #[schema(required = false)]
    pub batch_size: i64,
    #[schema(required = false)]
    pub replay: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DeliveryLogPaging {
    pub before: Option<i64>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DeliveryStats {
    pub pending: i64,
    pub failed: i64,
    pub delivered: i64,
    pub given_up: i64,
    pub skipped: i64,
    pub pruned: i64,
    pub retention: Retention,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Retention {
    /// Virtual milliseconds a finished delivery keeps its requests (default 7 days, serve --webhook-retention-days)
    pub max_age_ms: i64,
    /// How many of the newest deliveries keep their requests (default 100000, serve --webhook-retention-count)
    pub max_deliveries: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BulkReplay {
    /// Given-up deliveries made pending again
    pub requeued: i64,
    /// Pending deliveries waiting for a retry, made due now
    pub retried_now: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DeliveryPause {
    pub paused: bool,
    pub paused_apps: Vec<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WebhookTest {
    pub event_id: i64,
    #[schema(required = false)]
    pub field: String,
    pub deliveries: Vec<WebhookTestDelivery>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WebhookTestDelivery {
    #[schema(required = false)]
    pub id: i64,
    pub app_id: Option<String>,
    pub login: Option<String>,
    #[schema(required = false)]
    pub status: String,
    pub reason: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Fault {
    /// Fills the fields below with what Meta answers in that case (fields given win). container_stuck keeps new containers of the account IN_PROGRESS until they expire; webhooks_paused pauses delivery (of app_id, or all) until the fault is removed.
    #[schema(schema_with = crate::sim::openapi::vocab::fault_preset, required = false)]
    pub preset: String,
    #[schema(schema_with = crate::sim::openapi::vocab::fault_method, required = false)]
    pub method: String,
    /// A template such as /{ig-user-id}/media ({ig-user-id}, {ig-media-id}, {ig-comment-id}, {ig-container-id}, {page-id}, {conversation-id}, {message-id} match nodes of that kind; {id} any segment) or a concrete path such as /me/media
    #[schema(required = false)]
    pub path: String,
    /// Only calls concerning this IG account (the target, the account a token acts as, or the owner of the target)
    #[schema(required = false)]
    pub account_id: String,
    /// Only calls with a token of this app (Facebook or Instagram app id)
    #[schema(required = false)]
    pub app_id: String,
    #[schema(minimum = 400, maximum = 599, required = false)]
    pub status: i64,
    #[schema(required = false)]
    pub code: i64,
    #[schema(required = false)]
    pub subcode: i64,
    /// {uri} becomes the image_url/video_url the call named
    #[schema(required = false)]
    pub message: String,
    #[schema(schema_with = crate::sim::openapi::vocab::fault_error_type, required = false)]
    pub r#type: String,
    #[schema(required = false)]
    pub is_transient: bool,
    #[schema(required = false)]
    pub error_user_title: String,
    #[schema(required = false)]
    pub error_user_msg: String,
    /// Fire at most this many times (exactly, under any concurrency)
    #[schema(minimum = 0, required = false)]
    pub times: i64,
    /// Fire on this share of matching calls, reproducibly (the n-th match decides the same way for the same seed)
    #[schema(minimum = 0, maximum = 1, required = false)]
    pub probability: f64,
    /// Seed of probability (default: the fault's id)
    #[schema(required = false)]
    pub seed: i64,
    /// Delay the answer (real time); alone, the call then proceeds
    #[schema(minimum = 0, maximum = 60000, required = false)]
    pub latency_ms: i64,
    /// Run the call (its change commits), then answer the error
    #[schema(required = false)]
    pub apply: bool,
    /// throttled: which limit (codes 4, 17, 32, 613, 80002)
    #[schema(schema_with = crate::sim::openapi::vocab::fault_limit, required = false)]
    pub limit: String,
    /// Throttling errors: estimated_time_to_regain_access in the usage header (default 60)
    #[schema(required = false)]
    pub regain_minutes: i64,
    pub id: String,
    pub matched: i64,
    pub fired: i64,
    pub remaining: Option<i64>,
    pub created_at: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FaultList {
    pub data: Vec<Fault>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FaultsCleared {
    pub deleted: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RateLimits {
    pub enabled: bool,
    pub scale: f64,
    #[schema(required = false)]
    pub default_impressions: i64,
    #[schema(required = false)]
    pub impressions: std::collections::BTreeMap<String, i64>,
    #[schema(required = false)]
    pub app_users: i64,
    pub limits: Vec<RateLimit>,
    pub usage: Vec<RateLimitUsage>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RateLimit {
    #[schema(required = false)]
    pub name: String,
    #[schema(required = false)]
    pub per: String,
    #[schema(required = false)]
    pub window_seconds: i64,
    #[schema(required = false)]
    pub meta_default: i64,
    pub limit: Option<i64>,
    #[schema(required = false)]
    pub overridden: bool,
    #[schema(required = false)]
    pub error_code: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RateLimitUsage {
    #[schema(required = false)]
    pub scope: String,
    #[schema(required = false)]
    pub limit: String,
    #[schema(required = false)]
    pub used: i64,
    #[schema(required = false)]
    pub max: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Hashtag {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub name: String,
    #[schema(required = false)]
    pub sensitive: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BulkMedia {
    #[schema(required = false)]
    pub count: i64,
    #[schema(required = false)]
    pub ids: Vec<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DiscoverySwitches {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub is_private: bool,
    #[schema(required = false)]
    pub age_gated: bool,
    #[schema(required = false)]
    pub embeds_disabled: bool,
    #[schema(required = false)]
    pub inactive: bool,
    /// Whether others may tag them as collaborator
    #[schema(required = false)]
    pub collaborator_tagging: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ReelViews {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub view_count: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ThreadsLink {
    #[schema(required = false)]
    pub id: String,
    pub threads_user_id: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Catalog {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub account_id: String,
    #[schema(required = false)]
    pub name: String,
    #[schema(required = false)]
    pub shop_name: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Product {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub catalog_id: String,
    #[schema(required = false)]
    pub group_id: String,
    #[schema(required = false)]
    pub name: String,
    pub variant_name: Option<String>,
    #[schema(required = false)]
    pub retailer_id: String,
    #[schema(required = false)]
    pub image_url: String,
    #[schema(required = false)]
    pub price: String,
    pub sale_price: Option<String>,
    #[schema(required = false)]
    pub review_status: String,
    #[schema(required = false)]
    pub is_checkout: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenList {
    #[schema(required = false)]
    pub data: Vec<TokenListItem>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenListItem {
    pub access_token: String,
    #[schema(required = false)]
    pub app_id: String,
    #[schema(schema_with = crate::sim::openapi::vocab::token_subject_kind, required = false)]
    pub kind: String,
    #[schema(required = false)]
    pub subject_id: String,
    #[schema(required = false)]
    pub scopes: Vec<String>,
    /// Unix seconds
    #[schema(required = false)]
    pub issued_at: i64,
    pub expires_at: Option<i64>,
    #[schema(required = false)]
    pub long_lived: bool,
    pub parent_token: Option<String>,
    pub is_valid: bool,
    /// valid, expired, or the reason it was ended (revoked, logged_out, password_changed)
    pub status: String,
    pub invalidated_reason: Option<String>,
    pub invalidated_at: Option<i64>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MediaGrid {
    #[schema(required = false)]
    pub data: Vec<GridMedia>,
    #[schema(required = false)]
    pub media_count: i64,
    #[schema(required = false)]
    pub paging: MediaPaging,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct GridMedia {
    pub id: String,
    #[schema(required = false)]
    pub account_id: String,
    pub media_type: String,
    #[schema(required = false)]
    pub media_product_type: String,
    pub caption: Option<String>,
    pub alt_text: Option<String>,
    pub media_url: Option<String>,
    pub thumbnail_url: Option<String>,
    #[schema(required = false)]
    pub permalink: String,
    #[schema(required = false)]
    pub shortcode: String,
    #[schema(required = false)]
    pub is_comment_enabled: bool,
    #[schema(required = false)]
    pub like_count: i64,
    #[schema(required = false)]
    pub comments_count: i64,
    #[schema(format = DateTime)]
    pub timestamp: String,
    #[schema(required = false)]
    pub is_live: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MediaPaging {
    pub after: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Inbox {
    #[schema(required = false)]
    pub data: Vec<InboxConversation>,
    #[schema(required = false)]
    pub paging: MediaPaging,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InboxConversation {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub person: InboxPerson,
    #[schema(required = false)]
    pub is_self: bool,
    #[schema(schema_with = crate::sim::openapi::vocab::inbox_folder, required = false)]
    pub folder: String,
    #[schema(required = false)]
    pub consent: bool,
    #[schema(required = false)]
    pub message_count: i64,
    #[schema(format = DateTime, required = false)]
    pub updated_at: String,
    #[schema(required = false)]
    pub window_open: bool,
    pub window_closes_at: Option<String>,
    pub last_message: Option<InboxLastMessage>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InboxPerson {
    #[schema(required = false)]
    pub id: String,
    pub username: Option<String>,
    #[schema(required = false)]
    pub igsid: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InboxLastMessage {
    #[schema(required = false)]
    pub mid: String,
    #[schema(required = false)]
    pub from: String,
    pub text: Option<String>,
    #[schema(required = false)]
    pub is_deleted: bool,
    #[schema(required = false)]
    pub created_at: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ContainerList {
    #[schema(required = false)]
    pub data: Vec<serde_json::Value>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MediaThread {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub account_id: String,
    #[schema(required = false)]
    pub media_type: String,
    #[schema(required = false)]
    pub media_product_type: String,
    pub caption: Option<String>,
    pub alt_text: Option<String>,
    pub media_url: Option<String>,
    pub thumbnail_url: Option<String>,
    #[schema(required = false)]
    pub permalink: String,
    #[schema(required = false)]
    pub shortcode: String,
    #[schema(required = false)]
    pub is_comment_enabled: bool,
    #[schema(required = false)]
    pub like_count: i64,
    #[schema(required = false)]
    pub comments_count: i64,
    #[schema(format = DateTime, required = false)]
    pub timestamp: String,
    #[schema(required = false)]
    pub is_live: bool,
    #[schema(required = false)]
    pub owner: MediaOwner,
    #[schema(required = false)]
    pub children: Vec<GridMedia>,
    #[schema(required = false)]
    pub comments: Vec<ThreadComment>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MediaOwner {
    #[schema(required = false)]
    pub kind: String,
    #[schema(required = false)]
    pub id: String,
    pub username: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ThreadComment {
    pub id: String,
    pub parent_id: Option<String>,
    pub text: String,
    pub from: CommentAuthor,
    pub hidden: bool,
    /// The author is restricted by the media's account: the Graph API leaves the comment out
    #[schema(required = false)]
    pub restricted: bool,
    #[schema(required = false)]
    pub like_count: i64,
    #[schema(format = DateTime, required = false)]
    pub timestamp: String,
    /// Top-level comments only: their replies, oldest first (up to 50)
    #[schema(required = false)]
    pub replies: Vec<serde_json::Value>,
    /// Deleted (through the Graph API or by its author): the Graph API no longer has it; the console keeps it from the moderation record
    pub deleted: bool,
    /// The comment's latest hide, unhide or delete
    #[schema(required = true)]
    pub moderation: Option<Moderation>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CommentAuthor {
    #[schema(schema_with = crate::sim::openapi::vocab::comment_author_kind, required = false)]
    pub kind: String,
    #[schema(required = false)]
    pub id: String,
    pub username: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AppWebhooks {
    #[schema(required = false)]
    pub app_id: String,
    #[schema(required = false)]
    pub subscriptions: Vec<Subscription>,
    #[schema(required = false)]
    pub accounts: Vec<WebhookAccount>,
    #[schema(required = false)]
    pub paused: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Subscription {
    #[schema(required = false)]
    pub object: String,
    #[schema(required = false)]
    pub callback_url: String,
    #[schema(required = false)]
    pub fields: Vec<SubscribedField>,
    #[schema(required = false)]
    pub include_values: bool,
    #[schema(required = false)]
    pub active: bool,
    pub verification_error: Option<String>,
    #[schema(required = false)]
    pub updated_at: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SubscribedField {
    #[schema(required = false)]
    pub name: String,
    #[schema(required = false)]
    pub version: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WebhookAccount {
    #[schema(required = false)]
    pub subject_id: String,
    #[schema(required = false)]
    pub login: String,
    #[schema(required = false)]
    pub fields: Vec<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SeedResult {
    #[schema(required = false)]
    pub accounts: Vec<String>,
    #[schema(required = false)]
    pub people: Vec<String>,
    #[schema(required = false)]
    pub media: i64,
    #[schema(required = false)]
    pub comments: i64,
    #[schema(required = false)]
    pub conversations: i64,
    #[schema(required = false)]
    pub messages: i64,
}

/// The copyright check outcome shown once processing is over (ref 001 L9448-9510)
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CopyrightOutcome {
    #[schema(schema_with = crate::sim::openapi::vocab::copyright_status, required = false)]
    pub status: String,
    #[schema(required = false)]
    pub matches_found: bool,
    /// What the check matched, shown in the published media's copyright_check_information (ref 001 L558-601)
    #[schema(required = false)]
    pub copyright_matches: Vec<serde_json::Value>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct HandoverThread {
    /// The person's Instagram-scoped id
    pub igsid: String,
    /// The app that controls the conversation
    pub owner_app_id: String,
    pub updated_time_ms: i64,
}

/// An account's Handover Protocol settings.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Handover {
    pub account_id: String,
    /// Null while the Handover Protocol is off: every app receives every event
    #[schema(required = true)]
    pub primary_receiver_app_id: Option<String>,
    pub secondary_receiver_app_ids: Vec<String>,
    /// Meta's Instagram inbox, which can always be passed a conversation
    pub inbox_app_id: String,
    /// Conversations whose controller was recorded (the others are the primary receiver's)
    pub threads: Vec<HandoverThread>,
}

/// The webhook deliveries' TLS settings (per instance).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WebhookTls {
    /// Whether deliveries and verification requests present the client certificate
    pub client_certificate: bool,
    /// `client.webhooks.fbclientcerts.com`, as Meta's
    pub client_common_name: String,
    /// The CA (PEM) that signs the client certificate: a receiver trusts it to verify deliveries
    pub client_ca_pem: String,
    /// How many PEM certificates https callbacks are verified against
    pub trusted_certificates: i64,
}

/// Who moderated a comment last, and when.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Moderation {
    #[schema(schema_with = crate::sim::openapi::vocab::moderation_action)]
    pub action: String,
    /// graph_api: an app through a token; control_api: the author through /_localgram
    #[schema(schema_with = crate::sim::openapi::vocab::moderation_via)]
    pub via: String,
    /// The token's subject (kind instagram_user, facebook_user or page) or the author (kind account or person)
    pub by: Moderator,
    #[schema(required = true)]
    pub app: Option<ModeratingApp>,
    /// Virtual time
    #[schema(format = DateTime)]
    pub at: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Moderator {
    pub kind: String,
    pub id: String,
    #[schema(required = true)]
    pub username: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ModeratingApp {
    pub id: String,
    pub name: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DueContainer {
    pub id: String,
    pub account_id: String,
    #[schema(format = DateTime)]
    pub at: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DueWindow {
    pub person_id: String,
    pub account_id: String,
    /// `24h` or `human_agent` (7 days)
    pub window: String,
    #[schema(format = DateTime)]
    pub at: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DueToken {
    pub access_token: String,
    pub subject_id: String,
    #[schema(format = DateTime)]
    pub at: String,
}

/// What fell due between two virtual times.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ClockDue {
    #[schema(format = DateTime)]
    pub from: String,
    #[schema(format = DateTime)]
    pub to: String,
    pub containers_expired: Vec<DueContainer>,
    pub windows_closed: Vec<DueWindow>,
    pub tokens_expired: Vec<DueToken>,
    /// Stories that ended (24 hours after they were posted)
    pub stories_ended: Vec<DueContainer>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AccountInsightsDay {
    #[schema(format = DateTime)]
    pub end_time: String,
    pub views: i64,
    pub reach: i64,
    /// Follows gained in the 24 hours
    pub follower_count: i64,
    /// Followers at the day's end
    pub followers: i64,
}

/// An account's last 30 days for the console's charts.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AccountInsightsChart {
    pub data: Vec<AccountInsightsDay>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MediaInsightsTotals {
    pub views: i64,
    pub reach: i64,
    pub likes: i64,
    pub comments: i64,
    pub saved: i64,
    pub shares: i64,
    pub profile_visits: i64,
    pub follows: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MediaInsightsDay {
    #[schema(format = DateTime)]
    pub end_time: String,
    pub views: i64,
    pub reach: i64,
    pub saved: i64,
    pub shares: i64,
}

/// What a media has collected, and its cumulative numbers day by day.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MediaInsightsChart {
    pub media_id: String,
    /// Null when the media has no insights (not an account's media)
    #[schema(required = true)]
    pub totals: Option<MediaInsightsTotals>,
    pub data: Vec<MediaInsightsDay>,
}
