-- The hub's digital stamp (issue 15, src/stamp, docs/stamp.md): the registry of every stamped document
-- and of its revocations. A row keeps what the document's 2D code and stamp block print (body, kind,
-- title, date, protocol number), the SHA-256 of the bytes before the stamp, the key that signed and
-- the code's text; never the document itself. Both tables are append-only legal records: a revocation
-- is a row of its own, once per document.
CREATE TABLE stamped_documents (
  token      TEXT PRIMARY KEY CHECK (length(token) = 22),  -- random, base64url: never a guessable number
  tenant_id  BIGINT NOT NULL,
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
  tenant_id   BIGINT NOT NULL,
  revoked_at  TEXT NOT NULL,
  revoked_by  TEXT NOT NULL,                                -- staff id
  reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500)
);

CREATE FUNCTION stamp_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER stamped_documents_append_only BEFORE UPDATE OR DELETE ON stamped_documents
  FOR EACH ROW EXECUTE FUNCTION stamp_refuse_change();
CREATE TRIGGER stamp_revocations_append_only BEFORE UPDATE OR DELETE ON stamp_revocations
  FOR EACH ROW EXECUTE FUNCTION stamp_refuse_change();
CREATE TRIGGER stamped_documents_no_truncate BEFORE TRUNCATE ON stamped_documents
  FOR EACH STATEMENT EXECUTE FUNCTION stamp_refuse_change();
CREATE TRIGGER stamp_revocations_no_truncate BEFORE TRUNCATE ON stamp_revocations
  FOR EACH STATEMENT EXECUTE FUNCTION stamp_refuse_change();
