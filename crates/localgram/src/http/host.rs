//! Which Meta host a request was addressed to. One origin serves them all (their paths do not
//! collide); the Host header, when it names a Meta host, says which API a call speaks.

use graph::Api;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    /// graph.instagram.com: the Instagram API with Instagram Login.
    GraphInstagram,
    /// graph.facebook.com: the Instagram API with Facebook Login.
    GraphFacebook,
    /// rupload.facebook.com: resumable video uploads.
    Rupload,
    /// api.instagram.com / www.instagram.com: Instagram Login's OAuth pages.
    InstagramWeb,
    /// www.facebook.com: Facebook Login's dialog.
    FacebookWeb,
    /// Anything else (127.0.0.1, localhost): the token decides the API.
    Neutral,
}

impl HostKind {
    /// Classifies a Host header. `graph.instagram.com`, `graph.instagram.com:443` and
    /// `graph.instagram.localhost:4100` (which resolves to loopback) all count.
    pub fn classify(host: &str) -> HostKind {
        let name = strip_port(host.trim()).as_bytes();
        // `graph.instagram.com`, `graph.instagram.localhost`, ...: the name in any case, then
        // a dot (compared in place: every request is classified).
        let starts = |prefix: &str| {
            name.get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
                && name.get(prefix.len()) == Some(&b'.')
        };
        if starts("graph.instagram") {
            HostKind::GraphInstagram
        } else if starts("graph.facebook") || starts("graph-video.facebook") {
            HostKind::GraphFacebook
        } else if starts("rupload.facebook") {
            HostKind::Rupload
        } else if starts("api.instagram") || starts("www.instagram") {
            HostKind::InstagramWeb
        } else if starts("www.facebook") {
            HostKind::FacebookWeb
        } else {
            HostKind::Neutral
        }
    }

    /// The API this host fixes, if it fixes one.
    pub fn api(self) -> Option<Api> {
        match self {
            HostKind::GraphInstagram | HostKind::InstagramWeb => Some(Api::Instagram),
            HostKind::GraphFacebook | HostKind::FacebookWeb | HostKind::Rupload => {
                Some(Api::Facebook)
            }
            HostKind::Neutral => None,
        }
    }
}

fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_hosts() {
        assert_eq!(
            HostKind::classify("graph.instagram.com"),
            HostKind::GraphInstagram
        );
        assert_eq!(
            HostKind::classify("graph.instagram.com:443"),
            HostKind::GraphInstagram
        );
        assert_eq!(
            HostKind::classify("graph.instagram.localhost:4100"),
            HostKind::GraphInstagram
        );
        assert_eq!(
            HostKind::classify("Graph.Facebook.com"),
            HostKind::GraphFacebook
        );
        assert_eq!(
            HostKind::classify("rupload.facebook.com"),
            HostKind::Rupload
        );
        assert_eq!(
            HostKind::classify("api.instagram.com"),
            HostKind::InstagramWeb
        );
        assert_eq!(
            HostKind::classify("www.facebook.com"),
            HostKind::FacebookWeb
        );
        assert_eq!(HostKind::classify("127.0.0.1:4100"), HostKind::Neutral);
        assert_eq!(HostKind::classify("[::1]:4100"), HostKind::Neutral);
        assert_eq!(HostKind::classify("localhost"), HostKind::Neutral);
        assert_eq!(
            HostKind::classify(" GRAPH.INSTAGRAM.COM:443 "),
            HostKind::GraphInstagram
        );
        assert_eq!(HostKind::classify("graph.instagram"), HostKind::Neutral);
        assert_eq!(
            HostKind::classify("graph.instagramx.com"),
            HostKind::Neutral
        );
        assert_eq!(HostKind::classify("gräph.instagram.com"), HostKind::Neutral);
        assert_eq!(HostKind::classify(""), HostKind::Neutral);
    }
}
