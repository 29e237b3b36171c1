//! Group commit: one task owns all writes and commits whatever has queued up together.
//!
//! While one transaction waits for its fsync, new writes gather in the queue; the next
//! transaction takes them all. Each caller is answered only after the transaction holding its
//! write has committed, so every acknowledgement stays durable while the number of fsyncs per
//! pledge falls as load rises. Serialising writes through one task also settles concurrent
//! submissions of the same idempotency key without any race: the second sees the first.
//!
//! The health check's probe goes through the same queue and task, so it proves what a pledge
//! needs: that the writer is free and that a write commits.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Notify};

use super::{Backend, StorageError, StorageResult, Write, Written};

/// Large enough to absorb any realistic burst in one transaction, small enough that a batch
/// never holds the write lock for long.
const MAX_BATCH: usize = 512;
const QUEUE_CAPACITY: usize = 4096;

type Reply = oneshot::Sender<StorageResult<Written>>;
type ProbeReply = oneshot::Sender<StorageResult<()>>;

enum Job {
    /// Boxed: a pledge is far larger than a probe, and the queue holds thousands of jobs.
    Write(Box<Write>, Reply),
    /// A health check's write: it waits in the same queue as pledges, so a stuck writer
    /// keeps it waiting too.
    Probe(ProbeReply),
}

#[derive(Clone)]
pub(super) struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the writer; `deliveries_queued` is notified after each commit that may have
    /// queued outbox deliveries.
    pub(super) fn start(backend: Arc<dyn Backend>, deliveries_queued: Arc<Notify>) -> GroupCommit {
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(run(backend, receiver, deliveries_queued));
        GroupCommit { queue }
    }

    pub(super) async fn submit(&self, write: Write) -> StorageResult<Written> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job::Write(Box::new(write), reply))
            .await
            .map_err(|_| StorageError::new("the writer has stopped"))?;
        answer.await.map_err(|_| StorageError::new("the writer stopped before committing"))?
    }

    /// Writes sent to the writer and not yet taken into a batch.
    pub(super) fn queued(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }

    pub(super) async fn probe(&self) -> StorageResult<()> {
        let (reply, answer) = oneshot::channel();
        self.queue.send(Job::Probe(reply)).await.map_err(|_| StorageError::new("the writer has stopped"))?;
        answer.await.map_err(|_| StorageError::new("the writer stopped before probing"))?
    }
}

async fn run(backend: Arc<dyn Backend>, mut receiver: mpsc::Receiver<Job>, deliveries_queued: Arc<Notify>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let mut writes = Vec::with_capacity(jobs.len());
        let mut replies = Vec::with_capacity(jobs.len());
        let mut probes = Vec::new();
        for job in jobs.drain(..) {
            match job {
                Job::Write(write, reply) => {
                    writes.push(*write);
                    replies.push(reply);
                }
                Job::Probe(reply) => probes.push(reply),
            }
        }
        if !writes.is_empty() {
            commit(backend.as_ref(), writes, replies, &deliveries_queued).await;
        }
        // Probes get a transaction of their own after the pledges, so that a probe that does
        // not fit never fails a pledge that would have; the probes gathered meanwhile share
        // one, so that a flood of health checks costs one write per batch. A health check that
        // gave up waiting no longer needs its write.
        probes.retain(|reply| !reply.is_closed());
        if !probes.is_empty() {
            let outcome = backend.probe().await;
            if let Err(error) = &outcome {
                tracing::error!(%error, "the health check's write failed");
            }
            for reply in probes {
                let _ = reply.send(outcome.clone());
            }
        }
    }
}

async fn commit(backend: &dyn Backend, writes: Vec<Write>, replies: Vec<Reply>, deliveries_queued: &Notify) {
    let count = writes.len();
    match backend.write_batch(writes).await {
        Ok(outcomes) if outcomes.len() == count => {
            if outcomes.iter().any(Written::may_have_queued_deliveries) {
                deliveries_queued.notify_one();
            }
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
    use crate::storage::BoxFuture;
    use crate::timestamp::Timestamp;

    /// A backend whose commits take a while, like an fsync, and that records each batch's size.
    #[derive(Default)]
    struct SlowDisk {
        batches: Mutex<Vec<usize>>,
        probes: Mutex<usize>,
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
                Ok(writes.iter().map(|_| Written::Released(None)).collect())
            })
        }
        fn probe(&self) -> BoxFuture<'_, StorageResult<()>> {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                *self.probes.lock().unwrap() += 1;
                if self.failing.load(Ordering::SeqCst) {
                    return Err(StorageError::new("disk full"));
                }
                Ok(())
            })
        }
        fn close(&self) -> BoxFuture<'_, ()> {
            Box::pin(async {})
        }
    }

    fn attempt() -> Write {
        Write::Release { reference: "SK-0000-0000".into(), at: Timestamp::now(), actor: "ana".into() }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_arriving_during_a_commit_share_the_next_one() {
        let disk = Arc::new(SlowDisk::default());
        let writer = GroupCommit::start(disk.clone(), Arc::default());
        let submissions: Vec<_> = (0..200)
            .map(|_| {
                let writer = writer.clone();
                tokio::spawn(async move { writer.submit(attempt()).await })
            })
            .collect();
        for submission in submissions {
            assert_eq!(submission.await.unwrap().unwrap(), Written::Released(None));
        }
        let batches = disk.batches.lock().unwrap().clone();
        assert_eq!(batches.iter().sum::<usize>(), 200, "every write committed once");
        assert!(batches.len() <= 10, "200 writes took {} commits: {batches:?}", batches.len());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_commit_fails_every_write_in_it_and_the_writer_goes_on() {
        let disk = Arc::new(SlowDisk::default());
        let writer = GroupCommit::start(disk.clone(), Arc::default());
        disk.failing.store(true, Ordering::SeqCst);
        assert!(writer.submit(attempt()).await.is_err());
        disk.failing.store(false, Ordering::SeqCst);
        assert_eq!(writer.submit(attempt()).await.unwrap(), Written::Released(None));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn probes_share_one_write_and_fail_alone() {
        let disk = Arc::new(SlowDisk::default());
        let writer = GroupCommit::start(disk.clone(), Arc::default());
        let busy = {
            let writer = writer.clone();
            tokio::spawn(async move { writer.submit(attempt()).await })
        };
        tokio::time::sleep(Duration::from_millis(5)).await;
        let probes: Vec<_> = (0..20)
            .map(|_| {
                let writer = writer.clone();
                tokio::spawn(async move { writer.probe().await })
            })
            .collect();
        for probe in probes {
            probe.await.unwrap().unwrap();
        }
        busy.await.unwrap().unwrap();
        let probe_writes = *disk.probes.lock().unwrap();
        assert!((1..=3).contains(&probe_writes), "20 probes took {probe_writes} writes");

        disk.failing.store(true, Ordering::SeqCst);
        assert_eq!(writer.probe().await.unwrap_err().to_string(), "disk full");
        disk.failing.store(false, Ordering::SeqCst);
        writer.probe().await.unwrap();
    }
}
