-- The tamper-evident audit log (src/audit). One hash chain per body: each entry stores the SHA-256 of
-- the previous entry of the same tenant, so editing or removing a row breaks the chain that
-- `sportello audit verify` walks.
--
-- tenant_id 0 is the hub itself (hub administrators, sign-ins before a body is chosen, system jobs).
-- There is deliberately no foreign key to bodies: 0 is not a body, and the log must not depend on any
-- other table (a cascading key would be one more way to delete entries, a restricting one would tie the
-- life of bodies to their log).
--
-- `at` is TEXT, not TIMESTAMPTZ: the hash covers the exact string, and a round trip through a timestamp
-- type could change its spelling (precision, offset) and so break an intact chain.
CREATE TABLE audit_log (
  tenant_id    BIGINT NOT NULL CHECK (tenant_id >= 0),
  seq          BIGINT NOT NULL CHECK (seq >= 1),
  at           TEXT NOT NULL,
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
CREATE INDEX audit_log_on_behalf_of ON audit_log(on_behalf_of) WHERE on_behalf_of IS NOT NULL;
CREATE INDEX audit_log_record ON audit_log(record_type, record_id) WHERE record_id IS NOT NULL;

-- Append-only in the database too, not only in the code. Tests that simulate an attacker with database
-- access disable the trigger explicitly (ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only).
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
