-- The hub's digital stamp (issue 15, src/stamp, docs/stamp.md): the registry of every stamped document
-- and of its revocations. A row keeps what the document's 2D code and stamp block print (body, kind,
-- title, date, protocol number), the SHA-256 of the bytes before the stamp, the key that signed and
-- the code's text; never the document itself. Both tables are append-only legal records: a revocation
-- is a row of its own, once per document.
CREATE TABLE stamped_documents (
  token      TEXT PRIMARY KEY CHECK (length(token) = 22),  -- random, base64url: never a guessable number
  tenant_id  INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  title      TEXT NOT NULL,
  protocol   TEXT NOT NULL DEFAULT '',
  issued_at  TEXT NOT NULL,                                -- UTC, whole seconds (as in the code)
  digest     TEXT NOT NULL CHECK (length(digest) = 64),     -- SHA-256 hex of the bytes before the stamp
  key_id     TEXT NOT NULL,
  payload    TEXT NOT NULL,                                 -- the 2D code's text (stamp/model.hpp)
  issued_by  TEXT NOT NULL                                  -- staff id, codice fiscale, or "system"
);
CREATE INDEX stamped_documents_tenant ON stamped_documents(tenant_id, issued_at);

CREATE TABLE stamp_revocations (
  token       TEXT PRIMARY KEY REFERENCES stamped_documents(token),
  tenant_id   INTEGER NOT NULL,
  revoked_at  TEXT NOT NULL,
  revoked_by  TEXT NOT NULL,                                -- staff id
  reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500)
);

CREATE TRIGGER stamped_documents_no_update BEFORE UPDATE ON stamped_documents
BEGIN
  SELECT RAISE(ABORT, 'stamped_documents is append-only');
END;
CREATE TRIGGER stamped_documents_no_delete BEFORE DELETE ON stamped_documents
BEGIN
  SELECT RAISE(ABORT, 'stamped_documents is append-only');
END;
CREATE TRIGGER stamp_revocations_no_update BEFORE UPDATE ON stamp_revocations
BEGIN
  SELECT RAISE(ABORT, 'stamp_revocations is append-only');
END;
CREATE TRIGGER stamp_revocations_no_delete BEFORE DELETE ON stamp_revocations
BEGIN
  SELECT RAISE(ABORT, 'stamp_revocations is append-only');
END;
