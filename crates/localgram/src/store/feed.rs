//! The change feed: every committed write announces what it changed, in process on a
//! broadcast channel and, on PostgreSQL, to every other instance through LISTEN/NOTIFY.
//! Read caches, the webhook worker and live views subscribe to it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use super::sql::Change;

/// Sets a slow subscriber may fall behind by before it is told it missed some.
const CAPACITY: usize = 4096;

/// A NOTIFY payload must stay under PostgreSQL's 8,000 bytes; past this the ids are dropped
/// and only the kinds of object travel.
const PAYLOAD_LIMIT: usize = 7_000;

/// What one committed transaction changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangeSet {
    /// The instance that wrote it.
    pub origin: String,
    pub changes: Vec<Change>,
}

impl ChangeSet {
    /// The kinds of object it changed (node kinds and table names).
    pub fn kinds(&self) -> Vec<&str> {
        self.changes.iter().map(|c| c.kind.as_str()).collect()
    }
}

pub struct Feed {
    sender: broadcast::Sender<Arc<ChangeSet>>,
}

impl Default for Feed {
    fn default() -> Self {
        Feed {
            sender: broadcast::channel(CAPACITY).0,
        }
    }
}

impl Feed {
    /// Every change set committed from now on, local or remote.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ChangeSet>> {
        self.sender.subscribe()
    }

    pub(super) fn publish(&self, set: ChangeSet) {
        // No subscriber is fine: nobody is listening yet.
        let _ = self.sender.send(Arc::new(set));
    }
}

/// The NOTIFY payload for a change set, within PostgreSQL's size limit.
pub(super) fn payload(set: &ChangeSet) -> String {
    let full = serde_json::to_string(set).unwrap_or_default();
    if full.len() <= PAYLOAD_LIMIT {
        return full;
    }
    let mut kinds: Vec<Change> = Vec::new();
    for change in &set.changes {
        if !kinds.iter().any(|k| k.kind == change.kind) {
            kinds.push(Change {
                kind: change.kind.clone(),
                id: None,
                event: None,
                // Merged: whether every write of the kind only inserted is not known.
                inserted_only: false,
            });
        }
    }
    kinds.truncate(100);
    serde_json::to_string(&ChangeSet {
        origin: set.origin.clone(),
        changes: kinds,
    })
    .unwrap_or_default()
}

/// Listens for other instances' change sets on a connection of its own, on a thread of its
/// own (the synchronous client blocks), reconnecting after an outage. `on_remote` runs for
/// each set another instance committed.
pub(super) fn listen(
    config: postgres::Config,
    channel: String,
    origin: String,
    stop: Arc<AtomicBool>,
    on_remote: impl Fn(ChangeSet) + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("localgram-listen".into())
        .spawn(move || {
            while !stop.load(Ordering::Acquire) {
                let mut client = match config.connect(postgres::NoTls) {
                    Ok(client) => client,
                    Err(e) => {
                        tracing::debug!("change feed: cannot connect yet: {e}");
                        std::thread::sleep(Duration::from_millis(500));
                        continue;
                    }
                };
                if let Err(e) = client.batch_execute(&format!("LISTEN \"{channel}\"")) {
                    tracing::debug!("change feed: LISTEN failed: {e}");
                    std::thread::sleep(Duration::from_millis(500));
                    continue;
                }
                // Whatever happened while no one listened: treat as a change of everything.
                on_remote(ChangeSet {
                    origin: String::new(),
                    changes: Vec::new(),
                });
                'connected: while !stop.load(Ordering::Acquire) {
                    let mut notifications = client.notifications();
                    let mut batch = notifications.timeout_iter(Duration::from_millis(250));
                    let lost = loop {
                        match batch.next() {
                            Ok(Some(note)) => {
                                let Ok(set) = serde_json::from_str::<ChangeSet>(note.payload())
                                else {
                                    continue;
                                };
                                if set.origin != origin {
                                    on_remote(set);
                                }
                            }
                            Ok(None) => break false,
                            Err(e) => {
                                tracing::debug!("change feed: connection lost: {e}");
                                break true;
                            }
                        }
                    };
                    drop(batch);
                    drop(notifications);
                    if lost || client.is_closed() {
                        break 'connected;
                    }
                }
            }
        })
}
