-- Stored files (src/files): uploads kept per tenant, typed by content (libmagic), with their SHA-256.
-- The id is a random token (32 bytes, URL-safe base64), safe in a link. The bytes are in `content`
-- (storage 'database') or in the files_dir folder at <tenant>/<2 hex>/<sha256> (storage 'directory',
-- content NULL). Rows are never changed or deleted: a document may be a legal record.
CREATE TABLE stored_files (
  id         TEXT PRIMARY KEY CHECK (length(id) = 43),
  tenant_id  BIGINT NOT NULL,
  file_name  TEXT NOT NULL CHECK (length(file_name) > 0),
  mime_type  TEXT NOT NULL,
  size       BIGINT NOT NULL CHECK (size > 0),
  sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
  storage    TEXT NOT NULL CHECK (storage IN ('database', 'directory')),
  content    BYTEA,
  created_at TEXT NOT NULL,                          -- UTC, "2026-11-23T19:15:00Z"
  CHECK ((storage = 'database' AND content IS NOT NULL) OR (storage = 'directory' AND content IS NULL))
);
CREATE INDEX stored_files_tenant_sha256 ON stored_files(tenant_id, sha256);

CREATE FUNCTION stored_files_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'stored_files is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER stored_files_append_only BEFORE UPDATE OR DELETE ON stored_files
  FOR EACH ROW EXECUTE FUNCTION stored_files_refuse_change();
CREATE TRIGGER stored_files_no_truncate BEFORE TRUNCATE ON stored_files
  FOR EACH STATEMENT EXECUTE FUNCTION stored_files_refuse_change();
