-- Zalo's 2026 rules (issue 19). Free-form proactive messages to OA followers are gone:
-- consultation messages go within 7 days of the person's last interaction (free within
-- 48 h, billed after), and anything else goes as a paid template message (ZNS) to the
-- person's phone. The "8 free replies per 48 h" counter and the monthly proactive quota
-- are replaced by the window, read from channel_identities.last_seen_at.

-- How a Zalo OA row went ('oa', 'oa_billed', 'zns'), what it cost, and when the platform's
-- receipt (user_received_message, by tracking id) confirmed it.
ALTER TABLE outbox ADD COLUMN route TEXT;
ALTER TABLE outbox ADD COLUMN cost_vnd INTEGER;
ALTER TABLE outbox ADD COLUMN delivered_at INTEGER;
CREATE INDEX outbox_unconfirmed ON outbox (finished_at)
    WHERE route = 'zns' AND status = 'sent' AND delivered_at IS NULL;

-- Spend per month ('YYYY-MM', configured time zone) and class: 'zns_bulk' (within the
-- monthly budget), 'zns_urgent' (up to its own cap), 'oa_billed' (consultation messages
-- between 48 h and 7 days, counted). A send reserves its price before it goes, in one
-- conditional statement, and gives it back if the platform refused it.
CREATE TABLE zalo_spend (
    month     TEXT NOT NULL,
    class     TEXT NOT NULL,
    sent      INTEGER NOT NULL,
    spent_vnd INTEGER NOT NULL,
    PRIMARY KEY (month, class)
);

-- The daily template quota as the API last reported it.
CREATE TABLE zns_quota (
    app_id     TEXT PRIMARY KEY,
    daily      INTEGER,
    remaining  INTEGER,
    updated_at INTEGER NOT NULL
);

-- The donor's phone cannot receive template messages (invalid, not on Zalo, opted out):
-- no template is sent to it again.
ALTER TABLE donors ADD COLUMN zns_refused_at INTEGER;

-- The consent text now names Zalo notifications by phone (version 2026-12-v2). A donor who
-- agreed to an older text is asked once, at their next message; whatever the answer, they
-- are not asked again. Agreeing adds a consent record for the new version.
ALTER TABLE donors ADD COLUMN consent_renewal_asked INTEGER NOT NULL DEFAULT 0;

DROP TABLE quota_usage;
ALTER TABLE channel_identities DROP COLUMN sent_since_inbound;
