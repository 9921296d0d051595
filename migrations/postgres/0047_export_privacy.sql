-- Leaving the hub and data protection (issue 18; src/export, src/privacy; docs/export.md, docs/privacy.md).
-- See migrations/sqlite/0047_export_privacy.sql for the comments.
CREATE TABLE export_runs (
  id              TEXT PRIMARY KEY,
  tenant_id       BIGINT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  requested_by    TEXT NOT NULL,
  requested_at    TEXT NOT NULL,
  finished_at     TEXT,
  out_dir         TEXT NOT NULL DEFAULT '',
  manifest_sha256 TEXT NOT NULL DEFAULT '',
  counts          TEXT NOT NULL DEFAULT '{}',
  error           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX export_runs_tenant ON export_runs(tenant_id, requested_at);

CREATE TABLE body_departures (
  tenant_id       BIGINT PRIMARY KEY,
  left_at         TEXT NOT NULL,
  left_by         TEXT NOT NULL,
  export_id       TEXT NOT NULL,
  manifest_sha256 TEXT NOT NULL,
  reason          TEXT NOT NULL DEFAULT ''
);
CREATE FUNCTION export_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER body_departures_append_only BEFORE UPDATE OR DELETE ON body_departures
  FOR EACH ROW EXECUTE FUNCTION export_refuse_change();

CREATE TABLE privacy_processing_records (
  tenant_id  BIGINT NOT NULL,
  activity   TEXT NOT NULL,
  version    INTEGER NOT NULL CHECK (version >= 1),
  fields     TEXT NOT NULL,
  saved_by   TEXT NOT NULL,
  saved_at   TEXT NOT NULL,
  PRIMARY KEY (tenant_id, activity, version)
);
CREATE TRIGGER privacy_processing_records_append_only BEFORE UPDATE ON privacy_processing_records
  FOR EACH ROW EXECUTE FUNCTION export_refuse_change();
