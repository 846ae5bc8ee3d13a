//! What an operator watches (`/metrics`, Prometheus' text format, behind a token): updates
//! handled and set aside, sends by channel and outcome, database retries, scheduler ticks,
//! and at each scrape the outbox's waiting rows and oldest due age per lane (read from the
//! database, so every instance reports the same queue). Labels carry channel, lane and
//! outcome names only: never a person, a phone or a token.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SendLabel {
    pub channel: &'static str,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LaneLabel {
    pub lane: &'static str,
}

pub struct Metrics {
    registry: Registry,
    /// Inbound updates: handled, a duplicate, throttled (flood), set aside after failing.
    pub updates: Family<OutcomeLabel, Counter>,
    /// Each send's outcome, by channel.
    pub sends: Family<SendLabel, Counter>,
    /// Units of work the database turned away for now (busy, out of reach), retried.
    pub db_retries: Counter,
    /// Batches of chat messages run again holding the whole database (they came to
    /// something shared while other units were running; PostgreSQL).
    pub units_widened: Counter,
    pub ticks: Counter,
    /// Scheduled backups by outcome (ok, failed).
    pub backups: Family<OutcomeLabel, Counter>,
    pub tick_seconds: Gauge<f64, AtomicU64>,
    pub outbox_waiting: Family<LaneLabel, Gauge>,
    pub outbox_oldest_due_seconds: Family<LaneLabel, Gauge<f64, AtomicU64>>,
    /// From a call-out's start to its first pledge.
    pub callout_first_pledge_seconds: Histogram,
}

/// A call-out's first pledge: one minute to a day.
const FIRST_PLEDGE_BUCKETS: [f64; 10] = [
    60.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0, 14400.0, 43200.0, 86400.0,
];

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("hienmau");
        let m = Metrics {
            registry: Registry::default(),
            updates: Family::default(),
            sends: Family::default(),
            db_retries: Counter::default(),
            units_widened: Counter::default(),
            ticks: Counter::default(),
            backups: Family::default(),
            tick_seconds: Gauge::default(),
            outbox_waiting: Family::default(),
            outbox_oldest_due_seconds: Family::default(),
            callout_first_pledge_seconds: Histogram::new(FIRST_PLEDGE_BUCKETS),
        };
        registry.register(
            "updates",
            "Inbound updates by outcome (handled, duplicate, throttled, set_aside)",
            m.updates.clone(),
        );
        registry.register(
            "sends",
            "Sends by channel and outcome (sent, retry_after, transient, failed, unreachable, no_route, quota)",
            m.sends.clone(),
        );
        registry.register(
            "database_retries",
            "Units of work the database turned away for now (busy or out of reach)",
            m.db_retries.clone(),
        );
        registry.register(
            "units_widened",
            "Batches of chat messages run again holding the whole database (PostgreSQL)",
            m.units_widened.clone(),
        );
        registry.register("scheduler_ticks", "Scheduler ticks run", m.ticks.clone());
        registry.register(
            "backups",
            "Scheduled backups by outcome (ok, failed)",
            m.backups.clone(),
        );
        registry.register(
            "scheduler_tick_seconds",
            "How long the last scheduler tick took",
            m.tick_seconds.clone(),
        );
        registry.register(
            "outbox_waiting",
            "Outbox messages waiting or being sent, by lane",
            m.outbox_waiting.clone(),
        );
        registry.register(
            "outbox_oldest_due_seconds",
            "How long the oldest due message of a lane has waited",
            m.outbox_oldest_due_seconds.clone(),
        );
        registry.register(
            "callout_first_pledge_seconds",
            "From a call-out's start to its first pledge",
            m.callout_first_pledge_seconds.clone(),
        );
        Metrics { registry, ..m }
    }
}

impl Metrics {
    pub fn update(&self, outcome: &'static str) {
        self.updates.get_or_create(&OutcomeLabel { outcome }).inc();
    }

    pub fn send(&self, channel: &'static str, outcome: &'static str) {
        self.sends
            .get_or_create(&SendLabel { channel, outcome })
            .inc();
    }

    /// Prometheus' text format (0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String does not fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}
