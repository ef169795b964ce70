//! Content publishing endpoints: `POST /{ig-user-id}/media` (create a container), `POST
//! /{ig-user-id}/media_publish`, `GET /{ig-container-id}` and `GET /{ig-user-id}/
//! content_publishing_limit` (ref 001 L1-384, L1372-1595, L3916-4027, L6564-6662,
//! L7902-7974). The pipeline itself is in `crate::publishing`.

use crate::store::{Reader, Writer};
use graph::{GraphError, Permission};
use serde_json::{json, Value};
use std::collections::HashMap;

use super::{internal, time_param, with_metadata, Call};
use crate::auth::TokenKind;
use crate::http::host::HostKind;
use crate::nodes::ig_container::{self, IG_CONTAINER};
use crate::nodes::{kinds, NodeKind};
use crate::publishing::request::{self, Context, Kind};
use crate::publishing::status::{self, Code};
use crate::publishing::{limits, processing, publish};
use crate::store::accounts::{self, Account, Page};
use crate::store::containers::{self, Container};
use crate::store::media::Media;
use crate::store::publishing_setup::Flags;
use crate::store::{publishing_setup, StoreError, StoreResult};
use crate::{events, social};

/// The Page tasks that allow publishing (ref 001 L55-58, L7930).
const PUBLISHING_TASKS: &[&str] = &["MANAGE", "CREATE_CONTENT"];

async fn account(call: &Call) -> Result<Account, GraphError> {
    let target = call.target()?;
    call.state
        .db
        .account(&target.id)
        .await
        .map_err(internal)?
        .map(std::sync::Arc::unwrap_or_clone)
        .ok_or_else(|| {
            GraphError::unsupported_method(call.method.as_str(), &target.addressed_as, call.api)
        })
}

/// The account a publishing call acts for, after its Page task and flags are checked (one
/// read for both).
async fn publishing_account(call: &Call, publishing: bool) -> Result<Account, GraphError> {
    let account = account(call).await?;
    let (page_id, account_id) = (account.page_id.clone(), account.id.clone());
    let (page, flags) = call
        .read(move |c| {
            let page = match &page_id {
                Some(page_id) => accounts::page(c, page_id)?,
                None => None,
            };
            Ok((page, publishing_setup::flags(c, &account_id)?))
        })
        .await?;
    require_task(call, page)?;
    check_flags(call, flags, publishing)?;
    Ok(account)
}

fn is_facebook(call: &Call) -> bool {
    call.caller
        .as_ref()
        .is_some_and(|c| matches!(c.kind, TokenKind::FacebookUser | TokenKind::Page))
}

/// With Facebook Login the app user must be able to perform MANAGE or CREATE_CONTENT on the
/// Page linked to the account.
fn require_task(call: &Call, page: Option<Page>) -> Result<(), GraphError> {
    if !is_facebook(call) {
        return Ok(());
    }
    let allowed = page.is_some_and(|p| {
        p.tasks
            .iter()
            .any(|t| PUBLISHING_TASKS.contains(&t.as_str()))
    });
    if allowed {
        Ok(())
    } else {
        Err(GraphError::page_task_required(PUBLISHING_TASKS))
    }
}

/// What Meta decided about the account outside the API (control API flags).
fn check_flags(call: &Call, flags: Flags, publishing: bool) -> Result<(), GraphError> {
    if flags.restricted {
        return Err(GraphError::account_restricted());
    }
    if flags.ppa_required {
        return Err(GraphError::page_publishing_authorization_required());
    }
    if flags.two_factor_required && is_facebook(call) {
        return Err(GraphError::page_two_factor_required());
    }
    if publishing && flags.spam {
        return Err(GraphError::restricted_as_spam());
    }
    Ok(())
}

/// A container and, for a carousel, its children in order.
fn load(conn: &Reader, id: &str) -> StoreResult<Option<(Container, Vec<Container>)>> {
    let Some(container) = containers::get(conn, id)? else {
        return Ok(None);
    };
    let mut children = Vec::with_capacity(container.children.len());
    for child in &container.children {
        if let Some(child) = containers::get(conn, child)? {
            children.push(child);
        }
    }
    Ok(Some((container, children)))
}

/// The rupload URI of a resumable container, on the host the client called: Meta's own when
/// it named graph.facebook.com, else the same origin (ref 001 L145-148).
fn upload_uri(call: &Call, id: &str) -> String {
    let version = call.version;
    let host = call.links.host.as_str();
    if HostKind::classify(host) != HostKind::Neutral && !host.contains("localhost") {
        return format!("https://rupload.facebook.com/ig-api-upload/{version}/{id}");
    }
    let host = host
        .strip_prefix("graph.")
        .map(|rest| format!("rupload.{rest}"))
        .unwrap_or_else(|| host.to_string());
    format!(
        "{}://{host}/ig-api-upload/{version}/{id}",
        call.links.scheme
    )
}

/// `POST /{ig-user-id}/media`: creates an IG Container (ref 001 L8-384).
pub async fn create_container(call: Call) -> Result<Value, GraphError> {
    let account = publishing_account(&call, false).await?;
    let caller = call.caller()?;
    let may_tag_products = caller.has_all(&[
        Permission::CatalogManagement,
        Permission::InstagramShoppingTagProducts,
    ]);
    let new = request::read(
        &call.params,
        &Context {
            api: call.api,
            account: &account,
            now: call.now(),
            may_tag_products,
            feed_product_tags: call.state.config.publishing.feed_product_tag_limit,
        },
    )?;
    let state = &call.state;
    let limit = state.config.publishing.container_limit;
    // Refuse before fetching what the transaction would refuse anyway.
    let now_ms = state.clock.now_ms();
    let tag_limit = state.config.publishing.feed_product_tag_limit;
    let (on, checked) = (account.clone(), new.clone());
    call.read(move |c| {
        if let Err(e) = limits::check_containers(c, &on.id, limit, now_ms)? {
            return Ok(Err(e));
        }
        if let Err(e) = request::check_references(c, &on, &checked, now_ms, tag_limit)? {
            return Ok(Err(e));
        }
        // The tagged products must be the account's and not rejected (issue #13).
        crate::shopping::check_tags(c, &on.id, &checked.options.product_tags)
    })
    .await??;

    let processed = match &new.source_url {
        Some(url) => Some(
            processing::from_url(
                state,
                new.kind,
                new.is_video,
                url,
                &new.options,
                new.cover_url.as_deref(),
            )
            .await,
        ),
        None => None,
    };
    let now_ms = state.clock.now_ms();
    let mut container = Container {
        account_id: account.id.clone(),
        kind: new.kind.as_str().into(),
        is_video: new.is_video,
        is_carousel_item: new.is_carousel_item,
        resumable: new.resumable,
        params: new.options.to_json(),
        source_url: new.source_url.clone(),
        cover_url: new.cover_url.clone(),
        children: new.children.clone(),
        created_at: now_ms,
        ..Container::default()
    };
    match (&processed, new.kind) {
        (Some(done), _) => {
            container.file_sha256 = done.file.as_ref().map(|f| f.sha256.clone());
            container.cover_sha256 = done.cover.as_ref().map(|f| f.sha256.clone());
            container.bytes_transferred = done.bytes as i64;
            container.duration_ms = done.duration_ms.map(|d| d as i64);
            container.failure = done.failure.as_ref().map(|f| f.to_json());
            container.processing_started_at = Some(now_ms);
            container.processing_ms = state
                .config
                .publishing
                .processing_ms(new.is_video, done.bytes);
            // A `container_stuck` fault keeps it IN_PROGRESS until it expires.
            if crate::faults::container_stuck(state, &account.id)
                .await
                .map_err(internal)?
            {
                container.processing_ms = crate::faults::STUCK_PROCESSING_MS;
            }
        }
        // A carousel is ready when its children are.
        (None, Kind::Carousel) => container.processing_started_at = Some(now_ms),
        // A resumable session waits for its bytes.
        (None, _) => {}
    }
    let (state, now, resumable) = (call.state.clone(), call.now(), new.resumable);
    let id = call
        .write(
            move |tx| -> Result<Result<String, GraphError>, StoreError> {
                if let Err(e) = limits::check_containers(tx, &account.id, limit, now_ms)? {
                    return Ok(Err(e));
                }
                if let Err(e) = request::check_references(tx, &account, &new, now_ms, tag_limit)? {
                    return Ok(Err(e));
                }
                let id = kinds::mint(tx, &state.ids, NodeKind::Container, now)?;
                container.id = id.clone();
                containers::insert(tx, &container)?;
                Ok(Ok(id))
            },
        )
        .await??;
    if resumable {
        Ok(json!({"id": id, "uri": upload_uri(&call, &id)}))
    } else {
        Ok(json!({ "id": id }))
    }
}

/// `POST /{ig-user-id}/media_publish?creation_id=`: publishes a FINISHED container as a new
/// IG Media (ref 001 L7902-7974, L1549-1569), within the daily limit.
pub async fn publish(call: Call) -> Result<Value, GraphError> {
    let account = publishing_account(&call, true).await?;
    let creation_id = call
        .params
        .required_str("creation_id")
        .map_err(|e| GraphError::from_param(&e))?
        .trim()
        .to_string();
    let state = &call.state;
    // Poster frames are files: made before the transaction, harmlessly if it then refuses.
    let lookup = creation_id.clone();
    let posters = match call.read(move |c| load(c, &lookup)).await? {
        Some((container, children)) if container.account_id == account.id => {
            let mut all = vec![&container];
            all.extend(children.iter());
            publish::posters(state, &all).await
        }
        _ => HashMap::new(),
    };
    let limit = state.config.publishing.publish_limit;
    let now_ms = state.clock.now_ms();
    let state = state.clone();
    let media = call
        .write(move |tx| -> Result<Result<Media, GraphError>, StoreError> {
            let not_found = || GraphError::media_builder_not_found(&creation_id);
            let Some((container, children)) = load(tx, &creation_id)? else {
                return Ok(Err(not_found()));
            };
            if container.account_id != account.id {
                return Ok(Err(not_found()));
            }
            if container.is_carousel_item {
                return Ok(Err(GraphError::carousel_item_not_publishable(&creation_id)));
            }
            let state_now = status::state(&container, &children, now_ms);
            match state_now.code {
                Code::Published | Code::Expired => return Ok(Err(not_found())),
                Code::InProgress => return Ok(Err(GraphError::media_not_ready())),
                Code::Error => {
                    return Ok(Err(state_now
                        .failure
                        .map(|f| f.error())
                        .unwrap_or_else(GraphError::unknown_upload_error)))
                }
                Code::Finished => {}
            }
            if let Err(e) = limits::check_publish(tx, &account.id, limit, now_ms)? {
                return Ok(Err(e));
            }
            let tagged = std::iter::once(&container).chain(children.iter()).any(|c| {
                !crate::publishing::request::Options::from_json(&c.params)
                    .product_tags
                    .is_empty()
            });
            let now_s = now_ms.div_euclid(1000);
            if let Err(e) =
                crate::shopping::check_tagged_post_limit(tx, &account.id, tagged, now_s)?
            {
                return Ok(Err(e));
            }
            let media = publish::create_media(
                tx,
                &state,
                &account,
                &container,
                &children,
                &posters,
                now_ms.div_euclid(1000),
            )?;
            containers::mark_published(tx, &container.id, &media.id, now_ms)?;
            for child in &children {
                containers::mark_published(tx, &child.id, &media.id, now_ms)?;
            }
            containers::insert_publish(tx, &media.id, &account.id, &container.id, now_ms)?;
            notify_mentions(tx, &state, &account, &media)?;
            Ok(Ok(media))
        })
        .await??;
    Ok(json!({ "id": media.id }))
}

/// "@Mentioned Instagram users receive a notification when the container is published"
/// (ref 001 L249-255): each professional account the caption mentions gets a `mentions`
/// event, as for a person's caption; not for stories or private accounts' media.
fn notify_mentions(
    tx: &Writer,
    state: &crate::state::AppState,
    account: &Account,
    media: &Media,
) -> Result<(), StoreError> {
    let Some(caption) = &media.caption else {
        return Ok(());
    };
    if media.media_product_type == "STORY" || account.is_private {
        return Ok(());
    }
    for mentioned in social::mentioned_accounts(tx, caption)? {
        if mentioned == account.id {
            continue;
        }
        let mention = events::Mention {
            media_id: media.id.clone(),
            comment_id: None,
            media_owner_id: Some(account.id.clone()),
        };
        events::record(
            tx,
            state,
            events::Event::new(mentioned, events::Payload::Mention(mention)),
        )?;
    }
    Ok(())
}

/// `GET /{ig-container-id}` (ref 001 L3916-4027).
pub async fn get_container(call: Call) -> Result<Value, GraphError> {
    let target = call.target()?;
    let id = target.id.clone();
    let (container, children) = call
        .read(move |c| load(c, &id))
        .await?
        .ok_or_else(|| GraphError::unsupported_method("GET", &target.addressed_as, call.api))?;
    let ctx = call.render_context();
    let body = ig_container::render(
        &ctx,
        &container,
        &children,
        ctx.now_ms,
        call.fields.as_deref(),
    )?;
    with_metadata(&call, &IG_CONTAINER, body)
}

/// `GET /{ig-user-id}/content_publishing_limit` (ref 001 L6564-6662): `quota_usage` by
/// default, `config` on request; the sample's `rate_limit_settings` answers as `config`.
pub async fn publishing_limit(call: Call) -> Result<Value, GraphError> {
    let account = account(&call).await?;
    let now_ms = call.state.clock.now_ms();
    let since = time_param(&call, "since")?;
    let since_ms = match since {
        // "A Unix timestamp no older than 24 hours" (ref 001 L6621-6624).
        Some(since) if since.saturating_mul(1000) < now_ms - limits::WINDOW_MS => {
            return Err(GraphError::invalid_parameter(
                "The parameter since must be a Unix timestamp no older than 24 hours",
            ))
        }
        Some(since) => since.saturating_mul(1000),
        None => now_ms - limits::WINDOW_MS + 1,
    };
    let usage = call
        .read(move |c| limits::quota_usage(c, &account.id, since_ms, now_ms))
        .await?;
    let item = ig_container::render_limit(
        &call.render_context(),
        usage,
        call.state.config.publishing.publish_limit as i64,
        limits::WINDOW_MS / 1000,
        call.fields.as_deref(),
    )?;
    Ok(json!({ "data": [item] }))
}
