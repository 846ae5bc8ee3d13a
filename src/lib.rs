//! hienmau: a chat-bot for voluntary blood-donor outreach in Vietnam.
//!
//! Reading order: `migrations/` (the data), [`engine`] (what the bot says), [`app`] (one
//! message in, one transaction out), [`store`] (all SQL), [`delivery`] (the outbox worker), [`scheduler`] (time into outbox rows),
//! [`channels`] (Telegram, terminal), [`service`] and [`cli`] (running it).

pub mod app;
pub mod channels;
pub mod cli;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod engine;
pub mod error;
pub mod messages;
pub mod scheduler;
pub mod server;
pub mod service;
pub mod store;
pub mod understanding;
pub mod web;
