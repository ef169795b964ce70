//! Cursor-based paging: opaque cursors, the page window, and the `paging` envelope.
//!
//! An edge lists items in a fixed order, each with a sort key unique within the edge. A cursor
//! is that key, base64-encoded behind a fixed tag (so cursors start `QVFI` like Meta's, ref
//! 001 inventory §1.6). Keyset paging makes pages stable while items are added or removed
//! between requests: no item is skipped or repeated.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::error::GraphError;
use crate::params::Params;

const TAG: &[u8] = b"AQH";

/// Encodes an edge's sort key as an opaque cursor.
pub fn encode_cursor(key: &str) -> String {
    let mut bytes = Vec::with_capacity(TAG.len() + key.len());
    bytes.extend_from_slice(TAG);
    bytes.extend_from_slice(key.as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes a cursor localgram issued back into its sort key.
pub fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim_end_matches('=')).ok()?;
    let key = bytes.strip_prefix(TAG)?;
    String::from_utf8(key.to_vec()).ok()
}

/// Which window of an edge a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Window {
    /// The first page, or the page after a key.
    Forward { after: Option<String> },
    /// The page just before a key.
    Backward { before: String },
}

/// A decoded page request: how many items and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub window: Window,
}

impl PageRequest {
    /// Reads `limit`, `after` and `before`. A limit above the edge's maximum is clamped to it,
    /// as Meta does; a limit of 0 or a non-number is an error.
    pub fn from_params(
        params: &Params,
        default_limit: usize,
        max_limit: usize,
    ) -> Result<Self, GraphError> {
        let limit = match params
            .i64("limit")
            .map_err(|e| GraphError::from_param(&e))?
        {
            None => default_limit,
            Some(n) if n <= 0 => {
                return Err(GraphError::param_invalid("limit", "a positive integer"))
            }
            Some(n) => usize::try_from(n).unwrap_or(max_limit).min(max_limit),
        };
        Self::from_parts(
            limit,
            params
                .str("after")
                .map_err(|e| GraphError::from_param(&e))?
                .as_deref(),
            params
                .str("before")
                .map_err(|e| GraphError::from_param(&e))?
                .as_deref(),
        )
    }

    /// Builds a request from a limit and raw cursors (also used for `.limit()`/`.after()`
    /// modifiers in field expansion). `before` wins over `after` when both are given.
    pub fn from_parts(
        limit: usize,
        after: Option<&str>,
        before: Option<&str>,
    ) -> Result<Self, GraphError> {
        let window = match (
            before.filter(|s| !s.is_empty()),
            after.filter(|s| !s.is_empty()),
        ) {
            (Some(before), _) => Window::Backward {
                before: decode_cursor(before)
                    .ok_or_else(|| GraphError::invalid_cursor("before"))?,
            },
            (None, Some(after)) => Window::Forward {
                after: Some(
                    decode_cursor(after).ok_or_else(|| GraphError::invalid_cursor("after"))?,
                ),
            },
            (None, None) => Window::Forward { after: None },
        };
        Ok(PageRequest {
            limit: limit.max(1),
            window,
        })
    }

    /// How many items to fetch: one more than the page, to learn whether more exist.
    pub fn fetch_count(&self) -> usize {
        self.limit + 1
    }
}

/// Builds a page URL from an `after` or a `before` cursor.
pub type LinkBuilder<'a> = &'a dyn Fn(Option<&str>, Option<&str>) -> String;

/// One page of an edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Cursors of the first and last item (absent on an empty page).
    pub before: Option<String>,
    pub after: Option<String>,
    pub has_next: bool,
    pub has_previous: bool,
}

impl<T> Page<T> {
    /// Builds the page from what the store fetched: `fetched` holds up to `fetch_count()`
    /// items as `(key, item)`, in edge order for a forward window, and in reverse edge order
    /// (nearest to the cursor first) for a backward window.
    pub fn from_fetched(request: &PageRequest, mut fetched: Vec<(String, T)>) -> Page<T> {
        let more = fetched.len() > request.limit;
        fetched.truncate(request.limit);
        let (has_next, has_previous) = match &request.window {
            Window::Forward { after } => (more, after.is_some()),
            Window::Backward { .. } => {
                fetched.reverse();
                (true, more)
            }
        };
        let before = fetched.first().map(|(key, _)| encode_cursor(key));
        let after = fetched.last().map(|(key, _)| encode_cursor(key));
        let nonempty = !fetched.is_empty();
        Page {
            items: fetched.into_iter().map(|(_, item)| item).collect(),
            before,
            after,
            has_next: has_next && nonempty,
            has_previous: has_previous && nonempty,
        }
    }

    /// Like [`Page::map`], for a mapping that can fail (rendering each item): the first
    /// error is the answer.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            before: self.before,
            after: self.after,
            has_next: self.has_next,
            has_previous: self.has_previous,
        })
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            before: self.before,
            after: self.after,
            has_next: self.has_next,
            has_previous: self.has_previous,
        }
    }

    /// The `paging` object. With `links`, `next`/`previous` URLs are built by `link(after,
    /// before)`; an edge expanded through `fields` passes `None` and carries cursors only.
    pub fn paging(&self, link: Option<LinkBuilder<'_>>) -> Option<Value> {
        let (Some(before), Some(after)) = (&self.before, &self.after) else {
            return None;
        };
        let mut paging = Map::new();
        paging.insert(
            "cursors".into(),
            json!({ "before": before, "after": after }),
        );
        if let Some(link) = link {
            if self.has_previous {
                paging.insert("previous".into(), json!(link(None, Some(before))));
            }
            if self.has_next {
                paging.insert("next".into(), json!(link(Some(after), None)));
            }
        }
        Some(Value::Object(paging))
    }
}

/// The edge envelope `{"data":[...],"paging":{...}}`; an empty page is `{"data":[]}`.
pub fn edge_envelope(data: Vec<Value>, paging: Option<Value>) -> Value {
    let mut body = Map::new();
    body.insert("data".into(), Value::Array(data));
    if let Some(paging) = paging {
        body.insert("paging".into(), paging);
    }
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(keys: &[&str]) -> Vec<(String, String)> {
        keys.iter()
            .map(|k| (k.to_string(), k.to_string()))
            .collect()
    }

    #[test]
    fn cursors_are_opaque_and_round_trip() {
        let cursor = encode_cursor("0001:17870913679156914");
        assert!(cursor.starts_with("QVFI"), "{cursor}");
        assert_eq!(
            decode_cursor(&cursor).as_deref(),
            Some("0001:17870913679156914")
        );
        assert_eq!(decode_cursor("not-a-cursor"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("XYZabc")), None);
    }

    #[test]
    fn first_page_has_next_but_no_previous() {
        let request = PageRequest::from_parts(2, None, None).unwrap();
        let page = Page::from_fetched(&request, items(&["a", "b", "c"]));
        assert_eq!(page.items, vec!["a", "b"]);
        assert!(page.has_next && !page.has_previous);
        let paging = page
            .paging(Some(&|after, before| format!("a={after:?} b={before:?}")))
            .unwrap();
        assert_eq!(paging["cursors"]["before"], json!(encode_cursor("a")));
        assert_eq!(paging["cursors"]["after"], json!(encode_cursor("b")));
        assert!(paging.get("previous").is_none());
        assert_eq!(
            paging["next"],
            json!(format!("a={:?} b=None", Some(encode_cursor("b"))))
        );
    }

    #[test]
    fn page_after_a_cursor_has_previous_and_maybe_next() {
        let request = PageRequest::from_parts(2, Some(&encode_cursor("b")), None).unwrap();
        assert_eq!(
            request.window,
            Window::Forward {
                after: Some("b".into())
            }
        );
        let page = Page::from_fetched(&request, items(&["c"]));
        assert_eq!(page.items, vec!["c"]);
        assert!(!page.has_next && page.has_previous);
    }

    #[test]
    fn backward_pages_come_back_in_edge_order() {
        let request = PageRequest::from_parts(2, None, Some(&encode_cursor("d"))).unwrap();
        // The store fetched nearest-first: c, b, a.
        let page = Page::from_fetched(&request, items(&["c", "b", "a"]));
        assert_eq!(page.items, vec!["b", "c"]);
        assert!(page.has_next && page.has_previous);
    }

    #[test]
    fn expanded_edges_carry_cursors_only() {
        let request = PageRequest::from_parts(1, None, None).unwrap();
        let page = Page::from_fetched(&request, items(&["a", "b"]));
        let paging = page.paging(None).unwrap();
        assert_eq!(paging.as_object().map(|o| o.len()), Some(1));
    }

    #[test]
    fn empty_pages_have_no_paging() {
        let request = PageRequest::from_parts(5, None, None).unwrap();
        let page: Page<String> = Page::from_fetched(&request, vec![]);
        assert_eq!(page.paging(None), None);
        assert_eq!(edge_envelope(vec![], None), json!({"data": []}));
    }

    #[test]
    fn rejects_foreign_cursors() {
        let err = PageRequest::from_parts(5, Some("garbage!"), None).unwrap_err();
        assert_eq!(err.code, 100);
        assert!(err.message.contains("after"));
    }
}
