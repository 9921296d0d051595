-- App IO as an outbox channel (src/adapters/appio, docs/messaging.md "App IO"): the channel 'appio'
-- (recipient: a fiscal code), the e-mail address to fall back to when the person is not on IO or has
-- opted out, IO's options (due date, pagoPA notice) as JSON, and what the delivery did: the channel that
-- carried the message in the end and the other side's id (IO's message id), recorded in the transaction
-- that marks the message sent.
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_channel_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_channel_check CHECK (channel IN ('email', 'sms', 'pec', 'appio'));
ALTER TABLE outbox ADD COLUMN fallback_recipient TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN options TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN delivered_channel TEXT;
ALTER TABLE outbox ADD COLUMN provider_message_id TEXT;
