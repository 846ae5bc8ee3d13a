-- When a row was withdrawn while an instance was sending it (the call-out it asks for
-- closed, its broadcast stopped, its donor paused): the platform may have it, so it stays
-- 'sending'; but if its instance dies and the row is taken over (or settled at the next
-- start), it is cancelled instead of being sent again late (issue 32).
ALTER TABLE outbox ADD COLUMN withdrawn_at INTEGER;
