//! What a fake platform server received from the bot, per chat, with waiting helpers.

#![allow(dead_code)]

use std::fmt::Debug;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Notify;

pub struct Mailbox<T> {
    items: Mutex<Vec<(String, T)>>,
    added: Notify,
}

impl<T: Clone + Debug> Default for Mailbox<T> {
    fn default() -> Self {
        Mailbox {
            items: Mutex::new(Vec::new()),
            added: Notify::new(),
        }
    }
}

impl<T: Clone + Debug> Mailbox<T> {
    pub fn push(&self, chat: &str, item: T) {
        self.items.lock().unwrap().push((chat.to_string(), item));
        self.added.notify_waiters();
    }

    pub fn to(&self, chat: &str) -> Vec<T> {
        self.items
            .lock()
            .unwrap()
            .iter()
            .filter(|(c, _)| c == chat)
            .map(|(_, t)| t.clone())
            .collect()
    }

    /// Everything received, in order of arrival.
    pub fn all(&self) -> Vec<T> {
        self.items
            .lock()
            .unwrap()
            .iter()
            .map(|(_, t)| t.clone())
            .collect()
    }

    pub fn count(&self) -> usize {
        self.items.lock().unwrap().len()
    }

    /// Wait until `chat` has received `n` items in all; returns them.
    pub async fn wait_for(&self, chat: &str, n: usize, timeout: Duration) -> Vec<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let added = self.added.notified();
            let items = self.to(chat);
            if items.len() >= n {
                return items;
            }
            if tokio::time::timeout_at(deadline, added).await.is_err() {
                panic!(
                    "chat {chat}: waited for {n} messages, got {}: {items:#?}",
                    items.len()
                );
            }
        }
    }

    /// Wait until `n` items have arrived in all (any chat).
    pub async fn wait_total(&self, n: usize, timeout: Duration) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let added = self.added.notified();
            if self.count() >= n {
                return;
            }
            if tokio::time::timeout_at(deadline, added).await.is_err() {
                panic!("waited for {n} messages in all, got {}", self.count());
            }
        }
    }
}
