-- Protocol messages between registry offices (AgID 2021 interoperability; docs/protocollo-interop.md).
-- One row per message as one office sees it: an outgoing entry sent to an office ('out'), or a message
-- that arrived for one of the body's offices ('in'). A message exchanged between two members of the hub
-- has a row on each side, each in its own tenant, linked by peer_message_id. Legal records: rows of
-- all three tables are never changed nor deleted; what happens later (registration, receipt
-- confirmation, exception notice, annulment) is a new event row.
CREATE TABLE protocol_messages (
  id              TEXT PRIMARY KEY,          -- UUIDv7
  tenant_id       BIGINT NOT NULL,
  aoo_id          BIGINT NOT NULL REFERENCES aoo(id),
  direction       TEXT NOT NULL CHECK (direction IN ('out', 'in')),
  channel         TEXT NOT NULL CHECK (channel IN ('hub', 'pec', 'soap')),
  entry_id        TEXT REFERENCES protocol_entries(id),  -- out: the entry sent; in: NULL (see events)
  peer_admin_code TEXT NOT NULL,             -- the other office's IPA codes and name
  peer_aoo_code   TEXT NOT NULL,
  peer_name       TEXT NOT NULL,
  peer_message_id TEXT,                      -- hub: the other side's row (another tenant's)
  sender_number   TEXT NOT NULL,             -- the segnatura's Identificatore: the sender's registration
  sender_date     TEXT NOT NULL,
  subject         TEXT NOT NULL,
  segnatura       TEXT NOT NULL,             -- the signed segnatura, as sent or as received
  signer          TEXT,                      -- in: the verified certificate's subject
  check_code      TEXT,                      -- in: NULL when every check passed, else the refusal's code
  check_detail    TEXT,
  created_at      TEXT NOT NULL
);
CREATE INDEX protocol_messages_tenant ON protocol_messages(tenant_id, direction, created_at);
CREATE INDEX protocol_messages_entry ON protocol_messages(entry_id);
CREATE UNIQUE INDEX protocol_messages_sent_once ON protocol_messages(entry_id, peer_aoo_code, peer_admin_code)
  WHERE direction = 'out';

CREATE TABLE protocol_message_files (
  message_id TEXT NOT NULL REFERENCES protocol_messages(id),
  position   INTEGER NOT NULL,               -- 0: the primary document
  role       TEXT NOT NULL CHECK (role IN ('primary', 'attachment')),
  file_name  TEXT NOT NULL,
  mime_type  TEXT NOT NULL,
  size       BIGINT NOT NULL,
  sha256     TEXT NOT NULL,                  -- the digest the segnatura declares
  file_id    TEXT,                           -- in: the bytes received, in the receiving tenant's store
  PRIMARY KEY (message_id, position)
);

CREATE TABLE protocol_message_events (
  id         BIGSERIAL PRIMARY KEY,
  message_id TEXT NOT NULL REFERENCES protocol_messages(id),
  tenant_id  BIGINT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('registered', 'confirmation', 'exception', 'annulment')),
  direction  TEXT NOT NULL CHECK (direction IN ('out', 'in')),  -- sent by this office, or received
  entry_id   TEXT REFERENCES protocol_entries(id),  -- registered: the incoming entry made from the message
  number     TEXT,                           -- confirmation/annulment: the registration it names
  reg_date   TEXT,
  reason     TEXT,                           -- exception, annulment: Motivo
  act        TEXT,                           -- annulment: Provvedimento
  xml        TEXT,                           -- the service message (pec_message.xsd), when one travelled
  by_actor   TEXT NOT NULL,
  at         TEXT NOT NULL
);
CREATE INDEX protocol_message_events_message ON protocol_message_events(message_id, id);
CREATE INDEX protocol_message_events_entry ON protocol_message_events(entry_id);
-- A message is registered once.
CREATE UNIQUE INDEX protocol_message_events_registered_once ON protocol_message_events(message_id)
  WHERE kind = 'registered';

CREATE FUNCTION protocol_messages_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%: legal record, never changed nor deleted', TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER protocol_messages_fixed BEFORE UPDATE OR DELETE ON protocol_messages
  FOR EACH ROW EXECUTE FUNCTION protocol_messages_append_only();
CREATE TRIGGER protocol_message_files_fixed BEFORE UPDATE OR DELETE ON protocol_message_files
  FOR EACH ROW EXECUTE FUNCTION protocol_messages_append_only();
CREATE TRIGGER protocol_message_events_fixed BEFORE UPDATE OR DELETE ON protocol_message_events
  FOR EACH ROW EXECUTE FUNCTION protocol_messages_append_only();
