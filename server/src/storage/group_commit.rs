//! Group commit: one task owns all writes and commits whatever has queued up together.
//!
//! While one transaction waits for its fsync, new writes gather in the queue; the next
//! transaction takes them all. Each caller is answered only after the transaction holding its
//! write has committed, so every acknowledgement stays durable while the number of fsyncs per
//! pledge falls as load rises. Serialising writes through one task also settles concurrent
//! submissions of the same idempotency key without any race: the second sees the first.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::{Backend, StorageError, StorageResult, Write, Written};

/// Large enough to absorb any realistic burst in one transaction, small enough that a batch
/// never holds the write lock for long.
const MAX_BATCH: usize = 512;
const QUEUE_CAPACITY: usize = 4096;

type Reply = oneshot::Sender<StorageResult<Written>>;

#[derive(Clone)]
pub(super) struct GroupCommit {
    queue: mpsc::Sender<(Write, Reply)>,
}

impl GroupCommit {
    pub(super) fn start(backend: Arc<dyn Backend>) -> GroupCommit {
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(run(backend, receiver));
        GroupCommit { queue }
    }

    pub(super) async fn submit(&self, write: Write) -> StorageResult<Written> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((write, reply))
            .await
            .map_err(|_| StorageError::new("the writer has stopped"))?;
        answer.await.map_err(|_| StorageError::new("the writer stopped before committing"))?
    }
}

async fn run(backend: Arc<dyn Backend>, mut receiver: mpsc::Receiver<(Write, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (writes, replies): (Vec<Write>, Vec<Reply>) = batch.drain(..).unzip();
        let count = writes.len();
        match backend.write_batch(writes).await {
            Ok(outcomes) if outcomes.len() == count => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    // A caller that gave up (its request timed out) no longer listens; its
                    // write is committed all the same and a retry will be replayed.
                    let _ = reply.send(Ok(outcome));
                }
            }
            Ok(_) => fail_all(replies, StorageError::new("the backend answered a different number of writes")),
            Err(error) => {
                tracing::error!(%error, writes = count, "group commit failed");
                fail_all(replies, error);
            }
        }
    }
}

fn fail_all(replies: Vec<Reply>, error: StorageError) {
    for reply in replies {
        let _ = reply.send(Err(error.clone()));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;
    use std::time::Duration;

    use super::*;
    use crate::spam::SpamReason;
    use crate::storage::{BoxFuture, ListFilter, PledgePage, SpamAttempt};
    use crate::timestamp::Timestamp;

    /// A backend whose commits take a while, like an fsync, and that records each batch's size.
    #[derive(Default)]
    struct SlowDisk {
        batches: Mutex<Vec<usize>>,
        failing: AtomicBool,
    }

    impl Backend for SlowDisk {
        fn write_batch(&self, writes: Vec<Write>) -> BoxFuture<'_, StorageResult<Vec<Written>>> {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                self.batches.lock().unwrap().push(writes.len());
                if self.failing.load(Ordering::SeqCst) {
                    return Err(StorageError::new("disk full"));
                }
                Ok(writes.iter().map(|_| Written::SpamCounted).collect())
            })
        }
        fn list(&self, _: ListFilter) -> BoxFuture<'_, StorageResult<PledgePage>> {
            Box::pin(async { Ok(PledgePage { pledges: Vec::new(), next_after_id: None }) })
        }
        fn spam_attempts(&self) -> BoxFuture<'_, StorageResult<u64>> {
            Box::pin(async { Ok(0) })
        }
        fn ping(&self) -> BoxFuture<'_, StorageResult<()>> {
            Box::pin(async { Ok(()) })
        }
        fn close(&self) -> BoxFuture<'_, ()> {
            Box::pin(async {})
        }
    }

    fn attempt() -> Write {
        Write::Spam(SpamAttempt { partner: "p".into(), reason: SpamReason::TooFast, received_at: Timestamp::now() })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_arriving_during_a_commit_share_the_next_one() {
        let disk = Arc::new(SlowDisk::default());
        let writer = GroupCommit::start(disk.clone());
        let submissions: Vec<_> = (0..200)
            .map(|_| {
                let writer = writer.clone();
                tokio::spawn(async move { writer.submit(attempt()).await })
            })
            .collect();
        for submission in submissions {
            assert_eq!(submission.await.unwrap().unwrap(), Written::SpamCounted);
        }
        let batches = disk.batches.lock().unwrap().clone();
        assert_eq!(batches.iter().sum::<usize>(), 200, "every write committed once");
        assert!(batches.len() <= 10, "200 writes took {} commits: {batches:?}", batches.len());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_commit_fails_every_write_in_it_and_the_writer_goes_on() {
        let disk = Arc::new(SlowDisk::default());
        let writer = GroupCommit::start(disk.clone());
        disk.failing.store(true, Ordering::SeqCst);
        assert!(writer.submit(attempt()).await.is_err());
        disk.failing.store(false, Ordering::SeqCst);
        assert_eq!(writer.submit(attempt()).await.unwrap(), Written::SpamCounted);
    }
}
