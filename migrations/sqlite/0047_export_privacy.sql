-- Leaving the hub and data protection (issue 18; src/export, src/privacy; docs/export.md, docs/privacy.md).
--
-- export_runs: each export of a body's data (CLI or the back office's job): who asked, where it was
-- written, the manifest's SHA-256 and the counts. The export is also in the body's audit chain.
CREATE TABLE export_runs (
  id              TEXT PRIMARY KEY,                 -- random, in the back office's URLs
  tenant_id       INTEGER NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  requested_by    TEXT NOT NULL,                    -- staff account id, or "system:cli"
  requested_at    TEXT NOT NULL,
  finished_at     TEXT,
  out_dir         TEXT NOT NULL DEFAULT '',
  manifest_sha256 TEXT NOT NULL DEFAULT '',
  counts          TEXT NOT NULL DEFAULT '{}',       -- JSON: rows per table, files, bytes
  error           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX export_runs_tenant ON export_runs(tenant_id, requested_at);

-- A body's leaving: a separate, explicit step after an export (never part of it). The body stops being
-- served; the legal records stay for as long as the law says (docs/export.md).
CREATE TABLE body_departures (
  tenant_id       INTEGER PRIMARY KEY,
  left_at         TEXT NOT NULL,
  left_by         TEXT NOT NULL,
  export_id       TEXT NOT NULL,                    -- the export handed over (export_runs.id)
  manifest_sha256 TEXT NOT NULL,
  reason          TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER body_departures_no_update BEFORE UPDATE ON body_departures
BEGIN
  SELECT RAISE(ABORT, 'body_departures is append-only');
END;
CREATE TRIGGER body_departures_no_delete BEFORE DELETE ON body_departures
BEGIN
  SELECT RAISE(ABORT, 'body_departures is append-only');
END;

-- The records of processing activities (GDPR art. 30) a body keeps as controller: the hub's text per
-- activity comes from data/privacy/processing.json; a body's changes are versions (the newest in force).
CREATE TABLE privacy_processing_records (
  tenant_id  INTEGER NOT NULL,
  activity   TEXT NOT NULL,                       -- the activity's code in data/privacy/processing.json
  version    INTEGER NOT NULL CHECK (version >= 1),
  fields     TEXT NOT NULL,                       -- JSON object: the fields the body changed
  saved_by   TEXT NOT NULL,
  saved_at   TEXT NOT NULL,
  PRIMARY KEY (tenant_id, activity, version)
);
CREATE TRIGGER privacy_processing_records_no_update BEFORE UPDATE ON privacy_processing_records
BEGIN
  SELECT RAISE(ABORT, 'privacy_processing_records is append-only');
END;
