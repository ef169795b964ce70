//! Which limits a Graph call counts against, decided from its route row, its token and its
//! target (seed002-004 §11):
//!
//! - the Instagram endpoints count in the Business Use Case budget of the (app, account)
//!   pair, except messaging, which has limits of its own;
//! - Business Discovery, Hashtag Search, app and client tokens and the Facebook nodes (Pages,
//!   Facebook users) count in the platform limits: the app's, and the user's for user tokens;
//! - reading conversations and their messages counts 2/s per account; the Send API counts in
//!   its handler (`messaging`), where the kind of message is known;
//! - oEmbed counts per app.
//!
//! Rows are named by [`On`], so an endpoint added later (Hashtag Search, oEmbed) plugs in by
//! its row: [`PLATFORM_ROOTS`] and [`OEMBED_ROOTS`].

use std::borrow::Cow;
use std::future::{ready, Ready};

use futures_util::future::{BoxFuture, Either};
use smallvec::SmallVec;

use crate::api::Target;
use crate::auth::{Caller, TokenKind};
use crate::router::{NodeKind, On, Verb};
use crate::state::Shared;

use super::{Check, Limit};

/// Root endpoints under platform rate limits (Hashtag Search).
pub const PLATFORM_ROOTS: &[&str] = &["ig_hashtag_search"];
/// oEmbed's root endpoints.
pub const OEMBED_ROOTS: &[&str] = &["instagram_oembed"];
/// Fields under platform rate limits whichever node asks for them (Business Discovery).
pub const PLATFORM_FIELDS: &[&str] = &["business_discovery"];

/// The budget a call's row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Not counted here (no token, a batch whose items count, the Send API).
    None,
    BusinessUseCase,
    Platform,
    Conversations,
    Oembed,
    /// The creator marketplace's own account and app limits (ref 001 L9298-9302).
    CreatorMarketplace,
}

/// The budget of a row, for a caller of `token` kind; `platform_fields` says whether the
/// call asks for a platform-limited field.
#[inline]
pub fn budget(on: On, verb: Verb, token: TokenKind, platform_fields: bool) -> Budget {
    match on {
        On::Batch => Budget::None,
        On::Root(name) if OEMBED_ROOTS.contains(&name) => Budget::Oembed,
        On::Root(_) | On::Ids => Budget::Platform,
        // The Send API (and private replies) count by the message they send.
        On::Edge(_, "messages") if verb == Verb::Post => Budget::None,
        On::Edge(NodeKind::IgUser, "creator_marketplace_creators") => Budget::CreatorMarketplace,
        On::Edge(_, "conversations")
        | On::Node(NodeKind::Conversation)
        | On::Node(NodeKind::Message)
        | On::Edge(NodeKind::Conversation, _) => Budget::Conversations,
        _ if matches!(token, TokenKind::App | TokenKind::Client) => Budget::Platform,
        _ if platform_fields => Budget::Platform,
        On::Node(kind) | On::Edge(kind, _) => match kind {
            NodeKind::IgUser | NodeKind::IgMedia | NodeKind::IgComment | NodeKind::Container => {
                Budget::BusinessUseCase
            }
            NodeKind::Page | NodeKind::FacebookUser | NodeKind::App => Budget::Platform,
            // Messaging's other nodes (profiles, flows, attachments): messaging is excluded
            // from the Business Use Case count.
            _ => Budget::None,
        },
    }
}

/// The account a call concerns: the target itself when it is an IG account, else the account
/// an Instagram token acts as, else the owner of the target (one read, usually cached).
pub async fn account_of<'a>(
    state: &Shared,
    caller: &'a Caller,
    target: Option<&'a Target>,
) -> Option<Cow<'a, str>> {
    if let Some(known) = account_known(caller, target) {
        return known.map(Cow::Borrowed);
    }
    let target = target?.clone();
    state
        .db
        .read_memory_first(move |r| crate::nodes::kinds::owner(r, &target))
        .await
        .ok()
        .flatten()
        .map(Cow::Owned)
}

/// The account a call in `budget` counts for, when it is known without a read: `Some(None)`
/// when its counts name no account. With the caller and the budget, it decides the call's
/// checks.
pub fn counted_account<'a>(
    budget: Budget,
    caller: &'a Caller,
    target: Option<&'a Target>,
) -> Option<Option<&'a str>> {
    match budget {
        Budget::None | Budget::Oembed | Budget::Platform => Some(None),
        // The conversations of a Page (Facebook Login) count per Page.
        Budget::Conversations => match target {
            Some(t) if t.kind == NodeKind::Page => Some(Some(t.id.as_str())),
            _ => account_known(caller, target),
        },
        Budget::CreatorMarketplace | Budget::BusinessUseCase => account_known(caller, target),
    }
}

/// The counts a call makes, borrowing the ids the call already holds. Ready at once unless
/// the account must be read (a Facebook Login call on a node an account owns).
pub fn checks<'a>(
    state: &'a Shared,
    budget: Budget,
    caller: &'a Caller,
    target: Option<&'a Target>,
) -> Either<Ready<Checks<'a>>, BoxFuture<'a, Checks<'a>>> {
    match counted_account(budget, caller, target) {
        Some(account) => Either::Left(ready(checks_for(
            budget,
            caller,
            account.map(Cow::Borrowed),
        ))),
        None => Either::Right(Box::pin(async move {
            let account = account_of(state, caller, target).await;
            checks_for(budget, caller, account)
        })),
    }
}

/// A call's checks, up to two.
pub type Checks<'a> = SmallVec<[Check<'a>; 2]>;

/// The account a call concerns when it is known without a read: `Some(None)` when the call
/// concerns none.
fn account_known<'a>(caller: &'a Caller, target: Option<&'a Target>) -> Option<Option<&'a str>> {
    match target {
        Some(t) if t.kind == NodeKind::IgUser => Some(Some(&t.id)),
        _ if caller.kind == TokenKind::InstagramUser => Some(Some(&caller.subject)),
        None => Some(None),
        Some(_) => None,
    }
}

/// The counts of a call in `budget` for `account` ([`counted_account`], else its target's
/// owner).
fn checks_for<'a>(budget: Budget, caller: &'a Caller, account: Option<Cow<'a, str>>) -> Checks<'a> {
    let app = caller.app.id.as_str();
    let mut checks = SmallVec::new();
    match budget {
        Budget::None => {}
        Budget::Oembed => checks.push(Check::per_key(Limit::Oembed, app)),
        Budget::CreatorMarketplace => {
            checks.push(Check::per_key(Limit::CreatorMarketplaceApp, app));
            if let Some(account) = account {
                checks.push(Check::per_account(Limit::CreatorMarketplace, account));
            }
        }
        Budget::Platform => {
            checks.push(Check::per_key(Limit::App, app));
            if matches!(
                caller.kind,
                TokenKind::InstagramUser | TokenKind::FacebookUser
            ) {
                checks.push(Check::per_key(Limit::User, caller.subject.as_str()));
            }
        }
        Budget::BusinessUseCase => match account {
            Some(account) => checks.push(Check::per_pair(Limit::Instagram, app, account)),
            None => checks.push(Check::per_key(Limit::App, app)),
        },
        Budget::Conversations => {
            if let Some(account) = account {
                checks.push(Check::per_account(Limit::Conversations, account));
            }
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_belong_to_the_budgets_the_documents_name() {
        use Budget::*;
        let ig = TokenKind::InstagramUser;
        // ref 001 L9298-9302: the creator marketplace has limits of its own.
        assert_eq!(
            budget(
                On::Edge(NodeKind::IgUser, "creator_marketplace_creators"),
                Verb::Get,
                TokenKind::Page,
                false
            ),
            CreatorMarketplace
        );
        assert_eq!(
            budget(On::Node(NodeKind::IgUser), Verb::Get, ig, false),
            BusinessUseCase
        );
        assert_eq!(
            budget(On::Node(NodeKind::IgUser), Verb::Get, ig, true),
            Platform
        );
        assert_eq!(
            budget(
                On::Edge(NodeKind::IgMedia, "comments"),
                Verb::Post,
                ig,
                false
            ),
            BusinessUseCase
        );
        assert_eq!(
            budget(
                On::Edge(NodeKind::IgUser, "messages"),
                Verb::Post,
                ig,
                false
            ),
            None
        );
        assert_eq!(
            budget(
                On::Edge(NodeKind::IgUser, "conversations"),
                Verb::Get,
                ig,
                false
            ),
            Conversations
        );
        assert_eq!(
            budget(On::Node(NodeKind::Conversation), Verb::Get, ig, false),
            Conversations
        );
        assert_eq!(
            budget(
                On::Root("ig_hashtag_search"),
                Verb::Get,
                TokenKind::FacebookUser,
                false
            ),
            Platform
        );
        assert_eq!(
            budget(
                On::Root("instagram_oembed"),
                Verb::Get,
                TokenKind::App,
                false
            ),
            Oembed
        );
        assert_eq!(
            budget(On::Node(NodeKind::Page), Verb::Get, TokenKind::Page, false),
            Platform
        );
        assert_eq!(
            budget(
                On::Node(NodeKind::IgMedia),
                Verb::Get,
                TokenKind::App,
                false
            ),
            Platform
        );
        assert_eq!(budget(On::Batch, Verb::Post, ig, false), None);
    }
}
