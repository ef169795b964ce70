//! The conversation around media, shared by the Graph API and the control API: posting a
//! comment under Meta's rules (and recording what it notifies), who wrote it as an account
//! sees them, and the @mentions in text.

use crate::store::{Reader, Writer};
use graph::GraphError;

use crate::events::{self, Author, CommentMedia, Event, Mention, Payload};
use crate::nodes::{kinds, NodeKind};
use crate::state::AppState;
use crate::store::comments::{self, Comment};
use crate::store::media::{self, Media};
use crate::store::{accounts, igsids, people, StoreError};

/// Who writes a comment.
#[derive(Debug, Clone, PartialEq)]
pub enum Commenter {
    /// A professional account, through the API or the Instagram app.
    Account(String),
    /// An Instagram user who is not an app's account.
    Person(String),
}

/// Why a comment cannot be posted: Meta's error for it.
#[derive(Debug)]
pub enum Refusal {
    Graph(GraphError),
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        Refusal::Store(error)
    }
}

impl From<GraphError> for Refusal {
    fn from(error: GraphError) -> Self {
        Refusal::Graph(error)
    }
}

/// Whether a media is a live broadcast.
pub fn is_live(media: &Media) -> bool {
    media.media_product_type == "LIVE"
}

/// Posts a comment (or a reply to `parent_id`) under Meta's rules: comments must be on, a
/// reply goes under the top-level comment and not under a hidden one. The media's counter and
/// the notifications (`comments` or `live_comments` to the media's account, `mentions` to
/// every account the text @mentions) commit in the same transaction.
pub fn post_comment(
    tx: &Writer,
    state: &AppState,
    writer: &Commenter,
    media_id: &str,
    parent_id: Option<&str>,
    text: &str,
    now: i64,
) -> Result<Comment, Refusal> {
    let media = media::get_any(tx, media_id)?
        .ok_or_else(|| GraphError::unsupported_method("POST", media_id, graph::Api::Facebook))?;
    if !media.is_comment_enabled {
        return Err(GraphError::comments_disabled().into());
    }
    if is_live(&media) && media.live_ended_at.is_some() {
        return Err(GraphError::live_video_not_supported().into());
    }
    let parent = match parent_id {
        None => None,
        Some(id) => {
            let parent = comments::get(tx, id)?
                .filter(|c| c.media_id == media.id)
                .ok_or_else(|| GraphError::unsupported_method("POST", id, graph::Api::Facebook))?;
            if parent.hidden {
                return Err(GraphError::reply_to_hidden_comment().into());
            }
            // Replies are one level deep: a reply to a reply joins the top-level comment.
            Some(parent.parent_id.clone().unwrap_or(parent.id))
        }
    };
    let (author_kind, author_id) = match writer {
        Commenter::Account(id) => ("account", id.clone()),
        Commenter::Person(id) => ("person", id.clone()),
    };
    let comment = Comment {
        id: kinds::mint(tx, &state.ids, NodeKind::IgComment, now)?,
        media_id: media.id.clone(),
        parent_id: parent,
        author_kind: author_kind.into(),
        author_id,
        text: text.to_string(),
        hidden: false,
        like_count: 0,
        created_at: now,
    };
    comments::insert(tx, &comment)?;
    media::add_counts(tx, &media.id, 1, 0)?;
    crate::hashtags::index_owner_comment(tx, &media, &comment.author_id, text, now)?;
    notify_comment(tx, state, &media, &comment, now)?;
    Ok(comment)
}

/// The `comments`/`live_comments` notification to the media's account, and `mentions` to each
/// account the comment @mentions.
fn notify_comment(
    tx: &Writer,
    state: &AppState,
    media: &Media,
    comment: &Comment,
    now: i64,
) -> Result<(), StoreError> {
    if !media.owner_is_person {
        // The account now knows the commenter: their IGSID for it is minted here, so reads
        // only look it up.
        let from = author_in(tx, state, comment, &media.account_id, now)?;
        // The account's own comment on its own media carries its Instagram-scoped id for
        // itself, the one self messaging uses (ref 000 L2528-2533, L2458).
        let self_scoped = match comment.by_account() && comment.author_id == media.account_id {
            true => Some(crate::messaging::thread::self_igsid(
                tx,
                state,
                &comment.author_id,
                now,
            )?),
            false => None,
        };
        let payload = events::Comment {
            id: comment.id.clone(),
            text: Some(comment.text.clone()),
            from: Author {
                id: from.0,
                username: from.1,
                self_ig_scoped_id: self_scoped,
            },
            media: CommentMedia {
                id: media.id.clone(),
                media_product_type: media.media_product_type.clone(),
                ad_id: None,
                ad_title: None,
                original_media_id: None,
                owner_id: None,
            },
            parent_id: comment.parent_id.clone(),
        };
        let payload = if is_live(media) {
            Payload::LiveComment(payload)
        } else {
            Payload::Comment(payload)
        };
        events::record(tx, state, Event::new(media.account_id.clone(), payload))?;
    }
    if media.media_product_type == "STORY" {
        return Ok(());
    }
    for account_id in mentioned_accounts(tx, &comment.text)? {
        let writer_is_them = comment.by_account() && comment.author_id == account_id;
        if writer_is_them {
            continue;
        }
        let mention = Mention {
            media_id: media.id.clone(),
            comment_id: Some(comment.id.clone()),
            media_owner_id: Some(media.account_id.clone()),
        };
        events::record(tx, state, Event::new(account_id, Payload::Mention(mention)))?;
    }
    Ok(())
}

/// A comment's author as `account_id` sees them: `(id, username)` — the account's own id for
/// an account, the person's Instagram-scoped id for a person (minted when they first meet the
/// account: the comment's notification).
fn author_in(
    conn: &Writer,
    state: &AppState,
    comment: &Comment,
    account_id: &str,
    now: i64,
) -> Result<(String, String), StoreError> {
    if comment.by_account() {
        let username = accounts::get(conn, &comment.author_id)?
            .map(|a| a.username)
            .unwrap_or_default();
        return Ok((comment.author_id.clone(), username));
    }
    let username = people::get(conn, &comment.author_id)?
        .map(|p| p.username)
        .unwrap_or_default();
    let igsid = match accounts::get(conn, account_id)? {
        Some(_) => igsids::get_or_mint(conn, &state.ids, &comment.author_id, account_id, now)?,
        None => comment.author_id.clone(),
    };
    Ok((igsid, username))
}

/// [`author_in`] for reads: never mints. The id is `None` when the person's IGSID for the
/// account is missing (state written before IGSIDs were minted with the comment).
pub fn author_for(
    conn: &Reader,
    comment: &Comment,
    account_id: &str,
) -> Result<(Option<String>, String), StoreError> {
    if comment.by_account() {
        let username = accounts::get(conn, &comment.author_id)?
            .map(|a| a.username)
            .unwrap_or_default();
        return Ok((Some(comment.author_id.clone()), username));
    }
    let username = people::get(conn, &comment.author_id)?
        .map(|p| p.username)
        .unwrap_or_default();
    let igsid = match accounts::get(conn, account_id)? {
        Some(_) => igsids::get(conn, &comment.author_id, account_id)?,
        None => Some(comment.author_id.clone()),
    };
    Ok((igsid, username))
}

/// The usernames a text @mentions, in order, without repeats.
pub fn mentioned_usernames(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts =
            chars[i] == '@' && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
        if starts {
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '.' || **c == '_')
                .collect();
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if !name.is_empty() && name.len() <= 30 && !out.contains(&name) {
                out.push(name.clone());
            }
            i += 1 + name.len();
        } else {
            i += 1;
        }
    }
    out
}

/// The professional accounts a text @mentions.
pub fn mentioned_accounts(conn: &Reader, text: &str) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for username in mentioned_usernames(text) {
        if let Some(account) = accounts::list(conn)?
            .into_iter()
            .find(|a| a.username == username)
        {
            out.push(account.id);
        }
    }
    Ok(out)
}

/// Whether a text @mentions this username.
pub fn mentions(text: &str, username: &str) -> bool {
    mentioned_usernames(text).iter().any(|u| u == username)
}

/// Text as an app that did not write it sees it: the `@` of each mention removed
/// (ref 001 L494, L8260-8270).
pub fn strip_at(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        let mention = *c == '@'
            && chars
                .get(i + 1)
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '_' || *n == '.')
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
        if !mention {
            out.push(*c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_mentions() {
        assert_eq!(
            mentioned_usernames("@bluebottle and @Blue.Bottle_2, again @bluebottle."),
            vec!["bluebottle", "blue.bottle_2"]
        );
        assert!(mentioned_usernames("mail me at a@b.com").is_empty());
        assert!(mentions("Shout out to @metricsaurus", "metricsaurus"));
    }

    #[test]
    fn strips_the_at_of_mentions_only() {
        // ref 001 L8296-8300: "@metricsaurus headquarters!" -> "metricsaurus headquarters!"
        assert_eq!(
            strip_at("@metricsaurus headquarters!"),
            "metricsaurus headquarters!"
        );
        assert_eq!(strip_at("mail a@b.com @ noon"), "mail a@b.com @ noon");
    }
}
