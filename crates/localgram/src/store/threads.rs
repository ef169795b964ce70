//! The threads database work runs on: a fixed set per kind of work (reads, writes), fed by
//! one queue, so that no database call runs on the async runtime's workers and none spawns
//! a thread. (`spawn_blocking` made a node read hop to whichever of up to hundreds of pool
//! threads was idle, twice a request; the scheduler then cost more than the queries:
//! docs/performance.md.)

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::{StoreError, StoreResult};

type Job = Box<dyn FnOnce() + Send>;

pub struct DbThreads {
    jobs: crossbeam_channel::Sender<Job>,
}

impl DbThreads {
    /// Starts `count` threads named `name`; they stop when the last handle is dropped.
    pub fn start(name: &str, count: usize) -> StoreResult<DbThreads> {
        let (jobs, queue) = crossbeam_channel::unbounded::<Job>();
        for n in 0..count.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("{name}-{n}"))
                .spawn(move || {
                    while let Ok(job) = queue.recv() {
                        job();
                    }
                })
                .map_err(|e| StoreError::Internal(format!("cannot start {name} threads: {e}")))?;
        }
        Ok(DbThreads { jobs })
    }

    /// Runs `f` on one of the threads and waits for its answer without blocking the caller's
    /// thread. A panic in `f` is an internal error, and the thread goes on.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let result = catch_unwind(AssertUnwindSafe(f))
                .unwrap_or_else(|_| Err(StoreError::Internal("a database task panicked".into())));
            // The caller may have gone (its client hung up); the work is done all the same.
            let _ = answer.send(result);
        });
        self.jobs
            .send(job)
            .map_err(|_| StoreError::Internal("the database threads have stopped".into()))?;
        answered
            .await
            .map_err(|_| StoreError::Internal("a database task panicked".into()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_off_the_caller_and_a_panic_is_an_error() {
        let threads = DbThreads::start("test-db", 2).expect("threads");
        let name = threads
            .run(|| Ok(std::thread::current().name().map(str::to_string)))
            .await
            .expect("an answer");
        assert!(name.is_some_and(|n| n.starts_with("test-db-")));
        let failed: StoreResult<()> = threads.run(|| panic!("boom")).await;
        assert!(matches!(failed, Err(StoreError::Internal(_))));
        assert_eq!(threads.run(|| Ok(2 + 2)).await.expect("still running"), 4);
    }
}
