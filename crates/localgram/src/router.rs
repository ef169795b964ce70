//! THE route table: every Graph API endpoint localgram serves, one row each, with the APIs it
//! exists on, the token kinds it accepts, the permissions it needs and its handler.
//! Dispatch (finding the row for a request) is in `dispatch.rs`; deciding access from the row
//! is `access::check`.

use futures_util::future::BoxFuture;
use graph::GraphError;

use crate::api::publishing;
use crate::api::subscriptions;
use crate::api::{
    comments, empty_edge, facebook_users, hashtags, insights, media, pages, permissions, root,
    shopping, tokens, users, Answer, Call,
};
use crate::api::{conversations, messaging, messenger_profile, oembed, welcome_flows};
use crate::api::{creator_marketplace, handover, threads_users, upcoming_events};
use crate::auth::TokenKind;
use crate::nodes::Apis;
use graph::Permission::{
    self, BusinessManagement, CatalogManagement, InstagramBasic, InstagramBusinessBasic,
    InstagramBusinessContentPublish, InstagramBusinessManageComments,
    InstagramBusinessManageInsights, InstagramBusinessManageMessages, InstagramContentPublish,
    InstagramCreatorMarketplaceDiscovery, InstagramManageComments, InstagramManageEvents,
    InstagramManageInsights, InstagramManageMessages, InstagramShoppingTagProducts,
    PagesManageMetadata, PagesReadEngagement, PagesShowList, ThreadsBusinessBasic,
};

pub use crate::dispatch::dispatch;
/// What a node kind is (registry name, error name, id shape, owner, visibility) lives in
/// `nodes::kinds`; the table only names kinds.
pub use crate::nodes::NodeKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    Get,
    Post,
    Delete,
}

/// What a row answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum On {
    /// A node: `/{id}`.
    Node(NodeKind),
    /// An edge of a node: `/{id}/{edge}`.
    Edge(NodeKind, &'static str),
    /// A root path that is not an id: `/debug_token`, `/ig_hashtag_search`, ...
    Root(&'static str),
    /// `GET /?ids=a,b`.
    Ids,
    /// `POST /` with `batch=[...]`.
    Batch,
}

/// Permissions a row needs, per login. All listed permissions are required.
#[derive(Debug, Clone, Copy)]
pub struct Scopes {
    pub instagram: &'static [Permission],
    pub facebook: &'static [Permission],
}

impl Scopes {
    /// The permissions a token of `kind` needs; app and client tokens need none.
    pub fn of(&self, kind: TokenKind) -> &'static [Permission] {
        match kind {
            TokenKind::InstagramUser => self.instagram,
            TokenKind::FacebookUser | TokenKind::Page => self.facebook,
            TokenKind::App | TokenKind::Client => &[],
        }
    }
}

pub type Handler = fn(Call) -> BoxFuture<'static, Result<Answer, GraphError>>;

pub struct Route {
    pub verb: Verb,
    pub on: On,
    pub apis: Apis,
    pub tokens: &'static [TokenKind],
    pub scopes: Scopes,
    pub handler: Handler,
}

/// A handler as a row holds it: most answer a `Value`, node reads may answer written JSON.
/// The box holds the handler's own future (an `async` block around it would hold the call
/// a second time).
macro_rules! handler {
    ($f:path) => {
        |call| {
            Box::pin(futures_util::FutureExt::map($f(call), |r| {
                r.map(Answer::from)
            }))
        }
    };
}

const USER_TOKENS: &[TokenKind] = &[
    TokenKind::InstagramUser,
    TokenKind::FacebookUser,
    TokenKind::Page,
];
const FACEBOOK_TOKENS: &[TokenKind] = &[TokenKind::FacebookUser, TokenKind::Page];
const ANY_TOKEN: &[TokenKind] = &[
    TokenKind::InstagramUser,
    TokenKind::FacebookUser,
    TokenKind::Page,
    TokenKind::App,
    TokenKind::Client,
];
const NO_SCOPES: Scopes = Scopes {
    instagram: &[],
    facebook: &[],
};
/// Rows anyone may call: the token exchanges identify the app by its credentials instead.
const PUBLIC: &[TokenKind] = &[];
const INSTAGRAM_TOKEN: &[TokenKind] = &[TokenKind::InstagramUser];

/// Hashtag search: `instagram_basic` (ref 001 L4050-4056, L4129-4133, L8500-8510); the
/// Instagram Public Content Access feature is App Review's, not a token's.
const HASHTAGS: Scopes = Scopes {
    instagram: &[],
    facebook: &[InstagramBasic],
};

/// Product tagging, catalogs and appeals (ref 001 L5620-5640, L6110-6125, L8318-8330).
const SHOPPING: Scopes = Scopes {
    instagram: &[],
    facebook: &[
        InstagramBasic,
        CatalogManagement,
        InstagramShoppingTagProducts,
    ],
};

/// Threads accounts (ref 001 L6530-6540, L7345-7355).
const THREADS: Scopes = Scopes {
    instagram: &[],
    facebook: &[InstagramBasic, ThreadsBusinessBasic, PagesReadEngagement],
};

/// Upcoming events (ref 001 L10165-10175).
const EVENTS: Scopes = Scopes {
    instagram: &[],
    facebook: &[InstagramBasic, InstagramManageEvents],
};

/// The creator marketplace (ref 001 L9266-9275).
const MARKETPLACE: Scopes = Scopes {
    instagram: &[],
    facebook: &[
        InstagramCreatorMarketplaceDiscovery,
        InstagramBasic,
        PagesManageMetadata,
        PagesShowList,
        BusinessManagement,
    ],
};

/// Refreshing a long-lived Instagram token (ref 001 L8905-8910).
const BASIC: Scopes = Scopes {
    instagram: &[InstagramBusinessBasic],
    facebook: &[],
};

/// `GET /me/accounts` (ref 001 L1773-1832: `pages_show_list`).
const LIST_PAGES: Scopes = Scopes {
    instagram: &[],
    facebook: &[PagesShowList],
};

/// Reading an IG User, its media and their edges (ref 001 L5847-6095, L443-796).
/// Insights (ref 001 L5100-5110, L6670-6680).
const INSIGHTS: Scopes = Scopes {
    instagram: &[InstagramBusinessBasic, InstagramBusinessManageInsights],
    facebook: &[InstagramBasic, InstagramManageInsights, PagesReadEngagement],
};

const READ_USER: Scopes = Scopes {
    instagram: &[InstagramBusinessBasic],
    facebook: &[InstagramBasic, PagesReadEngagement],
};

/// Comments and their moderation, mentions and tags (ref 001 L4940-4945, L3654-3663,
/// L7990-8000, L8615-8625).
const MODERATE: Scopes = Scopes {
    instagram: &[InstagramBusinessBasic, InstagramBusinessManageComments],
    facebook: &[InstagramBasic, InstagramManageComments, PagesReadEngagement],
};

/// Reading replies: Facebook Login needs no comment permission (ref 001 L3880-3889).
const READ_REPLIES: Scopes = Scopes {
    instagram: &[InstagramBusinessBasic, InstagramBusinessManageComments],
    facebook: &[InstagramBasic, PagesReadEngagement],
};

/// Reading a Page's Instagram account (ref 001 L8826-8883).
const READ_PAGE: Scopes = Scopes {
    instagram: &[],
    facebook: &[PagesShowList],
};

/// Enabling an account's webhooks with Instagram Login: the basic permission (ref 004 L2260).
const WEBHOOKS_IG: Scopes = Scopes {
    instagram: &[InstagramBusinessBasic],
    facebook: &[],
};

/// Enabling a Page's subscriptions: `pages_manage_metadata` (ref 003 L92-95).
const WEBHOOKS_PAGE: Scopes = Scopes {
    instagram: &[],
    facebook: &[PagesManageMetadata],
};

/// Creating, reading and publishing containers and reading the limit (ref 001 L32-59,
/// L3938-3947, L6585-6594, L7925-7935; 002-004 inventory §1.3). Also rupload's check.
pub const PUBLISHING: Scopes = Scopes {
    instagram: &[InstagramBusinessBasic, InstagramBusinessContentPublish],
    facebook: &[InstagramBasic, InstagramContentPublish, PagesReadEngagement],
};

/// The Send API's rows: the basic permission; the handler asks for the messaging or the
/// comment permission depending on the recipient (ref 000 L354-363, 001 L2477-2486).
const SEND: Scopes = Scopes {
    instagram: &[InstagramBusinessBasic],
    facebook: &[InstagramBasic],
};

/// Every other messaging row: basic and messaging permissions (ref 000 L1623-1629,
/// L1821-1827; the Messenger Platform's `instagram_manage_messages` on Facebook Login).
const MESSAGING: Scopes = Scopes {
    instagram: &[InstagramBusinessBasic, InstagramBusinessManageMessages],
    facebook: &[InstagramBasic, InstagramManageMessages],
};

/// Messaging: Instagram Login tokens, and Page tokens (Facebook Login through the Page, ref
/// 001 L2455-2470).
const MESSAGING_TOKENS: &[TokenKind] = &[TokenKind::InstagramUser, TokenKind::Page];
const PAGE_TOKENS: &[TokenKind] = &[TokenKind::Page];

/// Every endpoint. Edges that later areas fill answer as empty edges until then.
#[rustfmt::skip]
pub static ROUTES: &[Route] = &[
    // ----- root: multi-node reads and batch requests
    Route { verb: Verb::Get, on: On::Ids, apis: Apis::Both, tokens: ANY_TOKEN, scopes: NO_SCOPES, handler: handler!(root::multi_read) },
    Route { verb: Verb::Post, on: On::Batch, apis: Apis::Both, tokens: ANY_TOKEN, scopes: NO_SCOPES, handler: handler!(root::batch) },
    // ----- IG User
    Route { verb: Verb::Get, on: On::Node(NodeKind::IgUser), apis: Apis::Both, tokens: USER_TOKENS, scopes: READ_USER, handler: handler!(users::get_user) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "media"), apis: Apis::Both, tokens: USER_TOKENS, scopes: READ_USER, handler: handler!(users::list_media) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "stories"), apis: Apis::Both, tokens: USER_TOKENS, scopes: READ_USER, handler: handler!(users::list_stories) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "live_media"), apis: Apis::Both, tokens: USER_TOKENS, scopes: READ_USER, handler: handler!(comments::list_live_media) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "tags"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: MODERATE, handler: handler!(comments::list_tags) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "insights"), apis: Apis::Both, tokens: USER_TOKENS, scopes: INSIGHTS, handler: handler!(insights::user_insights) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "agencies"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: READ_USER, handler: handler!(empty_edge) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "authorized_adaccounts"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: READ_USER, handler: handler!(empty_edge) },
    // ----- IG Media
    Route { verb: Verb::Get, on: On::Node(NodeKind::IgMedia), apis: Apis::Both, tokens: USER_TOKENS, scopes: READ_USER, handler: handler!(media::get_media) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgMedia, "children"), apis: Apis::Both, tokens: USER_TOKENS, scopes: READ_USER, handler: handler!(media::list_children) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgMedia, "comments"), apis: Apis::Both, tokens: USER_TOKENS, scopes: MODERATE, handler: handler!(comments::list_comments) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgMedia, "collaborators"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: READ_USER, handler: handler!(comments::list_collaborators) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgMedia, "insights"), apis: Apis::Both, tokens: USER_TOKENS, scopes: INSIGHTS, handler: handler!(insights::media_insights) },
    // The media's active ads (ref 001 L540-542): there are no ads here, so always empty.
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgMedia, "boost_ads_list"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: READ_USER, handler: handler!(empty_edge) },
    // ----- Facebook Login: the Facebook user and the Page
    Route { verb: Verb::Get, on: On::Node(NodeKind::FacebookUser), apis: Apis::Facebook, tokens: &[TokenKind::FacebookUser], scopes: NO_SCOPES, handler: handler!(facebook_users::get_user) },
    Route { verb: Verb::Get, on: On::Node(NodeKind::Page), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: READ_PAGE, handler: handler!(pages::get_page) },
    // ----- apps, logins and tokens (issue #3)
    Route { verb: Verb::Get, on: On::Root("access_token"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: NO_SCOPES, handler: handler!(tokens::ig_exchange_token) },
    Route { verb: Verb::Get, on: On::Root("refresh_access_token"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: BASIC, handler: handler!(tokens::ig_refresh_token) },
    Route { verb: Verb::Get, on: On::Root("oauth/access_token"), apis: Apis::Facebook, tokens: PUBLIC, scopes: NO_SCOPES, handler: handler!(tokens::facebook_access_token) },
    Route { verb: Verb::Post, on: On::Root("oauth/access_token"), apis: Apis::Facebook, tokens: PUBLIC, scopes: NO_SCOPES, handler: handler!(tokens::facebook_access_token) },
    Route { verb: Verb::Get, on: On::Root("debug_token"), apis: Apis::Facebook, tokens: &[TokenKind::App, TokenKind::FacebookUser, TokenKind::Page], scopes: NO_SCOPES, handler: handler!(tokens::debug_token) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::FacebookUser, "accounts"), apis: Apis::Facebook, tokens: &[TokenKind::FacebookUser], scopes: LIST_PAGES, handler: handler!(facebook_users::list_accounts) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::FacebookUser, "permissions"), apis: Apis::Facebook, tokens: &[TokenKind::FacebookUser], scopes: NO_SCOPES, handler: handler!(permissions::list) },
    Route { verb: Verb::Delete, on: On::Edge(NodeKind::FacebookUser, "permissions"), apis: Apis::Facebook, tokens: &[TokenKind::FacebookUser], scopes: NO_SCOPES, handler: handler!(permissions::revoke_all) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "permissions"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: NO_SCOPES, handler: handler!(permissions::list) },
    Route { verb: Verb::Delete, on: On::Edge(NodeKind::IgUser, "permissions"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: NO_SCOPES, handler: handler!(permissions::revoke_all) },
    // ----- content publishing (issue #4)
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "media"), apis: Apis::Both, tokens: USER_TOKENS, scopes: PUBLISHING, handler: handler!(publishing::create_container) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "media_publish"), apis: Apis::Both, tokens: USER_TOKENS, scopes: PUBLISHING, handler: handler!(publishing::publish) },
    Route { verb: Verb::Get, on: On::Node(NodeKind::Container), apis: Apis::Both, tokens: USER_TOKENS, scopes: PUBLISHING, handler: handler!(publishing::get_container) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "content_publishing_limit"), apis: Apis::Both, tokens: USER_TOKENS, scopes: PUBLISHING, handler: handler!(publishing::publishing_limit) },
    // ----- media, comments, mentions, tags (issue #5)
    Route { verb: Verb::Post, on: On::Node(NodeKind::IgMedia), apis: Apis::Both, tokens: USER_TOKENS, scopes: MODERATE, handler: handler!(comments::update_media) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgMedia, "comments"), apis: Apis::Both, tokens: USER_TOKENS, scopes: MODERATE, handler: handler!(comments::create_comment) },
    Route { verb: Verb::Get, on: On::Node(NodeKind::IgComment), apis: Apis::Both, tokens: USER_TOKENS, scopes: MODERATE, handler: handler!(comments::get_comment) },
    Route { verb: Verb::Post, on: On::Node(NodeKind::IgComment), apis: Apis::Both, tokens: USER_TOKENS, scopes: MODERATE, handler: handler!(comments::hide_comment) },
    Route { verb: Verb::Delete, on: On::Node(NodeKind::IgComment), apis: Apis::Both, tokens: USER_TOKENS, scopes: MODERATE, handler: handler!(comments::delete_comment) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgComment, "replies"), apis: Apis::Both, tokens: USER_TOKENS, scopes: READ_REPLIES, handler: handler!(comments::list_replies) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgComment, "replies"), apis: Apis::Both, tokens: USER_TOKENS, scopes: MODERATE, handler: handler!(comments::create_reply) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "mentions"), apis: Apis::Both, tokens: USER_TOKENS, scopes: MODERATE, handler: handler!(comments::reply_to_mention) },
    // ----- messaging (issue #7)
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "messages"), apis: Apis::Both, tokens: MESSAGING_TOKENS, scopes: SEND, handler: handler!(messaging::send) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::Page, "messages"), apis: Apis::Facebook, tokens: PAGE_TOKENS, scopes: SEND, handler: handler!(messaging::send) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "message_attachments"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: MESSAGING, handler: handler!(messaging::upload_attachment) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::Page, "message_attachments"), apis: Apis::Facebook, tokens: PAGE_TOKENS, scopes: MESSAGING, handler: handler!(messaging::upload_attachment) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "conversations"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: MESSAGING, handler: handler!(conversations::list) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::Page, "conversations"), apis: Apis::Facebook, tokens: PAGE_TOKENS, scopes: MESSAGING, handler: handler!(conversations::list) },
    Route { verb: Verb::Get, on: On::Node(NodeKind::Conversation), apis: Apis::Both, tokens: MESSAGING_TOKENS, scopes: MESSAGING, handler: handler!(conversations::get_conversation) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::Conversation, "messages"), apis: Apis::Both, tokens: MESSAGING_TOKENS, scopes: MESSAGING, handler: handler!(conversations::list_messages) },
    Route { verb: Verb::Get, on: On::Node(NodeKind::Message), apis: Apis::Both, tokens: MESSAGING_TOKENS, scopes: MESSAGING, handler: handler!(conversations::get_message) },
    Route { verb: Verb::Get, on: On::Node(NodeKind::Igsid), apis: Apis::Both, tokens: MESSAGING_TOKENS, scopes: MESSAGING, handler: handler!(conversations::get_profile) },
    // the Handover Protocol (8.14): thread control between apps
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "pass_thread_control"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: MESSAGING, handler: handler!(handover::pass) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "take_thread_control"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: MESSAGING, handler: handler!(handover::take) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "request_thread_control"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: MESSAGING, handler: handler!(handover::request) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "thread_owner"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: MESSAGING, handler: handler!(handover::thread_owner) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "secondary_receivers"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: MESSAGING, handler: handler!(handover::secondary_receivers) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::Page, "pass_thread_control"), apis: Apis::Facebook, tokens: PAGE_TOKENS, scopes: MESSAGING, handler: handler!(handover::pass) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::Page, "take_thread_control"), apis: Apis::Facebook, tokens: PAGE_TOKENS, scopes: MESSAGING, handler: handler!(handover::take) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::Page, "request_thread_control"), apis: Apis::Facebook, tokens: PAGE_TOKENS, scopes: MESSAGING, handler: handler!(handover::request) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::Page, "thread_owner"), apis: Apis::Facebook, tokens: PAGE_TOKENS, scopes: MESSAGING, handler: handler!(handover::thread_owner) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::Page, "secondary_receivers"), apis: Apis::Facebook, tokens: PAGE_TOKENS, scopes: MESSAGING, handler: handler!(handover::secondary_receivers) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "messenger_profile"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: MESSAGING, handler: handler!(messenger_profile::get) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "messenger_profile"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: MESSAGING, handler: handler!(messenger_profile::set) },
    Route { verb: Verb::Delete, on: On::Edge(NodeKind::IgUser, "messenger_profile"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: MESSAGING, handler: handler!(messenger_profile::delete) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::Page, "messenger_profile"), apis: Apis::Facebook, tokens: PAGE_TOKENS, scopes: MESSAGING, handler: handler!(messenger_profile::get) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::Page, "messenger_profile"), apis: Apis::Facebook, tokens: PAGE_TOKENS, scopes: MESSAGING, handler: handler!(messenger_profile::set) },
    Route { verb: Verb::Delete, on: On::Edge(NodeKind::Page, "messenger_profile"), apis: Apis::Facebook, tokens: PAGE_TOKENS, scopes: MESSAGING, handler: handler!(messenger_profile::delete) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "welcome_message_flows"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: MESSAGING, handler: handler!(welcome_flows::list) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "welcome_message_flows"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: MESSAGING, handler: handler!(welcome_flows::create_or_update) },
    Route { verb: Verb::Delete, on: On::Edge(NodeKind::IgUser, "welcome_message_flows"), apis: Apis::Instagram, tokens: INSTAGRAM_TOKEN, scopes: MESSAGING, handler: handler!(welcome_flows::delete) },
    // ----- discovery (issue #13): hashtags
    Route { verb: Verb::Get, on: On::Root("ig_hashtag_search"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: HASHTAGS, handler: handler!(hashtags::search) },
    Route { verb: Verb::Get, on: On::Node(NodeKind::Hashtag), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: HASHTAGS, handler: handler!(hashtags::get_hashtag) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::Hashtag, "recent_media"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: HASHTAGS, handler: handler!(hashtags::recent_media) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::Hashtag, "top_media"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: HASHTAGS, handler: handler!(hashtags::top_media) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "recently_searched_hashtags"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: HASHTAGS, handler: handler!(hashtags::recently_searched) },
    // product tagging and shopping
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "available_catalogs"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: SHOPPING, handler: handler!(shopping::available_catalogs) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "catalog_product_search"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: SHOPPING, handler: handler!(shopping::catalog_product_search) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "product_appeal"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: SHOPPING, handler: handler!(shopping::get_appeal) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "product_appeal"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: SHOPPING, handler: handler!(shopping::appeal) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgMedia, "product_tags"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: SHOPPING, handler: handler!(shopping::list_product_tags) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgMedia, "product_tags"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: SHOPPING, handler: handler!(shopping::update_product_tags) },
    // Threads accounts and upcoming events
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "connected_threads_user"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: THREADS, handler: handler!(threads_users::connected) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "instagram_backed_threads_user"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: THREADS, handler: handler!(threads_users::backed) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "instagram_backed_threads_user"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: THREADS, handler: handler!(threads_users::create_backed) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "upcoming_events"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: EVENTS, handler: handler!(upcoming_events::list) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "upcoming_events"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: EVENTS, handler: handler!(upcoming_events::create) },
    Route { verb: Verb::Get, on: On::Node(NodeKind::UpcomingEvent), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: EVENTS, handler: handler!(upcoming_events::get) },
    Route { verb: Verb::Post, on: On::Node(NodeKind::UpcomingEvent), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: EVENTS, handler: handler!(upcoming_events::update) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "creator_marketplace_creators"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: MARKETPLACE, handler: handler!(creator_marketplace::creators) },
    // oEmbed: app tokens and APP_ID|CLIENT_TOKEN client tokens (ref 001 L3185-3200)
    Route { verb: Verb::Get, on: On::Root("instagram_oembed"), apis: Apis::Facebook, tokens: &[TokenKind::App, TokenKind::Client], scopes: NO_SCOPES, handler: handler!(oembed::get) },
    // ----- webhooks: subscriptions (issue #6)
    Route { verb: Verb::Get, on: On::Edge(NodeKind::App, "subscriptions"), apis: Apis::Facebook, tokens: &[TokenKind::App], scopes: NO_SCOPES, handler: handler!(subscriptions::list_app_subscriptions) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::App, "subscriptions"), apis: Apis::Facebook, tokens: &[TokenKind::App], scopes: NO_SCOPES, handler: handler!(subscriptions::create_app_subscription) },
    Route { verb: Verb::Delete, on: On::Edge(NodeKind::App, "subscriptions"), apis: Apis::Facebook, tokens: &[TokenKind::App], scopes: NO_SCOPES, handler: handler!(subscriptions::delete_app_subscription) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::IgUser, "subscribed_apps"), apis: Apis::Instagram, tokens: &[TokenKind::InstagramUser], scopes: WEBHOOKS_IG, handler: handler!(subscriptions::list_subscribed_apps) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::IgUser, "subscribed_apps"), apis: Apis::Instagram, tokens: &[TokenKind::InstagramUser], scopes: WEBHOOKS_IG, handler: handler!(subscriptions::subscribe_app) },
    Route { verb: Verb::Delete, on: On::Edge(NodeKind::IgUser, "subscribed_apps"), apis: Apis::Instagram, tokens: &[TokenKind::InstagramUser], scopes: WEBHOOKS_IG, handler: handler!(subscriptions::unsubscribe_app) },
    Route { verb: Verb::Get, on: On::Edge(NodeKind::Page, "subscribed_apps"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: WEBHOOKS_PAGE, handler: handler!(subscriptions::list_subscribed_apps) },
    Route { verb: Verb::Post, on: On::Edge(NodeKind::Page, "subscribed_apps"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: WEBHOOKS_PAGE, handler: handler!(subscriptions::subscribe_app) },
    Route { verb: Verb::Delete, on: On::Edge(NodeKind::Page, "subscribed_apps"), apis: Apis::Facebook, tokens: FACEBOOK_TOKENS, scopes: WEBHOOKS_PAGE, handler: handler!(subscriptions::unsubscribe_app) },
];

/// The routes outside the Graph API proper, on the other Meta hosts: the login dialogs
/// (HTML, used in a browser) and Instagram Login's code exchange. Everything else on the Meta
/// hosts goes through `ROUTES`.
pub fn web_routes() -> axum::Router<crate::state::Shared> {
    use crate::login;
    use crate::publishing;
    use axum::extract::DefaultBodyLimit;
    use axum::routing::{any, get, post};
    axum::Router::new()
        // api.instagram.com / www.instagram.com (ref 001 L8736-8825)
        .route(
            "/oauth/authorize",
            get(login::instagram::authorize).post(login::instagram::authorize),
        )
        // api.instagram.com POST, and graph.facebook.com GET/POST: the paths collide
        .route("/oauth/access_token", any(login::access_token))
        .route("/{version}/oauth/access_token", any(login::access_token))
        // www.facebook.com (ref 001 L8965-9124)
        .route(
            "/dialog/oauth",
            get(login::facebook::dialog).post(login::facebook::dialog),
        )
        .route(
            "/{version}/dialog/oauth",
            get(login::facebook::dialog).post(login::facebook::dialog),
        )
        // ----- rupload.facebook.com and the media host (issue #4)
        // rupload, with and without the version (ref 001 L190-214, L1433, L2132): streamed
        // to disk, so no body limit.
        .route(
            "/ig-api-upload/{version}/{container_id}",
            post(publishing::rupload::upload_versioned).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/ig-api-upload/{container_id}",
            post(publishing::rupload::upload).layer(DefaultBodyLimit::disable()),
        )
        // localgram's media host: media_url and thumbnail_url of published media
        .route("/media/{file}", get(publishing::media_host::serve))
}

/// Whether any row serves this edge name on this node kind (for telling an unknown edge from
/// a known edge called with the wrong method).
pub fn edge_exists(kind: NodeKind, edge: &str) -> bool {
    ROUTES
        .iter()
        .any(|r| matches!(r.on, On::Edge(k, e) if k == kind && e == edge))
}

/// Root path names (`/debug_token`, ...) some row serves.
pub fn root_exists(name: &str) -> bool {
    ROUTES
        .iter()
        .any(|r| matches!(r.on, On::Root(root) if root == name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn no_two_rows_answer_the_same_request() {
        let mut seen = HashSet::new();
        for route in ROUTES {
            assert!(
                seen.insert((route.verb, route.on)),
                "duplicate row {:?} {:?}",
                route.verb,
                route.on
            );
        }
    }

    #[test]
    fn each_login_asks_for_its_own_permissions() {
        for route in ROUTES.iter().map(|r| r.scopes).chain([PUBLISHING]) {
            assert!(route.instagram.iter().all(|p| p.is_instagram_login()));
            assert!(route.facebook.iter().all(|p| p.is_facebook_login()));
        }
    }

    /// The dispatcher resolves `me` and id-shaped first segments as nodes without looking at
    /// root names: that is only right while no root is named like one.
    #[test]
    fn no_root_is_named_like_a_node() {
        for route in ROUTES {
            if let On::Root(name) = route.on {
                let first = name.split('/').next().unwrap_or(name);
                assert_ne!(first, "me");
                assert!(!graph::ids::looks_like_id(first), "{name}");
                assert!(!crate::messaging::ids::looks_like_mid(first), "{name}");
            }
        }
    }

    #[test]
    fn only_the_token_exchanges_are_public() {
        for route in ROUTES {
            if route.tokens.is_empty() {
                assert_eq!(route.on, On::Root("oauth/access_token"));
            }
        }
    }
}
