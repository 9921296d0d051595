-- Issue 13, positions from other sources and the station's hardening (docs/payments.md).
--
-- What the station expected a receipt to be (the amount due on the day of payment, or the option's own
-- amount): a receipt is recorded as it arrived, and one for another amount is flagged by the difference
-- (never refused: the PSP did collect the money). NULL when the receipt pays no known option.
ALTER TABLE payment_receipts ADD COLUMN expected_amount_cents BIGINT;

-- The fee of a case (an application whose service has a fee): the debt position created with the case,
-- in the same transaction, or why there is none (the body is no pagoPA creditor: pay at the counter).
-- One row per case; `status` moves awaiting → paid when the station records the receipt (a payments
-- listener, payments/service.hpp), never back.
CREATE TABLE case_fees (
  tenant_id     INTEGER NOT NULL,
  case_id       TEXT NOT NULL PRIMARY KEY REFERENCES cases(id),
  amount_cents  BIGINT NOT NULL CHECK (amount_cents > 0),
  iupd          TEXT,                               -- NULL when paid at the counter
  iuv           TEXT,
  nav           TEXT,
  status        TEXT NOT NULL CHECK (status IN ('awaiting', 'counter', 'paid')),
  created_at    TEXT NOT NULL,
  paid_at       TEXT,
  CHECK ((iupd IS NULL) = (status = 'counter'))
);
CREATE UNIQUE INDEX case_fees_iupd ON case_fees(tenant_id, iupd) WHERE iupd IS NOT NULL;
CREATE TRIGGER case_fees_no_delete BEFORE DELETE ON case_fees
BEGIN
  SELECT RAISE(ABORT, 'case_fees is append-only');
END;
CREATE TRIGGER case_fees_paid_final BEFORE UPDATE ON case_fees
WHEN OLD.status <> 'awaiting' OR NEW.status <> 'paid' OR NEW.amount_cents <> OLD.amount_cents
  OR NEW.iupd IS NOT OLD.iupd OR NEW.iuv IS NOT OLD.iuv
BEGIN
  SELECT RAISE(ABORT, 'case_fees: only awaiting -> paid');
END;
