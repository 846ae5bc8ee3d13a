//! The time, as the application sees it: the system clock, a clock tests move by hand, and
//! the terminal demo's clock that runs ahead of real time. Below every other module, so
//! channels and the store may take the time without knowing the app.

use chrono::{DateTime, Utc};
use std::sync::Mutex;

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

/// Real time shifted by an amount (the terminal demo's `--now` and `/clock`).
pub struct OffsetClock(Mutex<chrono::Duration>);

impl OffsetClock {
    pub fn new(offset: chrono::Duration) -> OffsetClock {
        OffsetClock(Mutex::new(offset))
    }

    /// Move the clock on (or back) by `by`.
    pub fn shift(&self, by: chrono::Duration) {
        let mut o = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *o += by;
    }

    /// How far ahead of real time it runs.
    pub fn offset(&self) -> chrono::Duration {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Run `offset` ahead of real time (behind, if negative).
    pub fn set(&self, offset: chrono::Duration) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = offset;
    }

    /// Run `offset` ahead of real time, if that is later than now (never backwards).
    pub fn catch_up(&self, offset: chrono::Duration) {
        let mut o = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if offset > *o {
            *o = offset;
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
