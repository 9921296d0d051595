-- Issue 15: a refund due (certificate_refunds) recorded as paid by the comune's treasury: the transfer's
-- value date and reference, who recorded it and when. Once per refund (a wrong record is corrected by the
-- treasury's own ledger, not here); append-only.
CREATE TABLE certificate_refund_payments (
  request_id   TEXT PRIMARY KEY REFERENCES certificate_refunds(request_id),
  tenant_id    INTEGER NOT NULL,
  paid_on      TEXT NOT NULL,                     -- YYYY-MM-DD, the transfer's value date
  reference    TEXT NOT NULL,                     -- the transfer's reference (CRO/TRN) or payment order number
  amount_cents INTEGER NOT NULL,                  -- the refund's amount, copied when recorded
  recorded_by  TEXT NOT NULL,                     -- staff account id
  recorded_at  TEXT NOT NULL
);
CREATE TRIGGER certificate_refund_payments_no_update BEFORE UPDATE ON certificate_refund_payments
BEGIN
  SELECT RAISE(ABORT, 'certificate_refund_payments is append-only');
END;
CREATE TRIGGER certificate_refund_payments_no_delete BEFORE DELETE ON certificate_refund_payments
BEGIN
  SELECT RAISE(ABORT, 'certificate_refund_payments is append-only');
END;
