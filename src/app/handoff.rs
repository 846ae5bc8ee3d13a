//! Replies handed from the conversation to the delivery worker in memory.
//!
//! A batch of messages queues its replies in the outbox and, in the same transaction, claims
//! them for sending ([`crate::store::Tx::claim_added`]); once it has committed it hands them
//! here, and the worker sends them without reading and claiming them again. Two statements
//! and two turns at SQLite's write lock fewer per round: under a stream of messages the
//! worker had been waiting for the batches' transactions to claim what they had just written.
//!
//! Only one process's own worker takes rows this way (SQLite: one instance per file); the
//! rows are in the outbox, claimed, so nothing is lost if the process stops: a worker that
//! stops puts what it had not started back to pending, and a process that dies leaves them
//! 'sending', queued again at the next start like any reply interrupted mid-send.

use crate::channels::Channel;
use crate::store::OutboxRow;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// The queue between the conversation and the delivery worker.
#[derive(Default)]
pub struct Handoff {
    inner: Mutex<Inner>,
    /// Wakes the worker when rows are handed over.
    ready: Arc<Notify>,
}

#[derive(Default)]
struct Inner {
    /// The channels of the worker taking rows; empty when none does.
    open: Vec<Channel>,
    /// At most this many rows wait; beyond it a batch leaves its replies pending.
    room: usize,
    /// Rows the worker took and has not started yet (it says how many).
    held: usize,
    rows: VecDeque<OutboxRow>,
    /// A batch handing rows over also queued rows that were not: the worker must read the
    /// outbox in the same pass.
    unread: bool,
}

impl Handoff {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves a queue of plain rows: still consistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A worker for `channels` takes rows from now on, at most `room` waiting. False when
    /// another worker already does (it keeps them).
    pub fn open(&self, channels: &[Channel], room: usize) -> bool {
        let mut inner = self.lock();
        if !inner.open.is_empty() || channels.is_empty() || room == 0 {
            return false;
        }
        inner.open = channels.to_vec();
        inner.room = room;
        inner.held = 0;
        true
    }

    /// The worker stops taking rows; the rows it had not taken, to put back.
    pub fn close(&self) -> Vec<OutboxRow> {
        let mut inner = self.lock();
        inner.open.clear();
        inner.rows.drain(..).collect()
    }

    /// The channels whose replies may be handed over now (none when no worker takes them or
    /// the queue is full).
    pub fn accepting(&self) -> Vec<Channel> {
        let inner = self.lock();
        if inner.rows.len() + inner.held >= inner.room {
            return Vec::new();
        }
        inner.open.clone()
    }

    /// Rows claimed by a committed transaction, in order.
    pub fn give(&self, rows: Vec<OutboxRow>, unread: bool) {
        if rows.is_empty() {
            return;
        }
        let mut inner = self.lock();
        inner.rows.extend(rows);
        inner.unread |= unread;
        drop(inner);
        self.ready.notify_one();
    }

    /// Notified when rows are handed over (the worker waits on it beside the outbox's own
    /// notice, which then means rows it must read).
    pub fn ready(&self) -> Arc<Notify> {
        self.ready.clone()
    }

    /// Every row handed over so far, in order; `held` is how many the worker still holds
    /// unstarted besides (they count against the room).
    pub fn take(&self, held: usize) -> (Vec<OutboxRow>, bool) {
        let mut inner = self.lock();
        inner.held = held;
        let unread = std::mem::take(&mut inner.unread);
        (inner.rows.drain(..).collect(), unread)
    }

    /// The worker holds `held` rows unstarted.
    pub fn holding(&self, held: usize) {
        self.lock().held = held;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::channel::ChannelKind;
    use crate::store::Lane;

    fn row(id: i64, chat: &str) -> OutboxRow {
        OutboxRow {
            id,
            channel: Channel::of(ChannelKind::Telegram),
            chat_id: chat.into(),
            identity_id: None,
            lane: Lane::Reply,
            body: String::new(),
            attempts: 1,
        }
    }

    #[test]
    fn one_worker_takes_rows_in_order_within_its_room() {
        let h = Handoff::default();
        assert!(h.accepting().is_empty(), "no worker: nothing handed over");
        assert!(h.open(&[Channel::of(ChannelKind::Telegram)], 3));
        assert!(
            !h.open(&[Channel::of(ChannelKind::Telegram)], 3),
            "a second worker does not take rows"
        );
        assert_eq!(h.accepting(), vec![Channel::of(ChannelKind::Telegram)]);
        h.give(vec![row(1, "a"), row(2, "b"), row(3, "a")], true);
        assert!(h.accepting().is_empty(), "full at its room");
        let (taken, unread) = h.take(0);
        assert_eq!(
            taken.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert!(unread, "the batch also queued rows it did not hand over");
        assert!(!h.take(0).1, "said once");
        assert_eq!(h.accepting(), vec![Channel::of(ChannelKind::Telegram)]);
        // What the worker still holds counts against the room.
        h.holding(3);
        assert!(h.accepting().is_empty(), "the worker holds three");
        h.holding(2);
        h.give(vec![row(4, "c")], false);
        assert!(h.accepting().is_empty(), "two held and one handed");
        let left = h.close();
        assert_eq!(left.iter().map(|r| r.id).collect::<Vec<_>>(), vec![4]);
        assert!(h.accepting().is_empty(), "closed");
        assert!(
            h.open(&[Channel::of(ChannelKind::Telegram)], 3),
            "opens again for a new worker"
        );
        assert_eq!(
            h.accepting(),
            vec![Channel::of(ChannelKind::Telegram)],
            "nothing held"
        );
    }
}
