//! What a failure means for whoever called. What a person got wrong is never an error: it is
//! answered (the engine's replies, the parsers' messages, a webhook's 400). What reaches a
//! boundary as an error is one of two things, and the caller's policy depends on which:
//! worth retrying (the database busy or unreachable, a platform that timed out or answered
//! 5xx) or a bug (the same input fails the same way again).

use std::fmt;

#[derive(Debug)]
pub enum Failure {
    /// The same work may succeed later: do not drop it, try it again after a pause.
    Retry(anyhow::Error),
    /// Trying the same input again gives the same failure: set it aside, keep serving others.
    Bug(anyhow::Error),
}

impl Failure {
    /// Which kind of failure `e` is, from the errors in its chain.
    pub fn of(e: anyhow::Error) -> Failure {
        if transient(&e) {
            Failure::Retry(e)
        } else {
            Failure::Bug(e)
        }
    }

    pub fn error(&self) -> &anyhow::Error {
        match self {
            Failure::Retry(e) | Failure::Bug(e) => e,
        }
    }

    pub fn is_retry(&self) -> bool {
        matches!(self, Failure::Retry(_))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Retry(e) => write!(f, "{e:#} (may succeed on a retry)"),
            Failure::Bug(e) => write!(f, "{e:#}"),
        }
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.error().as_ref())
    }
}

/// Whether any error in the chain is one a later try may not meet.
fn transient(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        if let Some(db) = cause.downcast_ref::<sqlx::Error>() {
            return crate::store::is_transient(db);
        }
        if let Some(http) = cause.downcast_ref::<reqwest::Error>() {
            return http.is_timeout()
                || http.is_connect()
                || http.status().is_some_and(|s| s.is_server_error());
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut
                    | std::io::ErrorKind::Interrupted
                    | std::io::ErrorKind::WouldBlock
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionRefused
            );
        }
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn a_busy_or_closed_database_is_worth_retrying_a_bad_statement_is_not() {
        let timed_out = anyhow::Error::new(sqlx::Error::PoolTimedOut).context("reading donors");
        assert!(Failure::of(timed_out).is_retry());
        let closed = anyhow::Error::new(sqlx::Error::PoolClosed);
        assert!(Failure::of(closed).is_retry());
        let io = anyhow::Error::new(sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::TimedOut,
        )));
        assert!(Failure::of(io).is_retry());
        let missing = anyhow::Error::new(sqlx::Error::RowNotFound).context("a donor");
        assert!(!Failure::of(missing).is_retry());
        let decode = anyhow::Error::new(sqlx::Error::ColumnNotFound("lang".into()));
        assert!(!Failure::of(decode).is_retry());
        assert!(!Failure::of(anyhow::anyhow!("engine asked for Erase")).is_retry());
    }

    #[test]
    fn the_cause_is_found_under_context() {
        let e: anyhow::Result<()> = Err(std::io::Error::from(std::io::ErrorKind::TimedOut))
            .context("sending")
            .context("the batch");
        let f = Failure::of(e.unwrap_err());
        assert!(f.is_retry());
        assert!(f.to_string().starts_with("the batch: sending"), "{f}");
    }
}
