-- The protocol registry (src/protocollo, SPEC §3): registry offices (AOO), their entries numbered
-- gaplessly per AOO and Rome calendar year, the documents' digests, and each entry's history.
-- There is no counter table: the next number is MAX(number) + 1 for (aoo, year), read while holding the
-- AOO's lock (PostgreSQL: an advisory transaction lock; SQLite: the single writer). Entries are never
-- deleted (trigger below), so MAX never goes back and a number is never reused; a rolled-back
-- registration leaves nothing behind, so it never leaves a gap either.
CREATE TABLE aoo (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL,
  admin_code TEXT NOT NULL,                        -- IPA code of the body (CodiceAmministrazione)
  code       TEXT NOT NULL,                        -- IPA code of the AOO (CodiceAOO)
  name       TEXT NOT NULL,
  active     INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  UNIQUE (tenant_id, code)
);

CREATE TABLE protocol_entries (
  id                      TEXT PRIMARY KEY,        -- UUIDv7
  tenant_id               INTEGER NOT NULL,
  aoo_id                  INTEGER NOT NULL REFERENCES aoo(id),
  year                    INTEGER NOT NULL,        -- Rome calendar year of registered_at
  number                  INTEGER NOT NULL CHECK (number >= 1),
  registered_at           TEXT NOT NULL,           -- UTC, "2026-11-23T19:15:00.123Z"
  direction               TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing', 'internal')),
  subject                 TEXT NOT NULL,
  correspondents          TEXT NOT NULL,           -- JSON array
  sender_protocol_number  TEXT,
  sender_protocol_date    TEXT,                    -- YYYY-MM-DD
  classification          TEXT,                    -- titolario class
  fascicolo               TEXT,
  office                  TEXT,
  registered_by           TEXT NOT NULL,
  channel                 TEXT NOT NULL CHECK (channel IN ('online', 'counter', 'pec', 'post', 'email')),
  annulled_at             TEXT,
  annulled_by             TEXT,
  annulment_reason        TEXT,
  annulment_authorisation TEXT,
  UNIQUE (aoo_id, year, number),
  CHECK ((annulled_at IS NULL AND annulled_by IS NULL AND annulment_reason IS NULL
          AND annulment_authorisation IS NULL)
      OR (annulled_at IS NOT NULL AND annulled_by IS NOT NULL AND annulment_reason IS NOT NULL
          AND annulment_authorisation IS NOT NULL))
);
CREATE INDEX protocol_entries_tenant_time ON protocol_entries(tenant_id, registered_at);

CREATE TABLE protocol_documents (
  entry_id  TEXT NOT NULL REFERENCES protocol_entries(id),
  position  INTEGER NOT NULL,                      -- 0 is the primary document when there is one
  role      TEXT NOT NULL CHECK (role IN ('primary', 'attachment')),
  file_name TEXT NOT NULL,
  mime_type TEXT NOT NULL,
  size      INTEGER NOT NULL CHECK (size >= 0),
  sha256    TEXT NOT NULL CHECK (length(sha256) = 64),
  PRIMARY KEY (entry_id, position)
);

CREATE TABLE protocol_history (
  id        INTEGER PRIMARY KEY,
  entry_id  TEXT NOT NULL REFERENCES protocol_entries(id),
  at        TEXT NOT NULL,
  who       TEXT NOT NULL,
  field     TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  kind      TEXT NOT NULL CHECK (kind IN ('edit', 'annulment'))
);
CREATE INDEX protocol_history_entry ON protocol_history(entry_id, id);

-- Mandatory fields never change (DPR 445/2000 art. 53-54): only classification, fascicolo, office and,
-- once, the annulment columns may be updated. Nothing is ever deleted.
CREATE TRIGGER protocol_entries_immutable BEFORE UPDATE ON protocol_entries
WHEN NEW.id IS NOT OLD.id OR NEW.tenant_id IS NOT OLD.tenant_id OR NEW.aoo_id IS NOT OLD.aoo_id
  OR NEW.year IS NOT OLD.year OR NEW.number IS NOT OLD.number
  OR NEW.registered_at IS NOT OLD.registered_at OR NEW.direction IS NOT OLD.direction
  OR NEW.subject IS NOT OLD.subject OR NEW.correspondents IS NOT OLD.correspondents
  OR NEW.sender_protocol_number IS NOT OLD.sender_protocol_number
  OR NEW.sender_protocol_date IS NOT OLD.sender_protocol_date
  OR NEW.registered_by IS NOT OLD.registered_by OR NEW.channel IS NOT OLD.channel
BEGIN
  SELECT RAISE(ABORT, 'protocol_entries: mandatory fields cannot change');
END;
CREATE TRIGGER protocol_entries_annul_once BEFORE UPDATE ON protocol_entries
WHEN OLD.annulled_at IS NOT NULL AND (NEW.annulled_at IS NOT OLD.annulled_at
  OR NEW.annulled_by IS NOT OLD.annulled_by OR NEW.annulment_reason IS NOT OLD.annulment_reason
  OR NEW.annulment_authorisation IS NOT OLD.annulment_authorisation)
BEGIN
  SELECT RAISE(ABORT, 'protocol_entries: already annulled');
END;
CREATE TRIGGER protocol_entries_no_delete BEFORE DELETE ON protocol_entries
BEGIN
  SELECT RAISE(ABORT, 'protocol_entries: entries are never deleted');
END;
CREATE TRIGGER protocol_documents_no_update BEFORE UPDATE ON protocol_documents
BEGIN
  SELECT RAISE(ABORT, 'protocol_documents is append-only');
END;
CREATE TRIGGER protocol_documents_no_delete BEFORE DELETE ON protocol_documents
BEGIN
  SELECT RAISE(ABORT, 'protocol_documents is append-only');
END;
CREATE TRIGGER protocol_history_no_update BEFORE UPDATE ON protocol_history
BEGIN
  SELECT RAISE(ABORT, 'protocol_history is append-only');
END;
CREATE TRIGGER protocol_history_no_delete BEFORE DELETE ON protocol_history
BEGIN
  SELECT RAISE(ABORT, 'protocol_history is append-only');
END;
