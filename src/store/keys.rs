//! The keys that make outbox rows and jobs unique. Each kind of row has one variant,
//! formatted here and only here; the families the store finds by prefix (a call-out's asks,
//! its tallies) are types too, and the keys of a family are built from its prefix, so the
//! two cannot drift apart. A key is stable across versions: a row queued before an upgrade
//! is still recognised after it.
//!
//! Rows for one person add `:{identity}:{part}` to the key (see `app::rows_for`).

use crate::domain::club::Role;
use chrono::NaiveDate;
use std::fmt;

/// What an outbox row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxKey<'a> {
    /// A reply to one inbound event (the platform's update id), part by part.
    Reply {
        channel: &'a str,
        event: &'a str,
        part: usize,
    },
    /// A broadcast, to each recipient.
    Broadcast {
        id: i64,
    },
    /// The sender's progress report once `done` messages went out.
    BroadcastProgress {
        id: i64,
        done: i64,
    },
    /// The sender's summary when nothing is left to send.
    BroadcastSummary {
        id: i64,
    },
    CalloutAsk {
        callout: i64,
        donor: i64,
    },
    /// "Covered", "cancelled"…: the end of a call-out, to one donor.
    CalloutClosed {
        callout: i64,
        donor: i64,
    },
    /// The coordinator's tally number `seq`.
    CalloutTally {
        callout: i64,
        seq: i64,
    },
    DriveCancelled {
        drive: i64,
    },
    /// A sign-up released because its donor gave elsewhere first (once per drive).
    SignupReleased {
        drive: i64,
    },
    /// A drive moved or lost slots (at the start time it has now, told at `at`).
    DriveChanged {
        drive: i64,
        starts_at: i64,
        at: i64,
    },
    RoleChanged {
        role: Role,
        grant: bool,
        at: i64,
    },
    StockAlert {
        group: &'a str,
        day: NaiveDate,
        donor: i64,
    },
    /// "You may give again", once a day at most.
    EligibleAgain {
        donor: i64,
        day: NaiveDate,
    },
    CampaignAnnounce {
        campaign: i64,
    },
    /// The 14/6 thank-you of a year.
    Honours {
        year: i32,
    },
    /// What a job sends (reminders, thanks), by the job's stored key.
    Job {
        key: &'a str,
    },
}

impl fmt::Display for OutboxKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutboxKey::Reply {
                channel,
                event,
                part,
            } => write!(f, "reply:{channel}:{event}:{part}"),
            OutboxKey::Broadcast { id } => write!(f, "broadcast:{id}"),
            OutboxKey::BroadcastProgress { id, done } => {
                write!(f, "broadcast:{id}:progress:{done}")
            }
            OutboxKey::BroadcastSummary { id } => write!(f, "broadcast:{id}:summary"),
            OutboxKey::CalloutAsk { callout, donor } => {
                write!(f, "{}{donor}", KeyFamily::CalloutAsks { callout: *callout })
            }
            OutboxKey::CalloutClosed { callout, donor } => {
                write!(f, "callout:{callout}:closed:{donor}")
            }
            OutboxKey::CalloutTally { callout, seq } => {
                write!(
                    f,
                    "{}{seq}",
                    KeyFamily::CalloutTallies { callout: *callout }
                )
            }
            OutboxKey::DriveCancelled { drive } => write!(f, "drive-cancelled:{drive}"),
            OutboxKey::SignupReleased { drive } => write!(f, "signup-released:{drive}"),
            OutboxKey::DriveChanged {
                drive,
                starts_at,
                at,
            } => write!(f, "drive-changed:{drive}:{starts_at}:{at}"),
            OutboxKey::RoleChanged { role, grant, at } => {
                write!(f, "role:{}:{grant}:{at}", role.code())
            }
            OutboxKey::StockAlert { group, day, donor } => write!(f, "stock:{group}:{day}:{donor}"),
            OutboxKey::EligibleAgain { donor, day } => write!(f, "again:{donor}:{day}"),
            OutboxKey::CampaignAnnounce { campaign } => write!(f, "campaign:{campaign}"),
            OutboxKey::Honours { year } => write!(f, "honours:{year}"),
            OutboxKey::Job { key } => write!(f, "job:{key}"),
        }
    }
}

/// Rows the store finds by the start of their key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFamily {
    /// Every ask of a call-out: `callout:{id}:ask:{donor}:…`.
    CalloutAsks { callout: i64 },
    /// Every tally of a call-out, each replacing the one before where the chat allows.
    CalloutTallies { callout: i64 },
}

impl KeyFamily {
    /// The prefix every key of the family starts with.
    pub fn prefix(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for KeyFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyFamily::CalloutAsks { callout } => write!(f, "callout:{callout}:ask:"),
            KeyFamily::CalloutTallies { callout } => write!(f, "callout:{callout}:tally:"),
        }
    }
}

/// What makes a job unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobKey {
    /// A reminder of a sign-up by one rule, for the drive's start time then (a moved drive
    /// gets fresh reminders).
    Reminder {
        signup: i64,
        rule: String,
        start: i64,
    },
    /// The thank-you after a recorded donation.
    Thanks { donation: i64 },
}

impl fmt::Display for JobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobKey::Reminder {
                signup,
                rule,
                start,
            } => write!(f, "remind:{signup}:{rule}:{start}"),
            JobKey::Thanks { donation } => write!(f, "thanks:{donation}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_those_rows_were_queued_under_before() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let job = JobKey::Reminder {
            signup: 7,
            rule: "1d@19:00".into(),
            start: 1_700_000_000_000,
        };
        let job_key = job.to_string();
        let cases: Vec<(OutboxKey, &str)> = vec![
            (
                OutboxKey::Reply {
                    channel: "telegram",
                    event: "42",
                    part: 1,
                },
                "reply:telegram:42:1",
            ),
            (OutboxKey::Broadcast { id: 3 }, "broadcast:3"),
            (
                OutboxKey::BroadcastProgress { id: 3, done: 40 },
                "broadcast:3:progress:40",
            ),
            (OutboxKey::BroadcastSummary { id: 3 }, "broadcast:3:summary"),
            (
                OutboxKey::CalloutAsk {
                    callout: 5,
                    donor: 9,
                },
                "callout:5:ask:9",
            ),
            (
                OutboxKey::CalloutClosed {
                    callout: 5,
                    donor: 9,
                },
                "callout:5:closed:9",
            ),
            (
                OutboxKey::CalloutTally { callout: 5, seq: 2 },
                "callout:5:tally:2",
            ),
            (OutboxKey::DriveCancelled { drive: 4 }, "drive-cancelled:4"),
            (OutboxKey::SignupReleased { drive: 4 }, "signup-released:4"),
            (
                OutboxKey::DriveChanged {
                    drive: 4,
                    starts_at: 10,
                    at: 20,
                },
                "drive-changed:4:10:20",
            ),
            (
                OutboxKey::RoleChanged {
                    role: Role::Leader,
                    grant: true,
                    at: 20,
                },
                "role:leader:true:20",
            ),
            (
                OutboxKey::StockAlert {
                    group: "O-",
                    day,
                    donor: 9,
                },
                "stock:O-:2026-12-02:9",
            ),
            (
                OutboxKey::EligibleAgain { donor: 9, day },
                "again:9:2026-12-02",
            ),
            (OutboxKey::CampaignAnnounce { campaign: 2 }, "campaign:2"),
            (OutboxKey::Honours { year: 2026 }, "honours:2026"),
            (
                OutboxKey::Job { key: &job_key },
                "job:remind:7:1d@19:00:1700000000000",
            ),
        ];
        for (key, text) in cases {
            assert_eq!(key.to_string(), text);
        }
        assert_eq!(JobKey::Thanks { donation: 8 }.to_string(), "thanks:8");
    }

    #[test]
    fn a_family_prefix_covers_its_keys_and_no_other_call_out() {
        let asks = KeyFamily::CalloutAsks { callout: 5 }.prefix();
        let ask = OutboxKey::CalloutAsk {
            callout: 5,
            donor: 9,
        };
        assert!(ask.to_string().starts_with(&asks));
        // Call-out 50's asks are not call-out 5's.
        let other = OutboxKey::CalloutAsk {
            callout: 50,
            donor: 9,
        };
        assert!(!other.to_string().starts_with(&asks));
        let tallies = KeyFamily::CalloutTallies { callout: 5 }.prefix();
        let tally = OutboxKey::CalloutTally { callout: 5, seq: 1 };
        assert!(tally.to_string().starts_with(&tallies));
        assert!(!ask.to_string().starts_with(&tallies));
    }
}
