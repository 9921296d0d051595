-- The assisted counter checks the citizen's identity on a document (issue 11, point 4): surname and name
-- apart (the codice fiscale's 3+3 letters are checked against them), sex and birth date (checked against
-- the code), the document's expiry (an expired document is refused), and a number people can read on the
-- counter receipt ("SA-2026-000042": per counter body and Rome year). Sessions opened before this
-- migration keep citizen_name only; their number stays 0 and the receipt shows the old id.
ALTER TABLE assisted_sessions ADD COLUMN family_name TEXT NOT NULL DEFAULT '';
ALTER TABLE assisted_sessions ADD COLUMN given_name TEXT NOT NULL DEFAULT '';
ALTER TABLE assisted_sessions ADD COLUMN sex TEXT NOT NULL DEFAULT '';
ALTER TABLE assisted_sessions ADD COLUMN birth_date TEXT NOT NULL DEFAULT '';
ALTER TABLE assisted_sessions ADD COLUMN document_expiry TEXT NOT NULL DEFAULT '';
ALTER TABLE assisted_sessions ADD COLUMN number_year INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assisted_sessions ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX assisted_sessions_number ON assisted_sessions(counter_tenant_id, number_year, number)
  WHERE number > 0;
