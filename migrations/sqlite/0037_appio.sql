-- App IO as an outbox channel (src/adapters/appio, docs/messaging.md "App IO"): the channel 'appio'
-- (recipient: a fiscal code), the e-mail address to fall back to when the person is not on IO or has
-- opted out, IO's options (due date, pagoPA notice) as JSON, and what the delivery did: the channel that
-- carried the message in the end and the other side's id (IO's message id), recorded in the transaction
-- that marks the message sent. SQLite cannot change a CHECK: the table is rebuilt.
CREATE TABLE outbox_new (
  id                  TEXT PRIMARY KEY,
  tenant_id           INTEGER NOT NULL DEFAULT 0,
  channel             TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'pec', 'appio')),
  recipient           TEXT NOT NULL,
  subject             TEXT NOT NULL DEFAULT '',
  body                TEXT NOT NULL,
  created_at          TEXT NOT NULL,
  attempts            INTEGER NOT NULL DEFAULT 0,
  next_attempt_at     TEXT NOT NULL,
  sent_at             TEXT,
  last_error          TEXT,
  status              TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  claim               TEXT,
  fallback_recipient  TEXT NOT NULL DEFAULT '',    -- e-mail address; '' = no fallback
  options             TEXT NOT NULL DEFAULT '',    -- JSON: {"due_date", "payment_data"} (appio)
  delivered_channel   TEXT,                        -- the channel that carried it (appio, or email on fallback)
  provider_message_id TEXT                         -- the other side's id (IO's message id)
);
INSERT INTO outbox_new (id, tenant_id, channel, recipient, subject, body, created_at, attempts, next_attempt_at,
                        sent_at, last_error, status, claim)
  SELECT id, tenant_id, channel, recipient, subject, body, created_at, attempts, next_attempt_at, sent_at,
         last_error, status, claim FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
