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
ALTER TABLE outbox ADD COLUMN fallbacks TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN fallback_of TEXT;
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

-- A person's certified e-mail (PEC), entered and verified by a code like the e-mail (issue 17: the
-- national registries INAD/INI-PEC are for later). Codes for it in contact_verifications.
ALTER TABLE persons ADD COLUMN pec TEXT;
ALTER TABLE persons ADD COLUMN pec_verified_at TEXT;
ALTER TABLE contact_verifications DROP CONSTRAINT IF EXISTS contact_verifications_channel_check;
ALTER TABLE contact_verifications ADD CONSTRAINT contact_verifications_channel_check
  CHECK (channel IN ('email', 'sms', 'pec'));

-- Per person and message type, the channel they chose (src/messaging: the rules for legal notices and
-- reminders, the fallback order). No row: the default for the type.
CREATE TABLE message_preferences (
  fiscal_code  TEXT NOT NULL REFERENCES persons(fiscal_code),
  message_type TEXT NOT NULL,
  channel      TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'pec', 'appio')),
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (fiscal_code, message_type)
);

-- A body's own text for a message type, per language (src/messaging/templates: placeholders checked
-- when saved). No row: the hub's text from the locales.
CREATE TABLE message_templates (
  tenant_id    BIGINT NOT NULL,
  message_type TEXT NOT NULL,
  lang         TEXT NOT NULL CHECK (lang IN ('it', 'en')),
  subject      TEXT NOT NULL,
  body         TEXT NOT NULL,
  sms          TEXT NOT NULL,
  version      INTEGER NOT NULL DEFAULT 1,
  updated_at   TEXT NOT NULL,
  updated_by   TEXT NOT NULL,
  PRIMARY KEY (tenant_id, message_type, lang)
);
