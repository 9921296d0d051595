-- The population register mirror (src/anagrafe, docs/anagrafe.md; the file format is
-- docs/population-format.md). Every version of every person is kept: a row is never changed or removed
-- (the triggers below), and a person's state on a day is the version with the latest data_variazione not
-- after it. Values are kept as the format carries them: text, '' when absent.

-- A body's street list as its register knows it (stradario), filled by the imports: every street a
-- person lives on is here. (The forms' street list, body_streets, is the one address fields suggest.)
CREATE TABLE anagrafe_streets (
  tenant_id     INTEGER NOT NULL,
  specie        TEXT NOT NULL,                      -- VIA, CORSO, PIAZZA ...
  denominazione TEXT NOT NULL,                      -- ROMA
  import_id     INTEGER NOT NULL,                     -- the import that added it
  PRIMARY KEY (tenant_id, specie, denominazione)
);

-- One run of an import (the file, who, when, what it did); finished_at stays NULL when the process
-- stopped halfway (what its committed batches brought is kept: each version whole or absent).
CREATE TABLE anagrafe_imports (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL,
  file_name   TEXT NOT NULL,
  format      TEXT NOT NULL CHECK (format IN ('csv', 'jsonl')),
  actor       TEXT NOT NULL,                        -- staff id, or the system actor (cli-import, demo)
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  rows_read   INTEGER NOT NULL DEFAULT 0,
  inserted    INTEGER NOT NULL DEFAULT 0,
  unchanged   INTEGER NOT NULL DEFAULT 0,
  errors      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX anagrafe_imports_tenant ON anagrafe_imports(tenant_id, id);

-- The rows an import refused (the first 1000 of each run): line, code and reason (error.<code>).
CREATE TABLE anagrafe_import_errors (
  import_id      INTEGER NOT NULL,
  line           INTEGER NOT NULL,
  codice_fiscale TEXT NOT NULL,
  code           TEXT NOT NULL,
  detail         TEXT NOT NULL,
  PRIMARY KEY (import_id, line)
);

CREATE TABLE anagrafe_versions (
  tenant_id            INTEGER NOT NULL,
  codice_fiscale       TEXT NOT NULL,
  data_variazione      TEXT NOT NULL,               -- YYYY-MM-DD: the day this version takes effect
  cognome              TEXT NOT NULL,
  nome                 TEXT NOT NULL,
  sesso                TEXT NOT NULL CHECK (sesso IN ('M', 'F')),
  data_nascita         TEXT NOT NULL,
  comune_nascita_istat TEXT NOT NULL,
  luogo_nascita        TEXT NOT NULL,
  stato_nascita        TEXT NOT NULL,
  cittadinanza         TEXT NOT NULL,
  comune_istat         TEXT NOT NULL,
  id_famiglia          TEXT NOT NULL,
  relazione_parentela  TEXT NOT NULL,               -- ANPR table 5 (1 head, 2 spouse, 3 child ...)
  specie_via           TEXT NOT NULL,               -- with denominazione_via: a street of anagrafe_streets
  denominazione_via    TEXT NOT NULL,
  civico               TEXT NOT NULL,
  esponente            TEXT NOT NULL,
  interno              TEXT NOT NULL,
  cap                  TEXT NOT NULL,
  stato_civile         TEXT NOT NULL,
  data_iscrizione      TEXT NOT NULL,
  data_cancellazione   TEXT NOT NULL,
  motivo_cancellazione TEXT NOT NULL,
  data_decesso         TEXT NOT NULL,
  certificabilita      TEXT NOT NULL,               -- ANPR table 42
  content_hash         TEXT NOT NULL,               -- SHA-256 of the values: a line loaded twice is known
  import_id            INTEGER NOT NULL,              -- the import that brought it
  PRIMARY KEY (tenant_id, codice_fiscale, data_variazione)
);
CREATE INDEX anagrafe_versions_household ON anagrafe_versions(tenant_id, id_famiglia);
CREATE INDEX anagrafe_versions_person ON anagrafe_versions(codice_fiscale);
CREATE TRIGGER anagrafe_versions_no_update BEFORE UPDATE ON anagrafe_versions
BEGIN
  SELECT RAISE(ABORT, 'anagrafe_versions is append-only');
END;
CREATE TRIGGER anagrafe_versions_no_delete BEFORE DELETE ON anagrafe_versions
BEGIN
  SELECT RAISE(ABORT, 'anagrafe_versions is append-only');
END;
