//! Access to a route, decided once per request from its row: the token kind, whether the token
//! can see the node (one read), the row's permissions for the token's login, and the Business
//! Manager rule. Dispatch calls [`check`] after finding the row; handlers get the outcome in
//! `Call::access` and do not check these again.

use futures_util::future::{ready, BoxFuture, Either, Ready};
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
///
/// Decided at once when the read caches know whether the token sees the node (nearly every
/// call); only a call that must read the database awaits, boxed, so every call's future stays
/// small.
pub fn check<'a>(
    state: &'a Shared,
    route: &'a Route,
    caller: Option<&'a Caller>,
    target: Option<&'a Target>,
    api: Api,
    method: &'a str,
) -> Checking<'a> {
    let asked = match ask(route, caller, target, api, method) {
        Ok(Some(asked)) => asked,
        Ok(None) => return Either::Left(ready(Ok(Access::default()))),
        Err(error) => return Either::Left(ready(Err(error))),
    };
    if let Some(seen) = asked.cached_sight(state) {
        return Either::Left(ready(asked.decide(seen)));
    }
    Either::Right(Box::pin(async move {
        let seen = asked.sight(state).await?;
        asked.decide(seen)
    }))
}

/// An access decision, made at once or awaiting a read.
pub type Checking<'a> =
    Either<Ready<Result<Access, GraphError>>, BoxFuture<'a, Result<Access, GraphError>>>;

/// A row's demands on a token, once the token's kind is accepted: what the access check
/// still has to learn (whether the token sees the node) and then decide.
struct Asked<'a> {
    caller: &'a Caller,
    target: Option<&'a Target>,
    needed: &'static [Permission],
    /// Only a Facebook token's rows with permissions have the Business Manager rule, so only
    /// then is the Page's role read (in the same read as visibility).
    business_manager: bool,
    unsupported: Unsupported<'a>,
}

/// Meta's answer for a node the token may not call the row on (what the call's method and
/// API make of it).
#[derive(Clone, Copy)]
struct Unsupported<'a> {
    method: &'a str,
    api: Api,
}

impl Unsupported<'_> {
    fn on(&self, id: &str) -> GraphError {
        GraphError::unsupported_method(self.method, id, self.api)
    }
}

/// Whether the token sees the node, and whether through Business Manager.
#[derive(Clone, Copy)]
struct Sight {
    visible: bool,
    via_business_manager: bool,
}

/// The row's demands, or `None` for a public row (anyone may call it), or the error of a
/// missing token or a token of the wrong kind.
fn ask<'a>(
    route: &'a Route,
    caller: Option<&'a Caller>,
    target: Option<&'a Target>,
    api: Api,
    method: &'a str,
) -> Result<Option<Asked<'a>>, GraphError> {
    if route.tokens.is_empty() {
        return Ok(None);
    }
    let Some(caller) = caller else {
        return Err(GraphError::token_required());
    };
    let unsupported = Unsupported { method, api };
    if !route.tokens.contains(&caller.kind) {
        return Err(unsupported.on(target.map(|t| t.addressed_as.as_str()).unwrap_or("")));
    }
    let needed = route.scopes.of(caller.kind);
    Ok(Some(Asked {
        caller,
        target,
        needed,
        business_manager: matches!(caller.kind, TokenKind::FacebookUser | TokenKind::Page)
            && !needed.is_empty(),
        unsupported,
    }))
}

impl Asked<'_> {
    /// What the read caches know of the token's sight of an account or a Page (what most
    /// calls address): `None` for other nodes, or when nothing cached is current.
    fn cached_sight(&self, state: &Shared) -> Option<Option<Sight>> {
        let Some(target) = self.target else {
            return Some(None);
        };
        if !matches!(target.kind, NodeKind::IgUser | NodeKind::Page) {
            return None;
        }
        let (visible, via_business_manager) =
            with_access_key(self.caller, target, self.business_manager, |key| {
                state.db.account_access_cached(key)
            })?;
        Some(Some(Sight {
            visible,
            via_business_manager,
        }))
    }

    /// The token's sight of the node, read (and remembered for accounts and Pages); `None`
    /// when there is no node to see.
    async fn sight(&self, state: &Shared) -> Result<Option<Sight>, GraphError> {
        let Some(target) = self.target else {
            return Ok(None);
        };
        let Some(node) = decided_as(state, target).await? else {
            return Err(self.unsupported.on(&target.addressed_as));
        };
        let business_manager = self.business_manager;
        // The read copies the caller and the node, to move onto a database thread.
        let read = || {
            let (who, node) = (self.caller.clone(), node.clone().into_owned());
            move |r: &crate::store::Reader| {
                nodes::kinds::visibility(r, &who, &node, business_manager)
                    .map(|v| (v.visible, v.via_business_manager))
            }
        };
        // Accounts and Pages are decided from accounts and Pages alone: remembered until one
        // of those is written.
        let (visible, via_business_manager) = match node.kind {
            NodeKind::IgUser | NodeKind::Page => {
                let key = with_access_key(self.caller, &node, business_manager, str::to_owned);
                state.db.account_access(&key, read).await
            }
            _ => state.db.read(read()).await,
        }
        .map_err(internal)?;
        Ok(Some(Sight {
            visible,
            via_business_manager,
        }))
    }

    /// The decision, once the token's sight of the node (if the call names one) is known.
    fn decide(&self, seen: Option<Sight>) -> Result<Access, GraphError> {
        let via_business_manager = match (self.target, seen) {
            (Some(target), Some(seen)) if !seen.visible => {
                return Err(self.unsupported.on(&target.addressed_as))
            }
            (_, Some(seen)) => seen.via_business_manager,
            (_, None) => false,
        };
        if !self.caller.has_all(self.needed) {
            return Err(GraphError::permission_denied());
        }
        if via_business_manager && !BUSINESS_MANAGER_EXTRA.iter().any(|p| self.caller.has(*p)) {
            return Err(GraphError::permission_denied());
        }
        Ok(Access {
            permissions: self.needed,
            via_business_manager,
        })
    }
}

/// Runs `with` on the key the access cache remembers a token's sight of an account or a Page
/// under, written in this thread's buffer (every call asks).
fn with_access_key<T>(
    caller: &Caller,
    node: &Target,
    business_manager: bool,
    with: impl FnOnce(&str) -> T,
) -> T {
    thread_local! {
        static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    KEY.with_borrow_mut(|key| {
        key.clear();
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
        with(key)
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
