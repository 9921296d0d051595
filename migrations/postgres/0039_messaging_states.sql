-- Delivery states and attempts (issue 17; docs/messaging.md "Delivery states"). The outbox's status
-- becomes the state of one table (src/adapters/messaging/state.hpp): queued, sending, delivered,
-- temporary_failure, permanent_failure, cancelled, dead. Old rows: pending → queued (temporary_failure
-- when an attempt failed already), sent → delivered, failed → dead (staff may retry or cancel it).
-- Each message also names the person it is for (their fiscal code, '' when unknown: a code sent to a
-- new address) and its type ('' for the older messages), so that the person sees it in their area.
-- Each delivery attempt is a row of outbox_attempts: channel, start, end, outcome, the other side's id.
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_status_check;
UPDATE outbox SET status = CASE status WHEN 'sent' THEN 'delivered' WHEN 'failed' THEN 'dead'
                                       WHEN 'sending' THEN 'sending'
                                       ELSE CASE WHEN attempts > 0 THEN 'temporary_failure' ELSE 'queued' END END;
ALTER TABLE outbox ALTER COLUMN status SET DEFAULT 'queued';
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('queued', 'sending', 'delivered',
  'temporary_failure', 'permanent_failure', 'cancelled', 'dead'));
ALTER TABLE outbox ADD COLUMN person TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN message_type TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN status_changed_at TEXT;
UPDATE outbox SET status_changed_at = COALESCE(sent_at, created_at);
CREATE INDEX outbox_tenant ON outbox(tenant_id, created_at);
CREATE INDEX outbox_person ON outbox(person, created_at);

CREATE TABLE outbox_attempts (
  id                  BIGSERIAL PRIMARY KEY,
  message_id          TEXT NOT NULL,
  tenant_id           BIGINT NOT NULL,
  attempt             INTEGER NOT NULL,
  channel             TEXT NOT NULL,
  started_at          TEXT NOT NULL,
  finished_at         TEXT,
  outcome             TEXT NOT NULL CHECK (outcome IN ('sending', 'delivered', 'temporary_failure',
                        'permanent_failure', 'interrupted', 'bounced')),
  provider_message_id TEXT,
  error               TEXT,
  UNIQUE (message_id, attempt)
);
CREATE INDEX outbox_attempts_message ON outbox_attempts(tenant_id, message_id);
