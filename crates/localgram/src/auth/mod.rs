//! Who is calling: access tokens, the kinds Meta issues, and what each may see and do.

pub mod tokens;

use graph::{Api, Permission};

use crate::store::apps::App;

/// The kinds of access token the Instagram APIs take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Instagram Login: acts as one professional account (graph.instagram.com).
    InstagramUser,
    /// Facebook Login: acts as a Facebook user, reaching the IG accounts of their Pages.
    FacebookUser,
    /// A Page token: acts as one Page and its linked IG account.
    Page,
    /// `APP_ID|APP_SECRET`.
    App,
    /// `APP_ID|CLIENT_TOKEN` (oEmbed).
    Client,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::InstagramUser => "instagram_user",
            TokenKind::FacebookUser => "facebook_user",
            TokenKind::Page => "page",
            TokenKind::App => "app",
            TokenKind::Client => "client",
        }
    }

    pub fn parse(text: &str) -> Option<TokenKind> {
        Some(match text {
            "instagram_user" => TokenKind::InstagramUser,
            "facebook_user" => TokenKind::FacebookUser,
            "page" => TokenKind::Page,
            "app" => TokenKind::App,
            "client" => TokenKind::Client,
            _ => return None,
        })
    }

    /// The API a token of this kind speaks: Instagram user tokens the Instagram Login API,
    /// everything else the Facebook Login API.
    pub fn api(self) -> Api {
        match self {
            TokenKind::InstagramUser => Api::Instagram,
            _ => Api::Facebook,
        }
    }
}

/// The resolved caller of a request: the app, the token kind, and whom it acts as.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token: String,
    pub kind: TokenKind,
    pub app: std::sync::Arc<App>,
    /// IG account id, Facebook user id, Page id or app id.
    pub subject: String,
    /// Granted permissions, deprecated names already mapped to current ones.
    pub scopes: Vec<Permission>,
    pub issued_at: i64,
    pub expires_at: Option<i64>,
    /// A long-lived user token (60 days), as opposed to a short-lived one.
    pub long_lived: bool,
}

impl Caller {
    pub fn has(&self, permission: Permission) -> bool {
        self.scopes.contains(&permission)
    }

    /// Whether the token holds every one of `permissions`.
    pub fn has_all(&self, permissions: &[Permission]) -> bool {
        permissions.iter().all(|p| self.has(*p))
    }
}
