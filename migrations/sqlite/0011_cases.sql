-- Cases (src/cases, SPEC §8, L. 241/1990): each application submitted online, registered in the protocol
-- in the same transaction as it is created, with its legal deadline, state, office and assignee; the
-- history of its transitions, the messages with the applicant, the office's internal notes and its
-- documents. Transitions, messages, notes and documents are append-only; cases are never deleted and
-- what was submitted (applicant, answers, time, key) never changes.
CREATE TABLE cases (
  id                  TEXT PRIMARY KEY,            -- UUIDv7
  tenant_id           INTEGER NOT NULL,
  service_code        TEXT NOT NULL,
  title               TEXT NOT NULL,
  form_code           TEXT NOT NULL,
  form_version        INTEGER NOT NULL,
  applicant_cf        TEXT NOT NULL,
  applicant_name      TEXT NOT NULL,
  on_behalf_of        TEXT,                        -- delegation: whom the applicant acts for
  on_behalf_of_name   TEXT,
  channel             TEXT NOT NULL CHECK (channel IN ('online', 'counter')),
  answers             TEXT NOT NULL,               -- JSON object (typed answers)
  state               TEXT NOT NULL CHECK (state IN ('submitted', 'registered', 'assigned', 'in_progress',
                        'waiting_for_applicant', 'grounds_notified', 'accepted', 'rejected', 'withdrawn',
                        'closed')),
  office              TEXT,
  assignee            TEXT,
  protocol_entry_id   TEXT,
  protocol_year       INTEGER,
  protocol_number     INTEGER,
  submitted_at        TEXT NOT NULL,               -- UTC ISO
  deadline_days       INTEGER NOT NULL CHECK (deadline_days >= 0),
  due_date            TEXT NOT NULL,               -- YYYY-MM-DD (Rome), ended suspensions included
  suspended_days      INTEGER NOT NULL DEFAULT 0 CHECK (suspended_days >= 0),
  suspended_since     TEXT,                        -- YYYY-MM-DD (Rome) while waiting for the applicant
  grounds_notified_on TEXT,                        -- art. 10-bis notice, YYYY-MM-DD (Rome)
  grounds_answered_on TEXT,
  silence_consent     INTEGER NOT NULL DEFAULT 0,
  fee_cents_due       INTEGER CHECK (fee_cents_due IS NULL OR fee_cents_due >= 0),
  decided_at          TEXT,
  submission_key      TEXT NOT NULL,
  version             INTEGER NOT NULL DEFAULT 1,
  UNIQUE (tenant_id, applicant_cf, submission_key)
);
CREATE INDEX cases_queue ON cases(tenant_id, state, due_date);
CREATE INDEX cases_applicant ON cases(applicant_cf, submitted_at);
CREATE INDEX cases_on_behalf_of ON cases(on_behalf_of, submitted_at);

CREATE TABLE case_transitions (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL,
  case_id    TEXT NOT NULL REFERENCES cases(id),
  from_state TEXT,                                 -- NULL for the creation
  to_state   TEXT NOT NULL,
  action     TEXT NOT NULL,
  who        TEXT NOT NULL,
  at         TEXT NOT NULL,
  reason     TEXT
);
CREATE INDEX case_transitions_case ON case_transitions(case_id, id);

CREATE TABLE case_messages (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL,
  case_id     TEXT NOT NULL REFERENCES cases(id),
  direction   TEXT NOT NULL CHECK (direction IN ('to_applicant', 'from_applicant')),
  kind        TEXT NOT NULL,
  body        TEXT NOT NULL,
  attachments TEXT NOT NULL DEFAULT '[]',          -- JSON array of case document ids
  who         TEXT NOT NULL,
  at          TEXT NOT NULL
);
CREATE INDEX case_messages_case ON case_messages(case_id, id);

-- Internal notes of the office: never shown to the applicant.
CREATE TABLE case_notes (
  id        INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL,
  case_id   TEXT NOT NULL REFERENCES cases(id),
  body      TEXT NOT NULL,
  who       TEXT NOT NULL,
  at        TEXT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id, id);

CREATE TABLE case_documents (
  id                TEXT PRIMARY KEY,              -- random token, safe in a link
  tenant_id         INTEGER NOT NULL,
  case_id           TEXT NOT NULL REFERENCES cases(id),
  file_id           TEXT NOT NULL,                 -- stored_files.id
  kind              TEXT NOT NULL CHECK (kind IN ('application', 'attachment', 'addition', 'decision',
                      'notice')),
  file_name         TEXT NOT NULL,
  mime_type         TEXT NOT NULL,
  size              INTEGER NOT NULL,
  sha256            TEXT NOT NULL,
  protocol_entry_id TEXT,
  protocol_year     INTEGER,
  protocol_number   INTEGER,
  who               TEXT NOT NULL,
  at                TEXT NOT NULL
);
CREATE INDEX case_documents_case ON case_documents(case_id, at);

CREATE TRIGGER cases_no_delete BEFORE DELETE ON cases
BEGIN
  SELECT RAISE(ABORT, 'cases: cases are never deleted');
END;
CREATE TRIGGER cases_submission_immutable BEFORE UPDATE ON cases
WHEN NEW.id IS NOT OLD.id OR NEW.tenant_id IS NOT OLD.tenant_id OR NEW.service_code IS NOT OLD.service_code
  OR NEW.form_code IS NOT OLD.form_code OR NEW.form_version IS NOT OLD.form_version
  OR NEW.applicant_cf IS NOT OLD.applicant_cf OR NEW.on_behalf_of IS NOT OLD.on_behalf_of
  OR NEW.answers IS NOT OLD.answers OR NEW.submitted_at IS NOT OLD.submitted_at
  OR NEW.submission_key IS NOT OLD.submission_key
  OR (OLD.protocol_entry_id IS NOT NULL AND NEW.protocol_entry_id IS NOT OLD.protocol_entry_id)
BEGIN
  SELECT RAISE(ABORT, 'cases: what was submitted cannot change');
END;
CREATE TRIGGER case_transitions_no_update BEFORE UPDATE ON case_transitions
BEGIN
  SELECT RAISE(ABORT, 'case_transitions is append-only');
END;
CREATE TRIGGER case_transitions_no_delete BEFORE DELETE ON case_transitions
BEGIN
  SELECT RAISE(ABORT, 'case_transitions is append-only');
END;
CREATE TRIGGER case_messages_no_update BEFORE UPDATE ON case_messages
BEGIN
  SELECT RAISE(ABORT, 'case_messages is append-only');
END;
CREATE TRIGGER case_messages_no_delete BEFORE DELETE ON case_messages
BEGIN
  SELECT RAISE(ABORT, 'case_messages is append-only');
END;
CREATE TRIGGER case_notes_no_update BEFORE UPDATE ON case_notes
BEGIN
  SELECT RAISE(ABORT, 'case_notes is append-only');
END;
CREATE TRIGGER case_notes_no_delete BEFORE DELETE ON case_notes
BEGIN
  SELECT RAISE(ABORT, 'case_notes is append-only');
END;
CREATE TRIGGER case_documents_no_update BEFORE UPDATE ON case_documents
BEGIN
  SELECT RAISE(ABORT, 'case_documents is append-only');
END;
CREATE TRIGGER case_documents_no_delete BEFORE DELETE ON case_documents
BEGIN
  SELECT RAISE(ABORT, 'case_documents is append-only');
END;
