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
