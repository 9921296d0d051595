-- The daily register of protocol (src/protocollo/daily_register*, SPEC §3): one row per AOO and Rome
-- calendar day, holding the register as JSON and as PDF with their SHA-256, and the tenant's audit chain
-- head when it was produced. Append-only: a register, once produced, is a legal document that is sent to
-- preservation as it is; UNIQUE (aoo_id, day) makes two nodes producing the same day end with one row.
CREATE TABLE protocol_daily_registers (
  id              INTEGER PRIMARY KEY,
  tenant_id       INTEGER NOT NULL,
  aoo_id          INTEGER NOT NULL REFERENCES aoo(id),
  day             TEXT NOT NULL CHECK (length(day) = 10),   -- Rome calendar day, "YYYY-MM-DD"
  produced_at     TEXT NOT NULL,                            -- UTC, "2026-03-03T00:05:00.000Z"
  entry_count     INTEGER NOT NULL CHECK (entry_count >= 0),
  first_number    INTEGER,                                  -- NULL on a day without entries
  last_number     INTEGER,
  changes_count   INTEGER NOT NULL CHECK (changes_count >= 0),
  json            TEXT NOT NULL,
  json_sha256     TEXT NOT NULL CHECK (length(json_sha256) = 64),
  pdf             BLOB NOT NULL,
  pdf_sha256      TEXT NOT NULL CHECK (length(pdf_sha256) = 64),
  audit_head_seq  INTEGER NOT NULL CHECK (audit_head_seq >= 0),
  audit_head_hash TEXT NOT NULL CHECK (length(audit_head_hash) = 64),
  UNIQUE (aoo_id, day),
  CHECK ((entry_count = 0 AND first_number IS NULL AND last_number IS NULL)
      OR (entry_count > 0 AND first_number IS NOT NULL AND last_number >= first_number))
);
CREATE INDEX protocol_daily_registers_tenant_day ON protocol_daily_registers(tenant_id, day);
-- The register lists the history rows of its day: without this, each day would scan the whole history.
CREATE INDEX protocol_history_at ON protocol_history(at);

CREATE TRIGGER protocol_daily_registers_no_update BEFORE UPDATE ON protocol_daily_registers
BEGIN
  SELECT RAISE(ABORT, 'protocol_daily_registers is append-only');
END;
CREATE TRIGGER protocol_daily_registers_no_delete BEFORE DELETE ON protocol_daily_registers
BEGIN
  SELECT RAISE(ABORT, 'protocol_daily_registers is append-only');
END;
