-- A body's export as one archive to download (docs/export.md, "Downloading the archive"), issue 18: the
-- export job writes <folder>.tar next to the folder and records its size and SHA-256 on the run; a
-- download goes through a link that works once, within its minutes, for the staff allowed the body's
-- exports. The link's token is random and only its SHA-256 is kept.
ALTER TABLE export_runs ADD COLUMN archive_size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE export_runs ADD COLUMN archive_sha256 TEXT NOT NULL DEFAULT '';

CREATE TABLE export_links (
  token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
  run_id     TEXT NOT NULL REFERENCES export_runs(id),
  tenant_id  INTEGER NOT NULL,                            -- the exported body
  created_by TEXT NOT NULL,                            -- staff account id
  created_at TEXT NOT NULL,                            -- UTC
  expires_at TEXT NOT NULL,                            -- UTC
  used_at    TEXT,                                     -- set once, by the one download it allows
  used_by    TEXT
);
CREATE INDEX export_links_run ON export_links(run_id);

-- A body's own retention periods (docs/privacy.md, "A body's own periods"), issue 18: for its drafts, its
-- messages and its register mirror's history, between the legal minimum and the hub's maximum; NULL
-- follows the hub's period. The purge job (privacy.purge) reads them; legal records have no period here.
CREATE TABLE body_retention (
  tenant_id             INTEGER PRIMARY KEY REFERENCES bodies(id),
  drafts_days           INTEGER CHECK (drafts_days IS NULL OR drafts_days >= 1),
  messages_days         INTEGER CHECK (messages_days IS NULL OR messages_days >= 30),
  register_history_days INTEGER CHECK (register_history_days IS NULL OR register_history_days >= 365),
  updated_at            TEXT NOT NULL,                 -- UTC
  updated_by            TEXT NOT NULL                  -- "staff:<subject>"
);

-- ISTAT's list of comuni as dated data (docs/hub.md, "ISTAT's list of comuni"), issue 18: loaded by
-- `sportello comuni import FILE` from ISTAT's published CSV ("Elenco comuni italiani"); onboarding checks
-- a comune's ISTAT and cadastral codes against it when one is loaded. Each import replaces the list and
-- is recorded in istat_comuni_imports with the date the list is valid at and the file's SHA-256.
CREATE TABLE istat_comuni (
  istat_code    TEXT PRIMARY KEY CHECK (length(istat_code) = 6),
  belfiore_code TEXT NOT NULL CHECK (length(belfiore_code) = 4),
  name          TEXT NOT NULL,
  province      TEXT NOT NULL                         -- the car-plate abbreviation ("AT")
);
CREATE TABLE istat_comuni_imports (
  id          INTEGER PRIMARY KEY,
  as_of       TEXT NOT NULL,                          -- YYYY-MM-DD: the date the list is valid at
  imported_at TEXT NOT NULL,                          -- UTC
  row_count   INTEGER NOT NULL,
  sha256      TEXT NOT NULL CHECK (length(sha256) = 64)
);
