-- Protocol messages with administrations outside the hub, by PEC (docs/protocollo-interop.md).
-- peer_address: the other office's PEC address (out: where the message went; in: where it came from and
-- where ConfermaRicezione / NotificaEccezione go back). "" for the exchange between members of the hub.
ALTER TABLE protocol_messages ADD COLUMN peer_address TEXT NOT NULL DEFAULT '';

-- Every message read from a body's PEC mailbox by the protocol-message reader (by its UIDL), with what it
-- was: a protocol message (the received row), a service message applied to one of ours, or why it was
-- not used. Written in the transaction that records what the message caused, so a reader killed halfway
-- reads it again and records it once.
CREATE TABLE protocol_pec_seen (
  tenant_id  BIGINT NOT NULL,
  mailbox    TEXT NOT NULL,
  uid        TEXT NOT NULL,
  outcome    TEXT NOT NULL,   -- message, confirmation, exception, annulment, receipt, ignored, refused:<code>
  message_id TEXT,            -- the protocol message it recorded or applied to
  seen_at    TEXT NOT NULL,
  PRIMARY KEY (tenant_id, mailbox, uid)
);
