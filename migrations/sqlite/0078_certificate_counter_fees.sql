-- Issue 15: the body's diritti di segreteria collected at the counter for a certificate it issued there
-- (docs/certificates.md, "Diritti di segreteria at the counter"): how much, by which means (cash or POS),
-- by whom and when, the receipt's number (per body and year) and the day in Rome it counts in, for the
-- body's daily takings. Once per request; append-only (a mistake is corrected in the body's accounts).
CREATE TABLE certificate_counter_fees (
  request_id   TEXT PRIMARY KEY REFERENCES certificate_requests(id),
  tenant_id    INTEGER NOT NULL,
  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
  means        TEXT NOT NULL CHECK (means IN ('cash', 'pos')),
  receipt_year INTEGER NOT NULL,
  receipt_no   INTEGER NOT NULL,
  day          TEXT NOT NULL,                     -- YYYY-MM-DD in Europe/Rome
  collected_by TEXT NOT NULL,                     -- the operator's staff account id
  collected_at TEXT NOT NULL,
  UNIQUE (tenant_id, receipt_year, receipt_no)
);
CREATE INDEX certificate_counter_fees_day ON certificate_counter_fees (tenant_id, day);
CREATE TRIGGER certificate_counter_fees_no_update BEFORE UPDATE ON certificate_counter_fees
BEGIN
  SELECT RAISE(ABORT, 'certificate_counter_fees is append-only');
END;
CREATE TRIGGER certificate_counter_fees_no_delete BEFORE DELETE ON certificate_counter_fees
BEGIN
  SELECT RAISE(ABORT, 'certificate_counter_fees is append-only');
END;
