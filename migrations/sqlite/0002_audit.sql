-- The tamper-evident audit log (src/audit). One hash chain per body: each entry stores the SHA-256 of
-- the previous entry of the same tenant, so editing or removing a row breaks the chain that
-- `sportello audit verify` walks.
--
-- tenant_id 0 is the hub itself (hub administrators, sign-ins before a body is chosen, system jobs).
-- There is deliberately no foreign key to bodies: 0 is not a body, and the log must not depend on any
-- other table (a cascading key would be one more way to delete entries, a restricting one would tie the
-- life of bodies to their log).
CREATE TABLE audit_log (
  tenant_id    INTEGER NOT NULL CHECK (tenant_id >= 0),
  seq          INTEGER NOT NULL CHECK (seq >= 1),
  at           TEXT NOT NULL,                -- "2026-11-23T19:15:00.123Z": exactly the string hashed
  actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('person', 'staff', 'system')),
  actor_id     TEXT NOT NULL,
  on_behalf_of TEXT,
  channel      TEXT NOT NULL CHECK (channel IN ('web', 'api', 'counter', 'system')),
  action       TEXT NOT NULL,
  record_type  TEXT,
  record_id    TEXT,
  remote_addr  TEXT,
  details      TEXT NOT NULL DEFAULT '{}',
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
-- "Who accessed my data": by represented person and by record, across bodies.
CREATE INDEX audit_log_on_behalf_of ON audit_log(on_behalf_of) WHERE on_behalf_of IS NOT NULL;
CREATE INDEX audit_log_record ON audit_log(record_type, record_id) WHERE record_id IS NOT NULL;

-- Append-only in the database too, not only in the code. Tests that simulate an attacker drop these.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
