//! Access to a route, decided once per request from its row: the token kind, whether the token
//! can see the node (one read), the row's permissions for the token's login, and the Business
//! Manager rule. Dispatch calls [`check`] after finding the row; handlers get the outcome in
//! `Call::access` and do not check these again.

use graph::{Api, GraphError, Permission};

use crate::api::internal;
use crate::auth::{Caller, TokenKind};
use crate::nodes::{self, NodeKind, Target};
use crate::router::Route;
use crate::state::Shared;

/// One of these is needed on top when the Page role came through Business Manager
/// (ref 001 L5860-5875).
const BUSINESS_MANAGER_EXTRA: &[Permission] = &[Permission::AdsManagement, Permission::AdsRead];

/// What the check decided, for the handler.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Access {
    /// The permissions the row asked of this token's login, all held (empty for public rows
    /// and app tokens).
    pub permissions: &'static [Permission],
    /// The node's Page gives its Facebook user the role through Business Manager (and the
    /// token holds an ads permission).
    pub via_business_manager: bool,
}

/// Decides whether `caller` may call `route` on `target`. Public rows (the token exchanges)
/// take any caller, or none; every other row needs a token of an accepted kind that can see
/// the node and holds the row's permissions.
pub async fn check(
    state: &Shared,
    route: &Route,
    caller: Option<&Caller>,
    target: Option<&Target>,
    api: Api,
    method: &str,
) -> Result<Access, GraphError> {
    if route.tokens.is_empty() {
        return Ok(Access::default());
    }
    let Some(caller) = caller else {
        return Err(GraphError::token_required());
    };
    let unsupported = |id: &str| GraphError::unsupported_method(method, id, api);
    if !route.tokens.contains(&caller.kind) {
        return Err(unsupported(
            target.map(|t| t.addressed_as.as_str()).unwrap_or(""),
        ));
    }
    let needed = route.scopes.of(caller.kind);
    // Only a Facebook token's rows with permissions have the Business Manager rule, so only
    // then is the Page's role read (in the same read as visibility).
    let business_manager =
        matches!(caller.kind, TokenKind::FacebookUser | TokenKind::Page) && !needed.is_empty();
    let via_business_manager = match target {
        Some(target) => {
            let Some(node) = decided_as(state, target).await? else {
                return Err(unsupported(&target.addressed_as));
            };
            // The read, built only when the cache cannot answer (it copies the caller and
            // the node, to move onto a database thread).
            let read = || {
                let (who, node) = (caller.clone(), node.clone().into_owned());
                move |r: &crate::store::Reader| {
                    nodes::kinds::visibility(r, &who, &node, business_manager)
                        .map(|v| (v.visible, v.via_business_manager))
                }
            };
            // Accounts and Pages, what most calls address, are decided from accounts and
            // Pages alone: remembered until one of those is written.
            let (visible, via_business_manager) = match node.kind {
                NodeKind::IgUser | NodeKind::Page => {
                    let mut key = String::with_capacity(80);
                    for part in [
                        caller.kind.as_str(),
                        "|",
                        &caller.subject,
                        "|",
                        node.kind.as_str(),
                        "|",
                        &node.id,
                        if business_manager { "|true" } else { "|false" },
                    ] {
                        key.push_str(part);
                    }
                    state.db.account_access(&key, read).await
                }
                // Boxed: the caches answer most calls, whose futures stay small.
                _ => Box::pin(state.db.read(read())).await,
            }
            .map_err(internal)?;
            if !visible {
                return Err(unsupported(&target.addressed_as));
            }
            via_business_manager
        }
        None => false,
    };
    if !caller.has_all(needed) {
        return Err(GraphError::permission_denied());
    }
    if via_business_manager && !BUSINESS_MANAGER_EXTRA.iter().any(|p| caller.has(*p)) {
        return Err(GraphError::permission_denied());
    }
    Ok(Access {
        permissions: needed,
        via_business_manager,
    })
}

/// The node whose visibility decides access to `target`: a media is seen as its account is
/// (`nodes::kinds::can_see`, `page_role_via_business_manager`), so its access is the
/// account's, remembered with it; its owner comes from the read caches when they hold the
/// media. `None` when there is no such media.
async fn decided_as<'a>(
    state: &Shared,
    target: &'a Target,
) -> Result<Option<std::borrow::Cow<'a, Target>>, GraphError> {
    if target.kind != NodeKind::IgMedia {
        return Ok(Some(std::borrow::Cow::Borrowed(target)));
    }
    let id = target.id.clone();
    let owner = state
        .db
        .read_memory_first(move |r| Ok(crate::store::media::get(r, &id)?.map(|m| m.account_id)))
        .await
        .map_err(internal)?;
    Ok(owner.map(|account_id| {
        std::borrow::Cow::Owned(Target {
            id: account_id.clone(),
            addressed_as: account_id,
            kind: NodeKind::IgUser,
        })
    }))
}
