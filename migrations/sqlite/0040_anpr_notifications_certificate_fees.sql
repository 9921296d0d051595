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

-- Registry certificates (src/certificates, docs/certificates.md). Both tables append-only.
-- A body's diritti di segreteria per certificate kind: each change is a new row, the latest per kind is in
-- force (0 = none). Charged online as the second transfer of the certificate's pagoPA position.
CREATE TABLE certificate_fees (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL,
  kind         TEXT NOT NULL,                     -- certificates::Kind code (stato-famiglia ...)
  amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
  set_by       TEXT NOT NULL,                     -- staff account id
  set_at       TEXT NOT NULL
);
CREATE INDEX certificate_fees_tenant ON certificate_fees(tenant_id, kind, id);

-- What a body owes back: the amount paid for a certificate ANPR refused after the payment.
CREATE TABLE certificate_refunds (
  request_id   TEXT PRIMARY KEY,                  -- certificate_requests.id
  tenant_id    INTEGER NOT NULL,
  amount_cents INTEGER NOT NULL,                  -- stamp duty + diritti paid
  stamp_cents  INTEGER NOT NULL,
  fees_cents   INTEGER NOT NULL,
  iuv          TEXT NOT NULL,
  reason       TEXT NOT NULL,                     -- ANPR's refusal code
  created_at   TEXT NOT NULL
);
CREATE INDEX certificate_refunds_tenant ON certificate_refunds(tenant_id, created_at);
CREATE TRIGGER certificate_fees_no_update BEFORE UPDATE ON certificate_fees
BEGIN
  SELECT RAISE(ABORT, 'certificate_fees is append-only');
END;
CREATE TRIGGER certificate_fees_no_delete BEFORE DELETE ON certificate_fees
BEGIN
  SELECT RAISE(ABORT, 'certificate_fees is append-only');
END;
CREATE TRIGGER certificate_refunds_no_update BEFORE UPDATE ON certificate_refunds
BEGIN
  SELECT RAISE(ABORT, 'certificate_refunds is append-only');
END;
CREATE TRIGGER certificate_refunds_no_delete BEFORE DELETE ON certificate_refunds
BEGIN
  SELECT RAISE(ABORT, 'certificate_refunds is append-only');
END;
