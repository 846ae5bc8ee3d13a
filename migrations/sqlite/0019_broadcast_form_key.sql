-- A broadcast sent from the dashboard carries its form's one-time key (issue 18): Send
-- pressed twice, or the form posted again after an answer was lost, finds the broadcast the
-- first press made instead of sending it a second time.
ALTER TABLE broadcasts ADD COLUMN form_key TEXT;
CREATE UNIQUE INDEX broadcasts_form_key ON broadcasts (form_key) WHERE form_key IS NOT NULL;
