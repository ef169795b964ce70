//! The two Instagram APIs that share one resource graph.

/// Which of Meta's two Instagram APIs a request speaks: the Instagram API with Instagram Login
/// (graph.instagram.com, Instagram user tokens) or with Facebook Login (graph.facebook.com,
/// Facebook user and Page tokens). Ref 002-004 inventory §1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    Instagram,
    Facebook,
}

impl Api {
    /// The public host of this API, used when building absolute URLs for clients that did not
    /// send a Host header of ours.
    pub fn host(self) -> &'static str {
        match self {
            Api::Instagram => "graph.instagram.com",
            Api::Facebook => "graph.facebook.com",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Api::Instagram => "instagram",
            Api::Facebook => "facebook",
        }
    }
}
