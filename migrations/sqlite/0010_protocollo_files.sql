-- Where a registered document's bytes are kept (the file store, src/files), and the idempotency keys of
-- API registrations. Both are append-only: a registered document never changes, and a key, once used,
-- always names the same entry.
CREATE TABLE protocol_document_files (
  tenant_id INTEGER NOT NULL,
  entry_id  TEXT NOT NULL REFERENCES protocol_entries(id),
  position  INTEGER NOT NULL,
  file_id   TEXT NOT NULL,                         -- stored_files.id of the same tenant
  PRIMARY KEY (entry_id, position)
);

CREATE TABLE protocol_idempotency (
  tenant_id      INTEGER NOT NULL,
  idem_key       TEXT NOT NULL,                    -- the client's Idempotency-Key header
  request_sha256 TEXT NOT NULL,                    -- digest of the request it first came with
  entry_id       TEXT NOT NULL REFERENCES protocol_entries(id),
  created_at     TEXT NOT NULL,
  PRIMARY KEY (tenant_id, idem_key)
);

CREATE TRIGGER protocol_document_files_no_update BEFORE UPDATE ON protocol_document_files
BEGIN
  SELECT RAISE(ABORT, 'protocol_document_files is append-only');
END;
CREATE TRIGGER protocol_document_files_no_delete BEFORE DELETE ON protocol_document_files
BEGIN
  SELECT RAISE(ABORT, 'protocol_document_files is append-only');
END;
CREATE TRIGGER protocol_idempotency_no_update BEFORE UPDATE ON protocol_idempotency
BEGIN
  SELECT RAISE(ABORT, 'protocol_idempotency is append-only');
END;
