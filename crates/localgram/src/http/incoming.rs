//! Reading an HTTP request the way the Graph API reads it: version segment, path, parameters
//! from the query string and any body (form, multipart, JSON), the `method=` override, and the
//! access token from wherever the client put it.

use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use bytes::Bytes;
use graph::{ApiVersion, GraphError, Params};
use serde_json::Value;

use super::host::HostKind;

static X_FORWARDED_PROTO: axum::http::HeaderName =
    axum::http::HeaderName::from_static("x-forwarded-proto");

/// A file sent in a multipart body, kept for the endpoints that take uploads.
#[derive(Debug, Clone)]
pub struct Upload {
    pub field: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Bytes,
}

/// Where a batch was sent, which its operations inherit.
#[derive(Debug, Clone)]
pub struct BatchOrigin {
    pub host: String,
    pub scheme: &'static str,
    pub version: Option<ApiVersion>,
}

#[derive(Debug, Clone)]
pub struct Incoming {
    /// The method after the `method=` override.
    pub method: Method,
    /// The Host header as sent, used to build links back to localgram.
    pub host: String,
    pub host_kind: HostKind,
    /// `https` when a proxy in front says so, else `http`.
    pub scheme: &'static str,
    pub version: Option<ApiVersion>,
    /// Path segments after the version, percent-decoded.
    pub segments: Vec<String>,
    /// Every parameter except `access_token` and `method`.
    pub params: Params,
    /// The query string as sent (paging links repeat its parameters; parsed only then).
    pub query: String,
    pub uploads: Vec<Upload>,
    pub token: Option<String>,
}

impl Incoming {
    /// Reads a request from its head and its body, read whole by the caller.
    pub async fn read(parts: &Parts, body: Bytes) -> Result<Incoming, GraphError> {
        let headers = &parts.headers;
        // Both in one pass: requests carry few headers, and a look-up hashes the name.
        let (mut host, mut forwarded_proto) = (None, None);
        for (name, value) in headers {
            if host.is_none() && *name == header::HOST {
                host = Some(value);
            } else if forwarded_proto.is_none() && *name == X_FORWARDED_PROTO {
                forwarded_proto = Some(value);
            }
        }
        let host = host
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or("localhost")
            .to_string();
        let scheme = match forwarded_proto.map(|h| h.as_bytes()) {
            Some(b"https") => "https",
            _ => "http",
        };
        let query = parts.uri.query().unwrap_or("").to_string();
        let mut params = Params::from_urlencoded(query.as_bytes());
        let uploads = read_body(headers, body, &mut params).await?;

        let (version, segments) = split_path(parts.uri.path())?;
        let method = override_method(&parts.method, &mut params)?;
        let token = take_token(headers, &mut params);
        Ok(Incoming {
            method,
            host_kind: HostKind::classify(&host),
            host,
            scheme,
            version,
            segments,
            params,
            query,
            uploads,
            token,
        })
    }

    /// A request made inside a batch: one operation's method, relative URL and body, sent to
    /// the same host as the batch itself.
    pub fn for_batch(
        parent: &BatchOrigin,
        method: Method,
        relative_url: &str,
        body: Option<&str>,
        token: Option<String>,
    ) -> Result<Incoming, GraphError> {
        let (path, query_text) = relative_url.split_once('?').unwrap_or((relative_url, ""));
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        let query = query_text.to_string();
        let mut params = Params::from_urlencoded(query.as_bytes());
        if let Some(body) = body {
            params.extend_urlencoded(body.as_bytes());
        }
        let (version, segments) = split_path(&path)?;
        let method = override_method(&method, &mut params)?;
        let own_token = match params.remove("access_token") {
            Some(Value::String(token)) if !token.is_empty() => Some(token),
            _ => None,
        };
        Ok(Incoming {
            method,
            host: parent.host.clone(),
            host_kind: HostKind::classify(&parent.host),
            scheme: parent.scheme,
            version: version.or(parent.version),
            segments,
            params,
            query,
            uploads: Vec::new(),
            token: own_token.or(token),
        })
    }
}

/// A path split into its optional version and its segments.
type SplitPath = (Option<ApiVersion>, Vec<String>);

/// Splits `/v24.0/a/b` into its version and segments. A first segment shaped like a version
/// that Meta never released is an error; a path without one has no version.
fn split_path(path: &str) -> Result<SplitPath, GraphError> {
    let mut parts = segments(path).peekable();
    let mut version = None;
    if let Some(first) = parts.peek() {
        let first = decoded(first);
        if let Some(v) = ApiVersion::parse_segment(&first) {
            if !v.is_known() {
                return Err(GraphError::unknown_version(
                    &first,
                    &graph::version::LATEST.to_string(),
                ));
            }
            version = Some(v);
            parts.next();
        }
    }
    // A node and an edge, most often: room for both at once.
    let mut segments = Vec::with_capacity(2);
    segments.extend(parts.map(percent_decode));
    Ok((version, segments))
}

/// A path's non-empty segments, as sent. Found byte by byte: paths are short, and every
/// request's is split (twice for a node's: `server::GraphFirst` looks at its first).
pub(crate) fn segments(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = path;
    std::iter::from_fn(move || {
        let start = rest.bytes().position(|b| b != b'/')?;
        rest = &rest[start..];
        let end = rest.bytes().position(|b| b == b'/').unwrap_or(rest.len());
        let (segment, after) = rest.split_at(end);
        rest = after;
        Some(segment)
    })
}

/// A path segment percent-decoded (a `+` stays a `+`: only query strings and forms read it
/// as a space); invalid UTF-8 becomes U+FFFD as in the query.
fn percent_decode(segment: &str) -> String {
    decoded(segment).into_owned()
}

/// [`percent_decode`] without a copy when there is nothing to decode (versions, ids, edge
/// names: nearly every segment).
fn decoded(segment: &str) -> std::borrow::Cow<'_, str> {
    if !segment.bytes().any(|b| b == b'%') {
        return std::borrow::Cow::Borrowed(segment);
    }
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy()
}

/// Meta lets GET and POST requests say `method=delete` (or post/get), for clients that can only
/// send one kind of request.
fn override_method(method: &Method, params: &mut Params) -> Result<Method, GraphError> {
    let Some(value) = params.remove("method") else {
        return Ok(method.clone());
    };
    let requested = value.as_str().unwrap_or_default().to_ascii_uppercase();
    if method != Method::GET && method != Method::POST {
        return Ok(method.clone());
    }
    match requested.as_str() {
        "GET" => Ok(Method::GET),
        "POST" => Ok(Method::POST),
        "DELETE" => Ok(Method::DELETE),
        other => Err(GraphError::unsupported_http_method(other)),
    }
}

/// The token from `access_token` (query or body), else `Authorization: Bearer|OAuth <token>`.
fn take_token(headers: &HeaderMap, params: &mut Params) -> Option<String> {
    let from_params = match params.remove("access_token") {
        // Kept as sent when there is nothing to trim (nearly always): no copy.
        Some(Value::String(token)) if token.trim().len() == token.len() => Some(token),
        Some(Value::String(token)) => Some(token.trim().to_string()),
        _ => None,
    }
    .filter(|t| !t.is_empty());
    from_params.or_else(|| {
        let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
        let (scheme, token) = value.split_once(' ')?;
        let scheme = scheme.to_ascii_lowercase();
        (scheme == "bearer" || scheme == "oauth")
            .then(|| token.trim().to_string())
            .filter(|t| !t.is_empty())
    })
}

/// Merges the body's parameters into `params` according to its Content-Type, and returns the
/// files of a multipart body.
async fn read_body(
    headers: &HeaderMap,
    body: Bytes,
    params: &mut Params,
) -> Result<Vec<Upload>, GraphError> {
    if body.is_empty() {
        return Ok(Vec::new());
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("application/json") {
        params
            .extend_json_body(&body)
            .map_err(|e| GraphError::from_param(&e))?;
        return Ok(Vec::new());
    }
    if content_type.starts_with("multipart/form-data") {
        // Boxed: the multipart reader's state would otherwise make every request's future
        // (most have no body at all) larger by its size.
        return Box::pin(read_multipart(&content_type, body, params)).await;
    }
    // Form bodies, and bodies without a Content-Type as curl -d sends them.
    params.extend_urlencoded(&body);
    Ok(Vec::new())
}

async fn read_multipart(
    content_type: &str,
    body: Bytes,
    params: &mut Params,
) -> Result<Vec<Upload>, GraphError> {
    let boundary = multer::parse_boundary(content_type).map_err(|_| GraphError::invalid_body())?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut uploads = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| GraphError::invalid_body())?
    {
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(|m| m.to_string());
        let bytes = field
            .bytes()
            .await
            .map_err(|_| GraphError::invalid_body())?;
        if filename.is_some() {
            uploads.push(Upload {
                field: name,
                filename,
                content_type,
                bytes,
            });
        } else {
            params.insert_str(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(uploads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_the_non_empty_pieces_between_slashes() {
        fn all(path: &str) -> Vec<&str> {
            segments(path).collect()
        }
        assert_eq!(
            all("/v24.0/17841405309211844/media"),
            ["v24.0", "17841405309211844", "media"]
        );
        assert_eq!(all("//a///b//"), ["a", "b"]);
        assert_eq!(all("a/b"), ["a", "b"]);
        assert_eq!(all("/é/ü%2F/"), ["é", "ü%2F"]);
        assert!(all("").is_empty());
        assert!(all("///").is_empty());
    }

    #[test]
    fn splits_versions_and_segments() {
        let (v, rest) = split_path("/v24.0/17841405309211844/media").unwrap();
        assert_eq!(v, Some(ApiVersion::new(24, 0)));
        assert_eq!(rest, vec!["17841405309211844", "media"]);
        let (v, rest) = split_path("//v24.0//me/").unwrap();
        assert_eq!(v, Some(ApiVersion::new(24, 0)));
        assert_eq!(rest, vec!["me"]);
        let (v, rest) = split_path("/me").unwrap();
        assert_eq!(v, None);
        assert_eq!(rest, vec!["me"]);
        let err = split_path("/v99.0/me").unwrap_err();
        assert_eq!(err.code, 2500);
        assert!(split_path("/").unwrap().1.is_empty());
        assert_eq!(split_path("/a%20b").unwrap().1, vec!["a b"]);
        assert_eq!(split_path("/a+b/%2B%zz").unwrap().1, vec!["a+b", "+%zz"]);
    }

    #[test]
    fn takes_tokens_from_every_documented_place() {
        let mut params = Params::from_urlencoded(b"access_token=abc&x=1");
        assert_eq!(
            take_token(&HeaderMap::new(), &mut params).as_deref(),
            Some("abc")
        );
        assert!(!params.contains("access_token"));
        for header_value in ["Bearer xyz", "OAuth xyz", "bearer xyz"] {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, header_value.parse().unwrap());
            assert_eq!(
                take_token(&headers, &mut Params::new()).as_deref(),
                Some("xyz")
            );
        }
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "Basic Zm9v".parse().unwrap());
        assert_eq!(take_token(&headers, &mut Params::new()), None);
    }

    #[test]
    fn method_override_applies_to_get_and_post() {
        let mut params = Params::from_urlencoded(b"method=delete");
        assert_eq!(
            override_method(&Method::GET, &mut params).unwrap(),
            Method::DELETE
        );
        let mut params = Params::from_urlencoded(b"method=patch");
        assert!(override_method(&Method::POST, &mut params).is_err());
    }
}
