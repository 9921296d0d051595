-- ANPR's change notifications (service 4005 richieste_asincrone) applied to the register mirror
-- (docs/anagrafe.md, "Kept current from ANPR"). Both tables are append-only (triggers below).

-- One poll of ANPR for a body: the period asked (local time, inclusive) and what came of it. The next
-- poll starts where the latest one ended.
CREATE TABLE anagrafe_anpr_polls (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL,
  period_from  TEXT NOT NULL,                     -- YYYY-MM-DDTHH:MM:SS, Europe/Rome
  period_to    TEXT NOT NULL,
  received     INTEGER NOT NULL,                  -- notifications in ANPR's answer
  applied      INTEGER NOT NULL,                  -- new versions
  known        INTEGER NOT NULL,                  -- already applied (same ANPR id) or version already kept
  refused      INTEGER NOT NULL,
  import_id    INTEGER,                           -- the import run that applied them (none when nothing new)
  created_at   TEXT NOT NULL
);
CREATE INDEX anagrafe_anpr_polls_tenant ON anagrafe_anpr_polls(tenant_id, id);

-- Each notification once per body, by ANPR's operation id: received again, it is skipped.
CREATE TABLE anagrafe_anpr_notifications (
  tenant_id         INTEGER NOT NULL,
  anpr_operation_id TEXT NOT NULL,
  operation         TEXT NOT NULL,                -- tipoOperazione (the ANPR service that made the change)
  codice_fiscale    TEXT NOT NULL,                -- '' when unreadable
  outcome           TEXT NOT NULL CHECK (outcome IN ('applied', 'refused')),
  reason            TEXT NOT NULL,                -- the refusal's code (anagrafe.row.*, anagrafe.notification.*)
  poll_id           INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, anpr_operation_id)
);
CREATE TRIGGER anagrafe_anpr_polls_no_update BEFORE UPDATE ON anagrafe_anpr_polls
BEGIN
  SELECT RAISE(ABORT, 'anagrafe_anpr_polls is append-only');
END;
CREATE TRIGGER anagrafe_anpr_polls_no_delete BEFORE DELETE ON anagrafe_anpr_polls
BEGIN
  SELECT RAISE(ABORT, 'anagrafe_anpr_polls is append-only');
END;
CREATE TRIGGER anagrafe_anpr_notifications_no_update BEFORE UPDATE ON anagrafe_anpr_notifications
BEGIN
  SELECT RAISE(ABORT, 'anagrafe_anpr_notifications is append-only');
END;
CREATE TRIGGER anagrafe_anpr_notifications_no_delete BEFORE DELETE ON anagrafe_anpr_notifications
BEGIN
  SELECT RAISE(ABORT, 'anagrafe_anpr_notifications is append-only');
END;
