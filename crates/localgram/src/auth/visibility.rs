//! Which nodes a token can see: its own account, Page or user, and what hangs off them.
//! Anything else answers as if it did not exist, as Meta does.

use crate::store::Reader;

use super::{Caller, TokenKind};
use crate::api::Target;
use crate::router::NodeKind;
use crate::store::{accounts, comments, containers, media, StoreResult};

pub fn can_see(conn: &Reader, caller: &Caller, target: &Target) -> StoreResult<bool> {
    match target.kind {
        NodeKind::IgUser => can_see_account(conn, caller, &target.id),
        NodeKind::IgMedia => match media::get(conn, &target.id)? {
            Some(media) => can_see_account(conn, caller, &media.account_id),
            None => Ok(false),
        },
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
        // Same rule as the account that created it.
        NodeKind::Container => match containers::account_of(conn, &target.id)? {
            Some(account_id) => can_see_account(conn, caller, &account_id),
            None => Ok(false),
        },
        // Messaging nodes: the account the conversation, message or IGSID belongs to.
        NodeKind::Conversation
        | NodeKind::Message
        | NodeKind::Igsid
        | NodeKind::WelcomeFlow
        | NodeKind::MessageAttachment => match crate::messaging::owner_of(conn, target)? {
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
    let account_id = match target.kind {
        NodeKind::IgUser => Some(target.id.clone()),
        NodeKind::IgMedia => media::get(conn, &target.id)?.map(|m| m.account_id),
        NodeKind::IgComment => match comments::get(conn, &target.id)? {
            Some(comment) => media::get(conn, &comment.media_id)?.map(|m| m.account_id),
            None => None,
        },
        NodeKind::Page => {
            return Ok(
                accounts::page(conn, &target.id)?.is_some_and(|p| p.role_via_business_manager)
            )
        }
        NodeKind::Container => containers::account_of(conn, &target.id)?,
        NodeKind::Conversation
        | NodeKind::Message
        | NodeKind::Igsid
        | NodeKind::WelcomeFlow
        | NodeKind::MessageAttachment => crate::messaging::owner_of(conn, target)?,
        NodeKind::FacebookUser | NodeKind::App => None,
    };
    let Some(account_id) = account_id else {
        return Ok(false);
    };
    let Some(page_id) = accounts::get(conn, &account_id)?.and_then(|a| a.page_id) else {
        return Ok(false);
    };
    Ok(accounts::page(conn, &page_id)?.is_some_and(|p| p.role_via_business_manager))
}

/// What access checks need to know about a node, read together in one snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub visible: bool,
    /// Whether the Page behind the node gives its role through Business Manager; only read
    /// when asked for and the node is visible.
    pub via_business_manager: bool,
}

/// [`can_see`] and, when `business_manager` is set, [`page_role_via_business_manager`].
pub fn access(
    conn: &Reader,
    caller: &Caller,
    target: &Target,
    business_manager: bool,
) -> StoreResult<Access> {
    let visible = can_see(conn, caller, target)?;
    let via_business_manager =
        visible && business_manager && page_role_via_business_manager(conn, target)?;
    Ok(Access {
        visible,
        via_business_manager,
    })
}
