-- Business-register look-ups made from a case (src/business_checks, docs/business-register.md): who asked,
-- when, about which business and representative, and what the register answered (or that it did not).
-- Append-only: a record of what the office relied on.
CREATE TABLE business_register_checks (
  id              TEXT PRIMARY KEY,                 -- UUIDv7
  tenant_id       BIGINT NOT NULL,
  case_id         TEXT NOT NULL,
  tax_code        TEXT NOT NULL,                    -- the business asked about
  representative  TEXT NOT NULL DEFAULT '',         -- the person's codice fiscale asked about ('' none)
  outcome         TEXT NOT NULL CHECK (outcome IN ('found', 'not_found', 'unavailable')),
  company_name    TEXT NOT NULL DEFAULT '',
  company_status  TEXT NOT NULL DEFAULT '',
  is_representative BIGINT NOT NULL DEFAULT 0,      -- the person is among its legal representatives
  answer          TEXT NOT NULL DEFAULT '',         -- the register's answer (JSON) as received
  error_detail    TEXT NOT NULL DEFAULT '',
  checked_by      TEXT NOT NULL,
  checked_at      TEXT NOT NULL
);
CREATE INDEX business_register_checks_case ON business_register_checks(tenant_id, case_id, checked_at);
CREATE FUNCTION business_register_checks_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'business_register_checks is append-only';
END;
$$;
CREATE TRIGGER business_register_checks_append_only BEFORE UPDATE OR DELETE ON business_register_checks
  FOR EACH ROW EXECUTE FUNCTION business_register_checks_refuse_change();
