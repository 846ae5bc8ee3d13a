-- The delivery health counts the platforms' 429s ("too many requests") apart from other
-- retries (issue 18): a 429 does not count as an attempt, so it was invisible. Each row
-- counts the 429s it was answered with; the index of finished rows holds the column, so the
-- last hour is still counted from the index alone.
ALTER TABLE outbox ADD COLUMN throttled INTEGER NOT NULL DEFAULT 0;
DROP INDEX outbox_finished;
CREATE INDEX outbox_finished ON outbox (finished_at, lane, status, attempts, throttled)
    WHERE finished_at IS NOT NULL;
