//! One message in, one transaction out: [`App::handle`] loads where the person's conversation
//! stands, asks the engine what to do, and writes the profile change, the new state and the
//! reply's outbox rows in a single transaction. A crash before the commit loses nothing (the
//! platform redelivers); a redelivered update after it is recognised and ignored.

use crate::channels::{Inbound, OutChoice, Outbound, split_text};
use crate::config::Config;
use crate::engine::{self, Conversation, Ctx, DonorChange, Label, Reply, State};
use crate::messages::{Catalogue, Lang, Msg, MsgId};
use crate::store::{Lane, NewMessage, Store};
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// The time, as the application sees it. Everything time-dependent takes it from here, so
/// tests (and the terminal demo) control the clock instead of sleeping.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told to.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> ManualClock {
        ManualClock(Mutex::new(start))
    }

    pub fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = t;
    }

    pub fn advance(&self, d: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += d;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Real time shifted by a fixed amount (the terminal demo's `--now`).
pub struct OffsetClock(pub chrono::Duration);

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    catalogue: Catalogue,
    config: Config,
    clock: Arc<dyn Clock>,
    /// Woken whenever rows are added to the outbox, so the worker need not poll for them.
    outbox_added: Arc<Notify>,
}

/// What [`App::handle`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    Replied,
    /// The platform delivered this update before: nothing was done.
    Duplicate,
}

impl App {
    pub async fn open(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        let store = Store::open(&config.database_url).await?;
        let catalogue = Catalogue::load().context("loading messages/")?;
        Ok(App {
            inner: Arc::new(Inner {
                store,
                catalogue,
                config,
                clock,
                outbox_added: Arc::new(Notify::new()),
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.inner.catalogue
    }

    pub fn outbox_added(&self) -> Arc<Notify> {
        self.inner.outbox_added.clone()
    }

    /// Handle one message from a person.
    pub async fn handle(&self, inbound: Inbound) -> anyhow::Result<Handled> {
        let inner = &*self.inner;
        let now = inner.clock.now();
        let now_ms = now.timestamp_millis();
        let channel = inbound.channel.code();

        let mut tx = inner.store.begin().await?;
        if let Some(key) = &inbound.event_key {
            // A write first: it takes the write lock before anything is read.
            if !tx.mark_seen(channel, key, now_ms).await? {
                return Ok(Handled::Duplicate);
            }
        }
        let identity = tx
            .touch_identity(channel, &inbound.user, &inbound.chat_id, now_ms)
            .await?;
        let donor = match identity.donor_id {
            Some(id) => tx.load_donor(id).await?,
            None => None,
        };
        let state = match tx.load_state(identity.id).await? {
            None => None,
            Some(json) => match serde_json::from_str::<State>(&json) {
                Ok(s) => Some(s),
                Err(e) => {
                    // A state this version cannot read: start over from a safe point,
                    // keeping every saved answer.
                    tracing::warn!(identity = identity.id, error = %e, "unreadable conversation state");
                    donor.as_ref().map(|_| State::Idle)
                }
            },
        };

        let cfg = &inner.config;
        let ctx = Ctx {
            rules: &cfg.rules,
            today: now.with_timezone(&cfg.timezone).date_naive(),
            now_ms,
            org_name: &cfg.org_name,
            tz: cfg.timezone,
            catalogue: &inner.catalogue,
        };
        let conv = Conversation {
            state,
            lang: identity.lang,
            donor,
        };
        let step = engine::step(&ctx, conv, inbound.input);

        if step.lang != identity.lang {
            tx.set_lang(identity.id, step.lang).await?;
        }
        let mut erased = false;
        match (step.change, &step.donor, identity.donor_id) {
            (DonorChange::Create, Some(d), _) => {
                tx.create_donor(identity.id, d, step.lang, now_ms).await?;
            }
            (DonorChange::Save, Some(d), Some(id)) => tx.save_donor(id, d).await?,
            (DonorChange::Erase, _, Some(id)) => {
                tx.erase_donor(id).await?;
                erased = true;
            }
            (DonorChange::Keep, _, _) => {}
            (change, _, id) => {
                anyhow::bail!("engine asked for {change:?} with donor id {id:?}: not applied");
            }
        }
        let account_kept = match &step.state {
            Some(state) if !erased => {
                let json = serde_json::to_string(state).context("encoding the state")?;
                tx.save_state(identity.id, &json, now_ms).await?;
                true
            }
            _ => {
                if !erased {
                    tx.forget_identity(identity.id).await?;
                }
                false
            }
        };

        let outbound = render(&inner.catalogue, step.lang, &step.reply);
        let parts = split_outbound(outbound, inbound.channel.max_text_chars());
        for (i, out) in parts.iter().enumerate() {
            let body = serde_json::to_string(out).context("encoding a message")?;
            let message = NewMessage {
                idempotency_key: inbound
                    .event_key
                    .as_ref()
                    .map(|k| format!("reply:{channel}:{k}:{i}")),
                channel,
                chat_id: &inbound.chat_id,
                // Once the account is erased the row must not point to it; the chat id alone
                // carries the goodbye, and is cleared once it is sent.
                identity_id: account_kept.then_some(identity.id),
                lane: Lane::Reply,
                body,
                not_before: now_ms,
            };
            tx.enqueue(&message, now_ms).await?;
        }
        tx.commit().await?;
        if erased {
            inner.store.checkpoint().await?;
        }
        inner.outbox_added.notify_one();
        tracing::debug!(
            identity = identity.id,
            parts = parts.len(),
            erased,
            "handled"
        );
        Ok(Handled::Replied)
    }
}

/// A reply in one language, as text and labelled options.
pub fn render(catalogue: &Catalogue, lang: Lang, reply: &Reply) -> Outbound {
    let text: Vec<String> = reply
        .parts
        .iter()
        .map(|m| catalogue.render(lang, m))
        .collect();
    Outbound {
        text: text.join("\n\n"),
        choices: reply
            .choices
            .iter()
            .map(|c| OutChoice {
                value: c.value.clone(),
                label: match &c.label {
                    Label::Msg(m) => catalogue.render(lang, m),
                    Label::Plain(s) => s.clone(),
                },
            })
            .collect(),
        phone_button: reply
            .phone_button
            .then(|| catalogue.render(lang, &Msg::new(MsgId::ChoiceSharePhone))),
    }
}

/// One message per part of a text too long for the channel; options go with the last part.
pub fn split_outbound(out: Outbound, max_chars: usize) -> Vec<Outbound> {
    let mut texts = split_text(&out.text, max_chars);
    let last = texts.pop().unwrap_or_default();
    let mut parts: Vec<Outbound> = texts
        .into_iter()
        .map(|text| Outbound {
            text,
            ..Outbound::default()
        })
        .collect();
    parts.push(Outbound {
        text: last,
        choices: out.choices,
        phone_button: out.phone_button,
    });
    parts
}
