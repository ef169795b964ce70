//! Group commit for the Send API: concurrent sends are written in one transaction, each inside
//! its own savepoint, and each answered only once that transaction has committed.
//!
//! Why: a message, its conversation and its echo's outbox rows touch the same few database
//! pages as the previous message. Committing each send alone writes those pages to the
//! write-ahead log again every time (about 20 page writes a message); committing the sends
//! that arrived within the same millisecond together writes them once. Measured in
//! docs/performance.md: the gathering wait (at most about a millisecond) more than doubles the
//! messages per second on this machine. Nothing else changes: a send that fails rolls back
//! to its savepoint alone, a failed commit fails every send of the group, sends are written in
//! the order they arrived (so a conversation's order is the send order), and an answer always
//! follows the commit that made the message durable.

use std::sync::{OnceLock, Weak};

use crate::store::Writer;
use graph::GraphError;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use crate::api::internal;
use crate::state::AppState;

/// At most this many sends share a transaction.
const GROUP_MAX: usize = 256;
/// How long the writer waits for more sends after the first (the timer rounds up to 1 ms).
const GATHER_US: u64 = 500;

/// One send's writes, run inside the group's transaction.
pub type Work = Box<dyn FnOnce(&Writer) -> Result<Value, GraphError> + Send>;

struct Job {
    work: Work,
    answer: oneshot::Sender<Result<Value, GraphError>>,
}

/// The queue of a server's sends and the task that writes them.
#[derive(Default)]
pub struct GroupCommit {
    queue: OnceLock<mpsc::UnboundedSender<Job>>,
}

impl GroupCommit {
    /// Runs `work` in the next group transaction and answers once it committed.
    pub async fn run(
        &self,
        state: &std::sync::Arc<AppState>,
        work: Work,
    ) -> Result<Value, GraphError> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(writer(std::sync::Arc::downgrade(state), rx));
            tx
        });
        let (answer, answered) = oneshot::channel();
        queue
            .send(Job { work, answer })
            .map_err(|_| GraphError::service_unavailable())?;
        answered
            .await
            .map_err(|_| GraphError::service_unavailable())?
    }
}

/// The writer: waits for a send, lets the sends in flight join it for a moment, takes every
/// send queued (up to `GROUP_MAX`) and writes them in one transaction. It ends with the
/// server's state.
async fn writer(state: Weak<AppState>, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        // Give the sends being handled right now a moment to join this group.
        tokio::time::sleep(std::time::Duration::from_micros(GATHER_US)).await;
        while jobs.len() < GROUP_MAX {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let Some(state) = state.upgrade() else {
            return;
        };
        write_group(&state, jobs).await;
    }
}

fn savepoint(conn: &Writer, sql: &str) -> crate::store::StoreResult<()> {
    conn.prepare_cached(sql)?.execute(())?;
    Ok(())
}

/// One transaction for the group; each job in its savepoint.
async fn write_group(state: &AppState, jobs: Vec<Job>) {
    // The answers stay here, so a failed commit still reaches every send of the group.
    let (works, answers): (Vec<Work>, Vec<_>) =
        jobs.into_iter().map(|j| (j.work, j.answer)).unzip();
    let committed = state
        .db
        .write(
            move |tx| -> Result<Vec<Result<Value, GraphError>>, crate::store::StoreError> {
                let mut results = Vec::with_capacity(works.len());
                for work in works {
                    savepoint(tx, "SAVEPOINT send")?;
                    let result = work(tx);
                    if result.is_ok() {
                        savepoint(tx, "RELEASE send")?;
                    } else {
                        savepoint(tx, "ROLLBACK TO send")?;
                        savepoint(tx, "RELEASE send")?;
                    }
                    results.push(result);
                }
                Ok(results)
            },
        )
        .await;
    match committed {
        Ok(results) => {
            for (answer, result) in answers.into_iter().zip(results) {
                let _ = answer.send(result);
            }
        }
        Err(error) => {
            let error = internal(error);
            for answer in answers {
                let _ = answer.send(Err(error.clone()));
            }
        }
    }
}
