//! What each node kind is, in one place: its name in the object registry, the Meta type name
//! its errors use, the id shape it is minted with, the IG account that owns it, and who may see
//! it. Anything a token cannot see answers as if it did not exist, as Meta does.

use graph::ids::{IdKind, IdMinter};

use crate::auth::{Caller, TokenKind};
use crate::store::{
    accounts, comments, containers, media, objects, Reader, StoreError, StoreResult, Writer,
};

/// The kinds of node an id can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    IgUser,
    IgMedia,
    IgComment,
    Page,
    FacebookUser,
    App,
    /// An IG Container (issue #4).
    Container,
    /// Messaging (issue #7): a conversation, a message, a person's Instagram-scoped id (User
    /// Profile API), a welcome message flow, an uploaded message attachment.
    Conversation,
    Message,
    Igsid,
    WelcomeFlow,
    MessageAttachment,
    /// An IG Hashtag (issue #13): public, global, its id derived from its name.
    Hashtag,
    /// An upcoming event an account hosts (issue #13).
    UpcomingEvent,
}

impl NodeKind {
    /// The kind as the object registry stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::IgUser => "ig_user",
            NodeKind::IgMedia => "ig_media",
            NodeKind::IgComment => "ig_comment",
            NodeKind::Page => "page",
            NodeKind::FacebookUser => "facebook_user",
            NodeKind::App => "app",
            NodeKind::Container => "ig_container",
            NodeKind::Conversation => "conversation",
            NodeKind::Message => "message",
            NodeKind::Igsid => "igsid",
            NodeKind::WelcomeFlow => "welcome_flow",
            NodeKind::MessageAttachment => "message_attachment",
            NodeKind::Hashtag => "ig_hashtag",
            NodeKind::UpcomingEvent => "upcoming_event",
        }
    }

    pub fn parse(text: &str) -> Option<NodeKind> {
        Some(match text {
            "ig_user" => NodeKind::IgUser,
            "ig_media" => NodeKind::IgMedia,
            "ig_comment" => NodeKind::IgComment,
            "page" => NodeKind::Page,
            "facebook_user" => NodeKind::FacebookUser,
            "app" => NodeKind::App,
            "ig_container" => NodeKind::Container,
            "conversation" => NodeKind::Conversation,
            "message" => NodeKind::Message,
            "igsid" => NodeKind::Igsid,
            "welcome_flow" => NodeKind::WelcomeFlow,
            "message_attachment" => NodeKind::MessageAttachment,
            "ig_hashtag" => NodeKind::Hashtag,
            "upcoming_event" => NodeKind::UpcomingEvent,
            _ => return None,
        })
    }

    /// The Meta node type name used in errors about this kind.
    pub fn type_name(self) -> &'static str {
        match self {
            NodeKind::IgUser => super::ig_user::IG_USER.name,
            NodeKind::IgMedia => super::ig_media::IG_MEDIA.name,
            NodeKind::IgComment => super::ig_comment::IG_COMMENT.name,
            NodeKind::Page => super::page::PAGE.name,
            NodeKind::FacebookUser => super::facebook_user::FACEBOOK_USER.name,
            NodeKind::App => "Application",
            NodeKind::Container => super::ig_container::IG_CONTAINER.name,
            NodeKind::Conversation => super::conversation::CONVERSATION.name,
            NodeKind::Message => super::message::MESSAGE.name,
            NodeKind::Igsid => super::igsid_profile::IGSID_PROFILE.name,
            NodeKind::WelcomeFlow => "WelcomeMessageFlow",
            NodeKind::MessageAttachment => "MessageAttachment",
            NodeKind::Hashtag => super::ig_hashtag::IG_HASHTAG.name,
            NodeKind::UpcomingEvent => super::upcoming_event::UPCOMING_EVENT.name,
        }
    }

    /// The id shape this kind is minted with. Messages have none: a message id encodes where
    /// the message is (`messaging::ids`) and is never in the registry.
    pub fn id_kind(self) -> Option<IdKind> {
        Some(match self {
            NodeKind::IgUser => IdKind::IgUser,
            NodeKind::IgMedia => IdKind::Media,
            NodeKind::IgComment => IdKind::Comment,
            NodeKind::Page => IdKind::Page,
            NodeKind::FacebookUser => IdKind::FacebookUser,
            NodeKind::App => IdKind::App,
            NodeKind::Container => IdKind::Container,
            NodeKind::Igsid => IdKind::Igsid,
            NodeKind::Hashtag => IdKind::Hashtag,
            NodeKind::Conversation
            | NodeKind::WelcomeFlow
            | NodeKind::MessageAttachment
            | NodeKind::UpcomingEvent => IdKind::Other,
            NodeKind::Message => return None,
        })
    }

    /// The node `me` names for a token of this kind.
    pub fn of_token(kind: TokenKind) -> NodeKind {
        match kind {
            TokenKind::InstagramUser => NodeKind::IgUser,
            TokenKind::FacebookUser => NodeKind::FacebookUser,
            TokenKind::Page => NodeKind::Page,
            TokenKind::App | TokenKind::Client => NodeKind::App,
        }
    }
}

/// The node a request addresses.
#[derive(Debug, Clone)]
pub struct Target {
    /// The canonical id of the object (an app-scoped alias resolves to its account).
    pub id: String,
    /// The id as the request wrote it (`me` resolves to the token owner's id).
    pub addressed_as: String,
    pub kind: NodeKind,
}

/// Mints a fresh id of `kind`, in its shape, and registers it (inside the caller's
/// transaction).
pub fn mint(tx: &Writer, ids: &IdMinter, kind: NodeKind, now: i64) -> StoreResult<String> {
    mint_alias(tx, ids, kind, None, now)
}

/// Like [`mint`], for an id that names another object (an IGSID names its person).
pub fn mint_alias(
    tx: &Writer,
    ids: &IdMinter,
    kind: NodeKind,
    target: Option<&str>,
    now: i64,
) -> StoreResult<String> {
    let id_kind = kind
        .id_kind()
        .ok_or_else(|| StoreError::Internal(format!("{} ids are not minted", kind.as_str())))?;
    objects::mint_alias(tx, ids, id_kind, kind.as_str(), target, now)
}

/// The IG account a node belongs to, for kinds that belong to one (the Page, the Facebook user
/// and the app belong to none).
pub fn owner(conn: &Reader, target: &Target) -> StoreResult<Option<String>> {
    Ok(match target.kind {
        NodeKind::IgUser => Some(target.id.clone()),
        NodeKind::IgMedia => media::get(conn, &target.id)?.map(|m| m.account_id),
        NodeKind::IgComment => match comments::get(conn, &target.id)? {
            Some(comment) => media::get(conn, &comment.media_id)?.map(|m| m.account_id),
            None => None,
        },
        NodeKind::Container => containers::account_of(conn, &target.id)?,
        NodeKind::UpcomingEvent => {
            crate::store::upcoming_events::get(conn, &target.id)?.map(|e| e.account_id)
        }
        NodeKind::Conversation
        | NodeKind::Message
        | NodeKind::Igsid
        | NodeKind::WelcomeFlow
        | NodeKind::MessageAttachment => crate::messaging::owner_of(conn, target)?,
        NodeKind::Page | NodeKind::FacebookUser | NodeKind::App | NodeKind::Hashtag => None,
    })
}

/// Whether the caller can see the node: the account that owns it is visible to the caller, with
/// the exceptions below.
pub fn can_see(conn: &Reader, caller: &Caller, target: &Target) -> StoreResult<bool> {
    match target.kind {
        // A comment on the account's media, or one the account wrote (ref 001 L3665-3675).
        NodeKind::IgComment => match comments::get(conn, &target.id)? {
            None => Ok(false),
            Some(comment) => {
                if comment.by_account() && can_see_account(conn, caller, &comment.author_id)? {
                    return Ok(true);
                }
                match media::get(conn, &comment.media_id)? {
                    Some(media) => can_see_account(conn, caller, &media.account_id),
                    None => Ok(false),
                }
            }
        },
        NodeKind::Page => Ok(match caller.kind {
            TokenKind::Page => caller.subject == target.id,
            TokenKind::FacebookUser => accounts::page(conn, &target.id)?
                .is_some_and(|page| page.facebook_user_id == caller.subject),
            _ => false,
        }),
        NodeKind::FacebookUser => {
            Ok(caller.kind == TokenKind::FacebookUser && caller.subject == target.id)
        }
        NodeKind::App => Ok(caller.app.id == target.id),
        // Hashtags are public: any Facebook Login user or Page token reads them (ref 001
        // L4040-4041, L4129-4133).
        NodeKind::Hashtag => Ok(matches!(
            caller.kind,
            TokenKind::FacebookUser | TokenKind::Page
        )),
        _ => match owner(conn, target)? {
            Some(account_id) => can_see_account(conn, caller, &account_id),
            None => Ok(false),
        },
    }
}

/// An IG account is visible to its own Instagram Login token, to the Facebook user who manages
/// its Page, and to that Page's token.
pub fn can_see_account(conn: &Reader, caller: &Caller, account_id: &str) -> StoreResult<bool> {
    match caller.kind {
        TokenKind::InstagramUser => Ok(caller.subject == account_id),
        TokenKind::FacebookUser => accounts::is_managed_by(conn, account_id, &caller.subject),
        TokenKind::Page => Ok(accounts::get(conn, account_id)?
            .is_some_and(|account| account.page_id.as_deref() == Some(caller.subject.as_str()))),
        TokenKind::App | TokenKind::Client => Ok(false),
    }
}

/// Whether the Page behind a node gives its Facebook user their role through Business
/// Manager; such users also need `ads_management` or `ads_read` (ref 001 L5860-5875).
pub fn page_role_via_business_manager(conn: &Reader, target: &Target) -> StoreResult<bool> {
    if target.kind == NodeKind::Page {
        return Ok(accounts::page(conn, &target.id)?.is_some_and(|p| p.role_via_business_manager));
    }
    let Some(account_id) = owner(conn, target)? else {
        return Ok(false);
    };
    let Some(page_id) = accounts::get(conn, &account_id)?.and_then(|a| a.page_id) else {
        return Ok(false);
    };
    Ok(accounts::page(conn, &page_id)?.is_some_and(|p| p.role_via_business_manager))
}

/// What access checks need to know about a node, read together in one snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visibility {
    pub visible: bool,
    /// Whether the Page behind the node gives its role through Business Manager; only read
    /// when asked for and the node is visible.
    pub via_business_manager: bool,
}

/// [`can_see`] and, when `business_manager` is set, [`page_role_via_business_manager`].
pub fn visibility(
    conn: &Reader,
    caller: &Caller,
    target: &Target,
    business_manager: bool,
) -> StoreResult<Visibility> {
    let visible = can_see(conn, caller, target)?;
    let via_business_manager =
        visible && business_manager && page_role_via_business_manager(conn, target)?;
    Ok(Visibility {
        visible,
        via_business_manager,
    })
}
