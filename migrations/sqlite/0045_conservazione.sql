-- Digital preservation (issue 21; src/conservazione, docs/conservazione.md).
-- conservazione_settings: which optional document classes a body sends to preservation (the daily
-- register of protocol always goes: the law wants it). One row per body, replaced when changed.
CREATE TABLE conservazione_settings (
  tenant_id  INTEGER PRIMARY KEY,
  classes    TEXT NOT NULL DEFAULT '',   -- comma-separated class codes (model.hpp)
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- A submission package (SIP): one preserved object (a daily register, a document) with its UNI SInCRO
-- index, made once and sent until the conservator accepts it. The index is stored as made, so every
-- attempt sends the same bytes under the same idempotency key.
CREATE TABLE conservazione_packages (
  id              TEXT PRIMARY KEY,           -- UUIDv7; also the idempotency key's tail
  tenant_id       INTEGER NOT NULL,
  class           TEXT NOT NULL,
  object_id       TEXT NOT NULL,              -- the register's id, the document's id
  title           TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  index_xml       TEXT NOT NULL,
  index_sha256    TEXT NOT NULL,
  audit_head_seq  INTEGER NOT NULL,
  audit_head_hash TEXT NOT NULL,
  audit_head_at   TEXT NOT NULL DEFAULT '',
  due_day         TEXT NOT NULL,              -- the Rome day by which it must be accepted
  state           TEXT NOT NULL CHECK (state IN ('pending', 'rejected', 'failed', 'accepted')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  created_at      TEXT NOT NULL,
  accepted_at     TEXT,
  receipt_id      TEXT NOT NULL DEFAULT '',
  UNIQUE (tenant_id, class, object_id)
);
CREATE INDEX conservazione_packages_due ON conservazione_packages(state, next_attempt_at);
CREATE INDEX conservazione_packages_tenant ON conservazione_packages(tenant_id, created_at);

-- Every answer of the conservator, as received: receipts (rapporto di versamento), rejections, failures.
-- Append-only (legal record of the preservation).
CREATE TABLE conservazione_receipts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  package_id  TEXT NOT NULL,
  tenant_id   INTEGER NOT NULL,
  attempt     INTEGER NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'failed')),
  receipt_id  TEXT NOT NULL DEFAULT '',
  detail      TEXT NOT NULL DEFAULT '',
  body        TEXT NOT NULL DEFAULT '',       -- the conservator's XML, as received
  received_at TEXT NOT NULL
);
CREATE INDEX conservazione_receipts_package ON conservazione_receipts(package_id, id);
CREATE TRIGGER conservazione_receipts_no_update BEFORE UPDATE ON conservazione_receipts
BEGIN
  SELECT RAISE(ABORT, 'conservazione_receipts is append-only');
END;
CREATE TRIGGER conservazione_receipts_no_delete BEFORE DELETE ON conservazione_receipts
BEGIN
  SELECT RAISE(ABORT, 'conservazione_receipts is append-only');
END;
