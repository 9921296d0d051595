-- Delegations (a person acting for a minor of their family or a business they represent) and the
-- assisted counter (a counter operator serving a citizen who came to a desk).
--
-- Until the population register (ANPR) and the business register (visura camerale) are integrated, a
-- declared relation is `pending` until staff of the body the declarant chose (tenant_id) confirm or
-- reject it. Rows change state; every change is appended to delegation_events, never rewritten.
CREATE TABLE delegations (
  id               TEXT PRIMARY KEY,               -- random, used in URLs
  tenant_id        INTEGER NOT NULL,               -- the body whose staff confirm it
  principal_cf     TEXT NOT NULL,                  -- the person who acts (codice fiscale)
  kind             TEXT NOT NULL CHECK (kind IN ('person', 'business')),
  represented_id   TEXT NOT NULL,                  -- the minor's codice fiscale / the partita IVA
  represented_name TEXT NOT NULL,
  relation         TEXT NOT NULL,                  -- parent, guardian / legale_rappresentante, ...
  state            TEXT NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'confirmed', 'rejected', 'revoked')),
  declared_at      TEXT NOT NULL,
  decided_by       TEXT,                           -- staff account id
  decided_at       TEXT,
  reason           TEXT,
  revoked_at       TEXT
);
CREATE INDEX delegations_principal ON delegations(principal_cf);
CREATE INDEX delegations_queue ON delegations(tenant_id, state);

-- Append-only history of every delegation: who did what, when.
CREATE TABLE delegation_events (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  delegation_id TEXT NOT NULL REFERENCES delegations(id),
  at            TEXT NOT NULL,
  actor_kind    TEXT NOT NULL CHECK (actor_kind IN ('person', 'staff', 'system')),
  actor_id      TEXT NOT NULL,
  channel       TEXT NOT NULL DEFAULT 'web',
  event         TEXT NOT NULL,                     -- declared, confirmed, rejected, revoked
  state         TEXT NOT NULL,                     -- the state after the event
  reason        TEXT
);
CREATE INDEX delegation_events_delegation ON delegation_events(delegation_id, id);
CREATE TRIGGER delegation_events_no_update BEFORE UPDATE ON delegation_events
BEGIN
  SELECT RAISE(ABORT, 'delegation_events is append-only');
END;
CREATE TRIGGER delegation_events_no_delete BEFORE DELETE ON delegation_events
BEGIN
  SELECT RAISE(ABORT, 'delegation_events is append-only');
END;

-- Assisted counter sessions: which operator (of which body) served which citizen, identified how.
CREATE TABLE assisted_sessions (
  id                TEXT PRIMARY KEY,              -- random, used in the receipt's URL
  counter_tenant_id INTEGER NOT NULL,              -- the operator's body
  operator_id       TEXT NOT NULL,                 -- staff account id
  operator_name     TEXT NOT NULL DEFAULT '',
  staff_session_id  TEXT NOT NULL,                 -- the operator's sign-in session (public id)
  citizen_cf        TEXT NOT NULL,
  citizen_name      TEXT NOT NULL,
  document_type     TEXT NOT NULL CHECK (document_type IN ('carta_identita', 'passaporto', 'patente', 'cie')),
  document_number   TEXT NOT NULL,
  started_at        TEXT NOT NULL,                 -- same format as audit_log.at (milliseconds)
  ended_at          TEXT
);
CREATE INDEX assisted_sessions_citizen ON assisted_sessions(citizen_cf);
CREATE INDEX assisted_sessions_operator ON assisted_sessions(operator_id, ended_at);
