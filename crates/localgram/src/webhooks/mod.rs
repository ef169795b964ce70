//! Webhooks: Meta's real-time notifications, delivered to a local callback as Meta delivers
//! them (ref 004 L2200-2510, 003, 000 L2318-2850).
//!
//! `events::record` decides, in the transaction of a change, which apps get a notification
//! (`conditions`) and writes the outbox. The worker (`worker`) sends pending deliveries in
//! batches of up to 1000 per app and login, rendered per login (`render`) and signed with the
//! app secret (`sign`), retries failures on virtual time for 36 hours (`schedule`), and keeps
//! every account's events in order; `retention` prunes old requests in the background. `verify` checks a callback when it is configured;
//! `samples` holds the dashboard's test payloads; `fields` is the table of fields.

pub mod conditions;
pub mod fields;
pub mod mtls;
pub mod render;
pub mod retention;
pub mod samples;
pub mod schedule;
pub mod sign;
pub mod verify;
pub mod worker;

use std::time::Duration;
use tokio::sync::Notify;

use crate::events::Event;
use crate::state::{AppState, Shared};
use crate::store::events::{self as outbox, NewDelivery};
use crate::store::{apps, webhooks as config, StoreError};
use fields::{Login, OBJECT};

pub use worker::{spawn, Worker};

/// How long a callback has to answer a notification or a verification request by default:
/// "a few seconds" (decisions.md).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// What the delivery worker and the request handlers share: the wake-up signal, the HTTP
/// client (one connection pool for all callbacks) and the callbacks' time limit.
pub struct Hub {
    wake: Notify,
    wake_retention: Notify,
    /// Rebuilt when the TLS settings change; requests clone it (one shared pool).
    client: parking_lot::RwLock<reqwest::Client>,
    tls: parking_lot::Mutex<mtls::TlsSettings>,
    /// Made the first time mTLS is enabled.
    client_certificate: std::sync::OnceLock<mtls::ClientCertificate>,
    pub timeout: Duration,
    /// Requests to callbacks this instance has in flight (their outcome not yet recorded).
    sending: std::sync::atomic::AtomicUsize,
}

impl Hub {
    pub fn new(timeout: Duration) -> Hub {
        // Meta does not follow a callback's redirects; neither does localgram.
        let client = mtls::client(&mtls::TlsSettings::default(), None)
            .unwrap_or_else(|_| reqwest::Client::new());
        Hub {
            wake: Notify::new(),
            wake_retention: Notify::new(),
            client: parking_lot::RwLock::new(client),
            tls: Default::default(),
            client_certificate: std::sync::OnceLock::new(),
            timeout,
            sending: Default::default(),
        }
    }

    /// How many requests to callbacks are in flight: a test that moves the clock waits for
    /// none, so a failure's retry is scheduled from the time it happened at.
    pub fn sending(&self) -> usize {
        self.sending.load(std::sync::atomic::Ordering::Acquire)
    }

    pub(crate) fn started_sending(&self) {
        self.sending
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    pub(crate) fn finished_sending(&self) {
        self.sending
            .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Tells the worker there may be work: new deliveries, a resume, a new configuration.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }

    /// Tells retention to look again now (its settings changed).
    pub fn wake_retention(&self) {
        self.wake_retention.notify_one();
    }

    pub(crate) async fn retention_woken(&self) {
        self.wake_retention.notified().await;
    }

    pub fn client(&self) -> reqwest::Client {
        self.client.read().clone()
    }

    /// The TLS settings deliveries use now.
    pub fn tls(&self) -> mtls::TlsSettings {
        self.tls.lock().clone()
    }

    /// The client certificate's CA (PEM), made on first use.
    pub fn client_ca_pem(&self) -> Result<String, String> {
        Ok(self.client_certificate()?.ca_pem.clone())
    }

    fn client_certificate(&self) -> Result<&mtls::ClientCertificate, String> {
        if let Some(made) = self.client_certificate.get() {
            return Ok(made);
        }
        let made = mtls::ClientCertificate::generate()
            .map_err(|e| format!("cannot make the client certificate: {e}"))?;
        Ok(self.client_certificate.get_or_init(|| made))
    }

    /// Applies new TLS settings: the client is rebuilt, or nothing changes when they are bad.
    pub fn set_tls(&self, settings: mtls::TlsSettings) -> Result<(), String> {
        let certificate = if settings.client_certificate {
            Some(self.client_certificate()?)
        } else {
            None
        };
        let client = mtls::client(&settings, certificate)?;
        *self.client.write() = client;
        *self.tls.lock() = settings;
        Ok(())
    }
}

/// Why a dashboard test notification could not be queued.
#[derive(Debug)]
pub enum TestError {
    UnknownApp,
    UnknownField,
    /// The app has no verified Instagram callback to send to.
    NoCallback(String),
    Store(StoreError),
}

impl From<StoreError> for TestError {
    fn from(e: StoreError) -> Self {
        TestError::Store(e)
    }
}

/// The App Dashboard's "Test" button (ref 004 L2238-2244): queues the field's sample payload
/// for the app's callback, with no account involved (`entry[].id` is `0`, as the dashboard
/// sends it), signed for `login`. Returns the event and delivery ids.
pub async fn queue_test(
    state: &AppState,
    app_id: &str,
    field: &str,
    login: Login,
) -> Result<(i64, i64), TestError> {
    let now = state.clock.now_ms();
    let payload = samples::sample(field, "0", now).ok_or(TestError::UnknownField)?;
    let text = serde_json::to_string(&payload)
        .map_err(|e| TestError::Store(StoreError::Conflict(e.to_string())))?;
    let app_id = app_id.to_string();
    let ids = state
        .db
        .write(move |tx| -> Result<(i64, i64), TestError> {
            let app = apps::find_by_any_id(tx, &app_id)?.ok_or(TestError::UnknownApp)?;
            match config::subscription(tx, &app.id, OBJECT)? {
                Some(s) if s.active => {}
                Some(s) => {
                    return Err(TestError::NoCallback(format!(
                        "the app's callback failed verification: {}",
                        s.verification_error.unwrap_or_default()
                    )))
                }
                None => return Err(TestError::NoCallback(
                    "the app has no Instagram webhooks configured (POST /{app-id}/subscriptions)"
                        .into(),
                )),
            }
            let event_id = outbox::insert_event(tx, "0", payload.field(), &text, true, now)?;
            let delivery_id = outbox::insert_delivery(
                tx,
                &NewDelivery {
                    event_id,
                    app_id: Some(&app.id),
                    account_id: "0",
                    field: payload.field(),
                    login: Some(login.as_str()),
                    status: outbox::PENDING,
                    reason: None,
                    created_at: now,
                    next_attempt_at: Some(now),
                },
            )?;
            Ok((event_id, delivery_id))
        })
        .await?;
    state.webhooks.wake();
    Ok(ids)
}

/// Records an event in its own transaction: for tests and tools that have no change of their
/// own to attach it to (areas that change state call `events::record` in theirs).
pub async fn record_alone(
    state: &Shared,
    event: Event,
) -> Result<crate::events::Recorded, StoreError> {
    let writing = state.clone();
    state
        .db
        .write(move |tx| crate::events::record(tx, &writing, event))
        .await
}

/// [`record_alone`] on the calling thread, for benchmarks that drive the store directly; it
/// blocks its thread, so never call it from async code.
pub fn record_alone_blocking(
    state: &AppState,
    event: Event,
) -> Result<crate::events::Recorded, StoreError> {
    state
        .db
        .write_blocking(|tx| crate::events::record(tx, state, event))
}
