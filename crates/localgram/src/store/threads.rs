//! The threads database work runs on: a fixed set per kind of work (reads, writes), fed by
//! a queue for requests' work and one for background work that yields to it, so that no database call runs on the async runtime's workers and none spawns
//! a thread. (`spawn_blocking` made a node read hop to whichever of up to hundreds of pool
//! threads was idle, twice a request; the scheduler then cost more than the queries:
//! docs/performance.md.)

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::{StoreError, StoreResult};

type Job = Box<dyn FnOnce() + Send>;

/// How many foreground jobs in a row may pass a waiting background job: background work
/// (recording a drained webhook batch, pruning, bulk replay) yields to requests, and still
/// moves when requests never stop coming.
const FOREGROUND_STREAK: u32 = 8;

pub struct DbThreads {
    jobs: crossbeam_channel::Sender<Job>,
    background: crossbeam_channel::Sender<Job>,
}

impl DbThreads {
    /// Starts `count` threads named `name`; they stop when the last handle is dropped.
    pub fn start(name: &str, count: usize) -> StoreResult<DbThreads> {
        let (jobs, queue) = crossbeam_channel::unbounded::<Job>();
        let (background, later) = crossbeam_channel::unbounded::<Job>();
        for n in 0..count.max(1) {
            let (queue, later) = (queue.clone(), later.clone());
            std::thread::Builder::new()
                .name(format!("{name}-{n}"))
                .spawn(move || serve(&queue, &later))
                .map_err(|e| StoreError::Internal(format!("cannot start {name} threads: {e}")))?;
        }
        Ok(DbThreads { jobs, background })
    }

    /// Runs `f` on one of the threads and waits for its answer without blocking the caller's
    /// thread. A panic in `f` is an internal error, and the thread goes on.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.run_in(Lane::Request, f).await
    }

    /// [`DbThreads::run`] in a lane: [`Lane::Background`] work runs when no request's work is
    /// queued, or after [`FOREGROUND_STREAK`] of them.
    pub async fn run_in<T: Send + 'static>(
        &self,
        lane: Lane,
        f: impl FnOnce() -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let queue = match lane {
            Lane::Request => &self.jobs,
            Lane::Background => &self.background,
        };
        submit(queue, f).await
    }
}

/// Whose work a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// A request waits for it.
    Request,
    /// Nobody waits for it: it yields to requests.
    Background,
}

async fn submit<T: Send + 'static>(
    lane: &crossbeam_channel::Sender<Job>,
    f: impl FnOnce() -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let result = catch_unwind(AssertUnwindSafe(f))
            .unwrap_or_else(|_| Err(StoreError::Internal("a database task panicked".into())));
        // The caller may have gone (its client hung up); the work is done all the same.
        let _ = answer.send(result);
    });
    lane.send(job)
        .map_err(|_| StoreError::Internal("the database threads have stopped".into()))?;
    answered
        .await
        .map_err(|_| StoreError::Internal("a database task panicked".into()))?
}

/// One thread's loop: request work first, background work when none is queued (or after a
/// streak of requests), until the handle is dropped.
fn serve(queue: &crossbeam_channel::Receiver<Job>, later: &crossbeam_channel::Receiver<Job>) {
    // Requests' jobs run in a row while background work may have waited.
    let mut streak = 0u32;
    loop {
        let request_first = if streak < FOREGROUND_STREAK {
            queue.try_recv().map(|job| (job, true))
        } else {
            Err(crossbeam_channel::TryRecvError::Empty)
        };
        let next = request_first
            .or_else(|_| later.try_recv().map(|job| (job, false)))
            .or_else(|_| queue.try_recv().map(|job| (job, true)));
        let (job, from_request) = match next {
            Ok(next) => next,
            Err(_) => crossbeam_channel::select! {
                recv(queue) -> job => match job { Ok(job) => (job, true), Err(_) => return },
                recv(later) -> job => match job { Ok(job) => (job, false), Err(_) => return },
            },
        };
        streak = if from_request {
            streak.saturating_add(1)
        } else {
            0
        };
        job();
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

    /// Queues `foreground` request jobs and one background job while the only thread is busy,
    /// then answers the order in which they ran.
    async fn order_with(foreground: usize) -> Vec<String> {
        let threads = std::sync::Arc::new(DbThreads::start("test-lanes", 1).expect("threads"));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel::<()>();
        let ran = std::sync::Arc::new(parking_lot::Mutex::new(Vec::new()));
        let busy = threads.clone();
        let blocker = tokio::spawn(async move {
            busy.run(move || {
                let _ = started.send(());
                let _ = hold.recv();
                Ok(())
            })
            .await
        });
        // Everything else is queued while the thread is busy.
        running.await.expect("the blocker runs");
        let mut waiting = Vec::new();
        let log = ran.clone();
        let background = threads.run_in(Lane::Background, move || {
            log.lock().push("background".to_string());
            Ok(())
        });
        for n in 0..foreground {
            let log = ran.clone();
            waiting.push(threads.run(move || {
                log.lock().push(format!("request {n}"));
                Ok(())
            }));
        }
        // `join!` first polls its futures in order: the jobs are sent, then the thread freed.
        let (blocked, queued, answered, ()) = tokio::join!(
            blocker,
            background,
            futures_util::future::join_all(waiting),
            async move { release.send(()).expect("the blocker waits") }
        );
        assert!(matches!(blocked, Ok(Ok(()))) && queued.is_ok());
        assert!(answered.iter().all(Result::is_ok));
        let order = ran.lock().clone();
        order
    }

    #[tokio::test]
    async fn background_work_waits_for_queued_requests() {
        assert_eq!(
            order_with(3).await,
            ["request 0", "request 1", "request 2", "background"]
        );
    }

    #[tokio::test]
    async fn background_work_runs_after_a_streak_of_requests() {
        let order = order_with(10).await;
        assert_eq!(order.len(), 11);
        // The blocker was the first request of the streak.
        let at = order.iter().position(|job| job == "background");
        assert_eq!(
            at,
            Some(usize::try_from(FOREGROUND_STREAK).expect("small") - 1)
        );
    }
}
