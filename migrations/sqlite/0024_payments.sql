-- pagoPA payments (issue 13, src/payments): creditor settings per body, debt positions in GPD's shape
-- (position → payment options → 1-5 transfers), IUV counters, and the receipts the station records.
-- Money is integer cents. Positions, options and transfers are never deleted and their content never
-- changes: only their states move (a paid position only to REPORTED); a correction is a new position
-- whose replaces_id points at the old one. Receipts are append-only.

CREATE TABLE payment_creditors (
  tenant_id      INTEGER PRIMARY KEY,
  fiscal_code    TEXT NOT NULL CHECK (length(fiscal_code) = 11),
  company_name   TEXT NOT NULL,
  office_name    TEXT,
  iban           TEXT NOT NULL CHECK (length(iban) = 27),
  postal_iban    TEXT CHECK (postal_iban IS NULL OR length(postal_iban) = 27),
  broker_id      TEXT NOT NULL,                 -- idBrokerPA
  station_id     TEXT NOT NULL,                 -- idStazione
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX payment_creditors_fiscal_code ON payment_creditors(fiscal_code);

-- One row per creditor and segregation code: the creditor's codes and the next IUV base of each. A base
-- is reserved by an UPDATE ... RETURNING in a transaction of its own (committed at once, before the
-- position's transaction), so nobody waits on it for long and a base is never handed out twice; a
-- rolled-back position leaves a gap, which pagoPA allows. UNIQUE (tenant_id, iuv) on the options makes
-- "no collision" a database fact.
CREATE TABLE payment_iuv_counters (
  tenant_id        INTEGER NOT NULL REFERENCES payment_creditors(tenant_id),
  segregation_code TEXT NOT NULL CHECK (length(segregation_code) = 2),
  position         INTEGER NOT NULL,            -- 0 is the code used for new IUVs
  next_base        INTEGER NOT NULL DEFAULT 1 CHECK (next_base >= 0 AND next_base < 10000000000000),
  PRIMARY KEY (tenant_id, segregation_code)
);

CREATE TABLE payment_positions (
  id                  TEXT PRIMARY KEY,         -- UUIDv7
  tenant_id           INTEGER NOT NULL,
  iupd                TEXT NOT NULL,
  debtor_type         TEXT NOT NULL CHECK (debtor_type IN ('F', 'G')),
  debtor_fiscal_code  TEXT NOT NULL,
  debtor_name         TEXT NOT NULL,
  street_name         TEXT,
  civic_number        TEXT,
  postal_code         TEXT,
  city                TEXT,
  province            TEXT,
  region              TEXT,
  country             TEXT,
  email               TEXT,
  phone               TEXT,
  company_name        TEXT NOT NULL,
  office_name         TEXT,
  kind                TEXT NOT NULL CHECK (kind IN ('ordinary', 'fine')),
  fine_notification_date TEXT,                  -- YYYY-MM-DD
  fine_sanction_cents BIGINT,
  fine_expenses_cents BIGINT,
  status              TEXT NOT NULL CHECK (status IN ('DRAFT', 'PUBLISHED', 'VALID', 'PARTIALLY_PAID', 'PAID',
                                                      'REPORTED', 'EXPIRED', 'INVALID')),
  validity_date       TEXT,
  replaces_id         TEXT REFERENCES payment_positions(id),
  version             INTEGER NOT NULL DEFAULT 1,
  created_by          TEXT NOT NULL,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  published_at        TEXT,
  paid_at             TEXT,
  UNIQUE (tenant_id, iupd),
  CHECK ((kind = 'fine') = (fine_notification_date IS NOT NULL)),
  CHECK (kind = 'ordinary' OR (fine_sanction_cents > 0 AND fine_expenses_cents >= 0))
);
CREATE INDEX payment_positions_debtor ON payment_positions(debtor_fiscal_code, created_at);
CREATE INDEX payment_positions_tenant ON payment_positions(tenant_id, created_at);

CREATE TABLE payment_options (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id          INTEGER NOT NULL,
  position_id        TEXT NOT NULL REFERENCES payment_positions(id),
  ordinal            INTEGER NOT NULL,          -- order within the position
  iuv                TEXT NOT NULL CHECK (length(iuv) = 17),
  nav                TEXT NOT NULL CHECK (length(nav) = 18),
  amount_cents       BIGINT NOT NULL CHECK (amount_cents > 0),
  description        TEXT NOT NULL CHECK (length(description) <= 140),
  due_date           TEXT NOT NULL,
  retention_date     TEXT,
  is_partial_payment INTEGER NOT NULL CHECK (is_partial_payment IN (0, 1)),
  fine_role          TEXT CHECK (fine_role IS NULL OR fine_role IN ('reduced', 'full')),
  status             TEXT NOT NULL CHECK (status IN ('unpaid', 'paid', 'reported')),
  paid_at            TEXT,
  UNIQUE (tenant_id, iuv),
  UNIQUE (tenant_id, nav),
  UNIQUE (position_id, ordinal)
);

CREATE TABLE payment_transfers (
  option_id        INTEGER NOT NULL REFERENCES payment_options(id),
  transfer_index   INTEGER NOT NULL CHECK (transfer_index BETWEEN 1 AND 5),
  amount_cents     BIGINT NOT NULL CHECK (amount_cents > 0),
  iban             TEXT,
  postal_iban      TEXT,
  stamp_type       TEXT,
  stamp_hash       TEXT,
  stamp_province   TEXT,
  remittance       TEXT NOT NULL CHECK (length(remittance) <= 140),
  category         TEXT NOT NULL,
  organization_fiscal_code TEXT,
  status           TEXT NOT NULL CHECK (status IN ('unpaid', 'paid', 'reported')),
  PRIMARY KEY (option_id, transfer_index),
  -- an account (bank and/or postal) or a stamp, never both, never neither
  CHECK ((stamp_type IS NULL) = (stamp_hash IS NULL) AND (stamp_type IS NULL) = (stamp_province IS NULL)),
  CHECK ((stamp_type IS NULL) <> (iban IS NULL AND postal_iban IS NULL))
);

-- Receipts the station records (paSendRTV2), each exactly as it arrived, with what it turned out to be.
-- "recorded" is the one receipt that pays an option: the partial unique index makes it a database fact
-- that an IUV is paid at most once, and a PSP's receipt is counted (recorded or double_payment) at most
-- once. A resent receipt is "duplicate"; one for an unknown position "unknown_position"; one for an option
-- already paid through the same payment "already_paid"; a second, different payment of a paid option
-- "double_payment" (money to refund, never lost).
CREATE TABLE payment_receipts (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id          INTEGER NOT NULL,
  iuv                TEXT NOT NULL,
  nav                TEXT,
  option_id          INTEGER REFERENCES payment_options(id),
  psp_id             TEXT NOT NULL,
  receipt_id         TEXT NOT NULL,             -- the PSP's IUR / receiptId
  payment_at         TEXT NOT NULL,             -- UTC instant of the payment
  amount_cents       BIGINT NOT NULL CHECK (amount_cents >= 0),
  fee_cents          BIGINT CHECK (fee_cents IS NULL OR fee_cents >= 0),
  payer_fiscal_code  TEXT,
  payer_name         TEXT,
  outcome            TEXT NOT NULL CHECK (outcome IN ('recorded', 'duplicate', 'unknown_position',
                                                      'already_paid', 'double_payment')),
  raw_payload        TEXT NOT NULL,
  received_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX payment_receipts_paid_once ON payment_receipts(tenant_id, iuv) WHERE outcome = 'recorded';
CREATE UNIQUE INDEX payment_receipts_counted_once ON payment_receipts(tenant_id, psp_id, receipt_id)
  WHERE outcome IN ('recorded', 'double_payment');
CREATE INDEX payment_receipts_iuv ON payment_receipts(tenant_id, iuv, id);

CREATE TABLE payment_receipt_transfers (
  receipt_id      INTEGER NOT NULL REFERENCES payment_receipts(id),
  transfer_index  INTEGER NOT NULL CHECK (transfer_index BETWEEN 1 AND 5),
  amount_cents    BIGINT NOT NULL CHECK (amount_cents >= 0),
  iban            TEXT,
  stamp_hash      TEXT,
  PRIMARY KEY (receipt_id, transfer_index),
  CHECK ((iban IS NULL) <> (stamp_hash IS NULL))
);

-- Content never changes; states move forward only as the service moves them; nothing is deleted.
CREATE TRIGGER payment_positions_immutable BEFORE UPDATE ON payment_positions
WHEN NEW.id IS NOT OLD.id OR NEW.tenant_id IS NOT OLD.tenant_id OR NEW.iupd IS NOT OLD.iupd
  OR NEW.debtor_type IS NOT OLD.debtor_type OR NEW.debtor_fiscal_code IS NOT OLD.debtor_fiscal_code
  OR NEW.debtor_name IS NOT OLD.debtor_name OR NEW.street_name IS NOT OLD.street_name
  OR NEW.civic_number IS NOT OLD.civic_number OR NEW.postal_code IS NOT OLD.postal_code
  OR NEW.city IS NOT OLD.city OR NEW.province IS NOT OLD.province OR NEW.region IS NOT OLD.region
  OR NEW.country IS NOT OLD.country OR NEW.email IS NOT OLD.email OR NEW.phone IS NOT OLD.phone
  OR NEW.company_name IS NOT OLD.company_name OR NEW.office_name IS NOT OLD.office_name
  OR NEW.kind IS NOT OLD.kind OR NEW.fine_notification_date IS NOT OLD.fine_notification_date
  OR NEW.fine_sanction_cents IS NOT OLD.fine_sanction_cents
  OR NEW.fine_expenses_cents IS NOT OLD.fine_expenses_cents OR NEW.validity_date IS NOT OLD.validity_date
  OR NEW.replaces_id IS NOT OLD.replaces_id OR NEW.created_by IS NOT OLD.created_by
  OR NEW.created_at IS NOT OLD.created_at
BEGIN
  SELECT RAISE(ABORT, 'payment_positions: content cannot change (a correction is a new position)');
END;
CREATE TRIGGER payment_positions_paid_final BEFORE UPDATE ON payment_positions
WHEN (OLD.status = 'PAID' AND NOT (NEW.status = 'REPORTED' AND NEW.paid_at IS OLD.paid_at))
  OR OLD.status IN ('REPORTED', 'INVALID')
BEGIN
  SELECT RAISE(ABORT, 'payment_positions: a paid, reported or invalid position never changes');
END;
CREATE TRIGGER payment_positions_no_delete BEFORE DELETE ON payment_positions
BEGIN
  SELECT RAISE(ABORT, 'payment_positions: positions are never deleted');
END;
CREATE TRIGGER payment_options_immutable BEFORE UPDATE ON payment_options
WHEN NEW.id IS NOT OLD.id OR NEW.tenant_id IS NOT OLD.tenant_id OR NEW.position_id IS NOT OLD.position_id
  OR NEW.ordinal IS NOT OLD.ordinal OR NEW.iuv IS NOT OLD.iuv OR NEW.nav IS NOT OLD.nav
  OR NEW.amount_cents IS NOT OLD.amount_cents OR NEW.description IS NOT OLD.description
  OR NEW.due_date IS NOT OLD.due_date OR NEW.retention_date IS NOT OLD.retention_date
  OR NEW.is_partial_payment IS NOT OLD.is_partial_payment OR NEW.fine_role IS NOT OLD.fine_role
  OR (OLD.status <> 'unpaid' AND NEW.paid_at IS NOT OLD.paid_at)
  OR (OLD.status = 'paid' AND NEW.status NOT IN ('paid', 'reported'))
  OR (OLD.status = 'reported' AND NEW.status <> 'reported')
BEGIN
  SELECT RAISE(ABORT, 'payment_options: content cannot change');
END;
CREATE TRIGGER payment_options_no_delete BEFORE DELETE ON payment_options
BEGIN
  SELECT RAISE(ABORT, 'payment_options: options are never deleted');
END;
CREATE TRIGGER payment_transfers_immutable BEFORE UPDATE ON payment_transfers
WHEN NEW.option_id IS NOT OLD.option_id OR NEW.transfer_index IS NOT OLD.transfer_index
  OR NEW.amount_cents IS NOT OLD.amount_cents OR NEW.iban IS NOT OLD.iban
  OR NEW.postal_iban IS NOT OLD.postal_iban OR NEW.stamp_type IS NOT OLD.stamp_type
  OR NEW.stamp_hash IS NOT OLD.stamp_hash OR NEW.stamp_province IS NOT OLD.stamp_province
  OR NEW.remittance IS NOT OLD.remittance OR NEW.category IS NOT OLD.category
  OR NEW.organization_fiscal_code IS NOT OLD.organization_fiscal_code
  OR (OLD.status = 'paid' AND NEW.status NOT IN ('paid', 'reported'))
  OR (OLD.status = 'reported' AND NEW.status <> 'reported')
BEGIN
  SELECT RAISE(ABORT, 'payment_transfers: content cannot change');
END;
CREATE TRIGGER payment_transfers_no_delete BEFORE DELETE ON payment_transfers
BEGIN
  SELECT RAISE(ABORT, 'payment_transfers: transfers are never deleted');
END;
CREATE TRIGGER payment_receipts_no_update BEFORE UPDATE ON payment_receipts
BEGIN
  SELECT RAISE(ABORT, 'payment_receipts is append-only');
END;
CREATE TRIGGER payment_receipts_no_delete BEFORE DELETE ON payment_receipts
BEGIN
  SELECT RAISE(ABORT, 'payment_receipts is append-only');
END;
CREATE TRIGGER payment_receipt_transfers_no_update BEFORE UPDATE ON payment_receipt_transfers
BEGIN
  SELECT RAISE(ABORT, 'payment_receipt_transfers is append-only');
END;
CREATE TRIGGER payment_receipt_transfers_no_delete BEFORE DELETE ON payment_receipt_transfers
BEGIN
  SELECT RAISE(ABORT, 'payment_receipt_transfers is append-only');
END;
