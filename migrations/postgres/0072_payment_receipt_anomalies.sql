-- Issue 20: /metrics counts the receipts that were not simply recorded (orphans, already paid, double
-- payments, duplicates) at every scrape; this partial index holds only those few rows, so the count never
-- reads the millions of recorded receipts.
CREATE INDEX payment_receipts_anomalies ON payment_receipts(outcome) WHERE outcome <> 'recorded';
