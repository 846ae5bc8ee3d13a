//! hienmau: a chat-bot for voluntary blood-donor outreach in Vietnam.
//!
//! Reading order: `migrations/` (the data), [`engine`] (what the bot says), [`app`] (one
//! message in, one transaction out), [`store`] (all SQL), [`delivery`] (the outbox worker),
//! [`channels`] (Telegram, terminal), [`cli`] (the commands).

pub mod config;
pub mod domain;
pub mod engine;
pub mod messages;
