//! How the delivery of messages is going, as the dashboard's overview shows it to staff: per
//! lane, what waits and for how long it has been due, and what the last hour sent, failed or
//! had to retry (a 429, a timeout); the Zalo OA's template quota as the API last reported it.

/// Where an outbox row stands (its `status` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Queued (or held for quiet hours).
    Pending,
    /// Handed to a sender.
    Sending,
    Sent,
    Failed,
    /// Blocked the bot or left the platform.
    Unreachable,
    /// A broadcast stopped before it was sent.
    Cancelled,
    /// Being sent when the process stopped: the platform may or may not have it.
    Uncertain,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 7] = [
        MessageStatus::Pending,
        MessageStatus::Sending,
        MessageStatus::Sent,
        MessageStatus::Failed,
        MessageStatus::Unreachable,
        MessageStatus::Cancelled,
        MessageStatus::Uncertain,
    ];

    /// The text stored.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Failed => "failed",
            MessageStatus::Unreachable => "unreachable",
            MessageStatus::Cancelled => "cancelled",
            MessageStatus::Uncertain => "uncertain",
        }
    }

    /// The status this text stores.
    pub fn parse(s: &str) -> Option<MessageStatus> {
        MessageStatus::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Lower goes first: an urgent call-out never waits behind a broadcast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lane {
    Urgent = 0,
    Reply = 1,
    /// Reminders, thanks, "you may give again": held in quiet hours, ahead of broadcasts.
    Notice = 2,
    /// Broadcasts and campaign announcements.
    Bulk = 3,
}

impl Lane {
    pub const ALL: [Lane; 4] = [Lane::Urgent, Lane::Reply, Lane::Notice, Lane::Bulk];

    /// The lane stored as this number.
    pub fn from_index(i: i64) -> Option<Lane> {
        Lane::ALL.into_iter().find(|l| *l as i64 == i)
    }

    /// Its name in `hienmau status` and the logs.
    pub fn name(self) -> &'static str {
        match self {
            Lane::Urgent => "urgent",
            Lane::Reply => "reply",
            Lane::Notice => "notice",
            Lane::Bulk => "bulk",
        }
    }
}

/// One lane's figures (`lane`: its stored number, urgent 0 … bulk 3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LaneHealth {
    pub lane: i64,
    /// Queued or being sent now.
    pub waiting: i64,
    /// The earliest time a waiting message was due (ms), if one is due now (a message held
    /// for quiet hours is not due yet).
    pub due_since: Option<i64>,
    /// Finished within the window: handed to the platform, given up, retried on the way.
    pub sent: i64,
    pub failed: i64,
    /// Sent again after a timeout or an error (not counting 429s).
    pub retried: i64,
    /// 429s ("too many requests") the platform answered these messages with.
    pub throttled: i64,
}

/// The whole picture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Health {
    /// Every lane, in order, zeros included.
    pub lanes: Vec<LaneHealth>,
    /// The channels (codes) of the messages due for over [`LATE_MINUTES`], in code order.
    pub late_channels: Vec<String>,
    /// The Zalo OA's template quota for the day (daily, remaining), when one was reported.
    pub zns_quota: Option<(Option<i64>, Option<i64>)>,
    /// When the last scheduled backup was taken and checked (unix ms), if one was.
    pub backup_at: Option<i64>,
    /// hienmau takes the backups (SQLite); PostgreSQL is backed up with its own tools.
    pub backups_here: bool,
}

/// Minutes after which a due message still waiting means delivery is stuck or slowed.
pub const LATE_MINUTES: i64 = 5;

impl LaneHealth {
    /// Due messages have been waiting longer than [`LATE_MINUTES`].
    pub fn late(&self, now: i64) -> bool {
        self.due_since
            .is_some_and(|t| now.saturating_sub(t) > LATE_MINUTES * 60_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lane_is_late_only_when_a_due_message_waits_over_five_minutes() {
        let now = 10 * 60_000;
        let mut l = LaneHealth::default();
        assert!(!l.late(now), "nothing waiting");
        l.due_since = Some(now - 5 * 60_000);
        assert!(!l.late(now), "five minutes is not late yet");
        l.due_since = Some(now - 5 * 60_000 - 1);
        assert!(l.late(now));
        l.due_since = Some(now + 60_000);
        assert!(!l.late(now), "due in the future (a clock step back)");
        l.due_since = Some(i64::MIN);
        assert!(l.late(now), "no overflow");
    }
}
