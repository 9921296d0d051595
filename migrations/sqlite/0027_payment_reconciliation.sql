-- Reconciliation of pagoPA payments (issue 13, src/payments/reconciliation_*, docs/reconciliation.md):
-- the reporting flows a body imported (file, upload or pagoPA's FdR organization API), each with its
-- original XML (the node keeps flows for 30 days only) and its rows, and the treasurer's bank statements
-- with their movements. All four are append-only legal records. A later dataOraFlusso of the same flow id
-- (same PSP) is a new row whose supersedes_id points at the one it replaces; UNIQUE (supersedes_id) makes
-- "a revision is replaced at most once" a database fact, so two concurrent imports cannot both win.
-- Each row carries the result of matching it against receipts and positions, decided once by the import
-- (a join over payment_flow_staging) and never changed: re-importing the same flow changes nothing.

CREATE TABLE payment_flows (
  id                    INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id             INTEGER NOT NULL,
  flow_id               TEXT NOT NULL,            -- identificativoFlusso
  psp_id                TEXT NOT NULL,            -- istitutoMittente's identifier
  psp_name              TEXT NOT NULL,
  flow_time             TEXT NOT NULL,            -- dataOraFlusso, UTC ISO 8601
  flow_time_text        TEXT NOT NULL,            -- as written
  settlement_iur        TEXT NOT NULL,            -- identificativoUnivocoRegolamento
  settlement_date       TEXT NOT NULL,            -- dataRegolamento, YYYY-MM-DD
  settlement_bic        TEXT,
  receiver_id           TEXT NOT NULL,            -- istitutoRicevente: the body's fiscal code
  declared_count        BIGINT NOT NULL CHECK (declared_count >= 0),
  declared_total_cents  BIGINT NOT NULL CHECK (declared_total_cents >= 0),
  revoked_cents         BIGINT NOT NULL CHECK (revoked_cents >= 0),
  supersedes_id         INTEGER REFERENCES payment_flows(id),
  source                TEXT NOT NULL CHECK (source IN ('file', 'upload', 'fdr_api')),
  xml                   TEXT NOT NULL,
  xml_sha256            TEXT NOT NULL CHECK (length(xml_sha256) = 64),
  imported_by           TEXT NOT NULL,
  imported_at           TEXT NOT NULL,
  UNIQUE (tenant_id, psp_id, flow_id, flow_time),
  UNIQUE (supersedes_id)
);
CREATE INDEX payment_flows_day ON payment_flows(tenant_id, settlement_date, psp_id);
CREATE INDEX payment_flows_flow_id ON payment_flows(tenant_id, flow_id);

CREATE TABLE payment_flow_rows (
  flow_pk          INTEGER NOT NULL REFERENCES payment_flows(id),
  tenant_id        INTEGER NOT NULL,
  ordinal          INTEGER NOT NULL,
  iuv              TEXT NOT NULL,
  iur              TEXT NOT NULL,
  transfer_index   INTEGER NOT NULL CHECK (transfer_index BETWEEN 1 AND 5),
  amount_cents     BIGINT NOT NULL CHECK (amount_cents >= 0),
  outcome          INTEGER NOT NULL CHECK (outcome IN (0, 3, 4, 8, 9)),
  outcome_date     TEXT NOT NULL,
  result           TEXT NOT NULL CHECK (result IN ('matched', 'amount_differs', 'reported_no_receipt',
                                                   'unknown_iuv', 'revoked', 'accepted_without_receipt')),
  receipt_pk       INTEGER REFERENCES payment_receipts(id),
  expected_cents   BIGINT,
  PRIMARY KEY (flow_pk, ordinal)
);
CREATE INDEX payment_flow_rows_key ON payment_flow_rows(tenant_id, iuv, iur, transfer_index);

-- Scratch space of one import: the flow's rows, joined in one statement into payment_flow_rows and
-- deleted in the same transaction. Not a record.
CREATE TABLE payment_flow_staging (
  flow_pk          INTEGER NOT NULL,
  tenant_id        INTEGER NOT NULL,
  ordinal          INTEGER NOT NULL,
  iuv              TEXT NOT NULL,
  iur              TEXT NOT NULL,
  transfer_index   INTEGER NOT NULL,
  amount_cents     BIGINT NOT NULL,
  outcome          INTEGER NOT NULL,
  outcome_date     TEXT NOT NULL,
  PRIMARY KEY (flow_pk, ordinal)
);

-- A treasurer's account statement (CSV, docs/reconciliation.md "Bank statements") exactly as uploaded,
-- and its movements. The same file twice is refused by its digest; a movement already imported from an
-- overlapping statement (same bank reference) is skipped.
CREATE TABLE payment_bank_statements (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id     INTEGER NOT NULL,
  file_name     TEXT NOT NULL,
  content       TEXT NOT NULL,
  sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
  imported_by   TEXT NOT NULL,
  imported_at   TEXT NOT NULL,
  UNIQUE (tenant_id, sha256)
);

CREATE TABLE payment_bank_movements (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id       INTEGER NOT NULL,
  statement_id    INTEGER NOT NULL REFERENCES payment_bank_statements(id),
  line_no         INTEGER NOT NULL,
  booking_date    TEXT NOT NULL,                -- YYYY-MM-DD
  value_date      TEXT NOT NULL,
  amount_cents    BIGINT NOT NULL CHECK (amount_cents > 0),
  direction       TEXT NOT NULL CHECK (direction IN ('C', 'D')),  -- credit (avere) / debit (dare)
  description     TEXT NOT NULL,
  bank_reference  TEXT NOT NULL,
  flow_id         TEXT,                         -- from /PUR/LGPE-RIVERSAMENTO/URI/<flow id>
  UNIQUE (tenant_id, bank_reference)
);
CREATE INDEX payment_bank_movements_flow ON payment_bank_movements(tenant_id, flow_id);
CREATE INDEX payment_bank_movements_day ON payment_bank_movements(tenant_id, value_date);

CREATE TRIGGER payment_flows_no_update BEFORE UPDATE ON payment_flows
BEGIN SELECT RAISE(ABORT, 'payment_flows is append-only'); END;
CREATE TRIGGER payment_flows_no_delete BEFORE DELETE ON payment_flows
BEGIN SELECT RAISE(ABORT, 'payment_flows is append-only'); END;
CREATE TRIGGER payment_flow_rows_no_update BEFORE UPDATE ON payment_flow_rows
BEGIN SELECT RAISE(ABORT, 'payment_flow_rows is append-only'); END;
CREATE TRIGGER payment_flow_rows_no_delete BEFORE DELETE ON payment_flow_rows
BEGIN SELECT RAISE(ABORT, 'payment_flow_rows is append-only'); END;
CREATE TRIGGER payment_bank_statements_no_update BEFORE UPDATE ON payment_bank_statements
BEGIN SELECT RAISE(ABORT, 'payment_bank_statements is append-only'); END;
CREATE TRIGGER payment_bank_statements_no_delete BEFORE DELETE ON payment_bank_statements
BEGIN SELECT RAISE(ABORT, 'payment_bank_statements is append-only'); END;
CREATE TRIGGER payment_bank_movements_no_update BEFORE UPDATE ON payment_bank_movements
BEGIN SELECT RAISE(ABORT, 'payment_bank_movements is append-only'); END;
CREATE TRIGGER payment_bank_movements_no_delete BEFORE DELETE ON payment_bank_movements
BEGIN SELECT RAISE(ABORT, 'payment_bank_movements is append-only'); END;
