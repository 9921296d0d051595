-- Self-declarations (dichiarazioni sostitutive, DPR 445/2000 art. 46 and 47; src/selfdecl, issue 15):
-- prefilled from the register mirror, reviewed and possibly corrected by the declarant, stamped with the
-- issuing body's digital stamp (stamp_registry holds the stamp) and kept as issued (stored_files). A
-- declaration is the person's own statement and a legal record: appended once, never changed or deleted
-- (the triggers below). It belongs to the body whose portal issued it (tenant_id).
CREATE TABLE self_declarations (
  id             TEXT PRIMARY KEY,             -- UUIDv7
  tenant_id      BIGINT NOT NULL,
  token          TEXT NOT NULL UNIQUE,         -- random, in the declarant's URLs
  article        BIGINT NOT NULL,              -- 46 (dichiarazione sostitutiva di certificazione) or 47
  kind           TEXT NOT NULL,                -- selfdecl/model.cpp: residenza, stato-famiglia ... atto-notorieta
  declarant_cf   TEXT NOT NULL,                -- who signed in and declares
  declarant_name TEXT NOT NULL,
  subject_cf     TEXT NOT NULL,                -- whom it is about: the declarant, or their minor child
  subject_name   TEXT NOT NULL,
  capacity       TEXT NOT NULL DEFAULT '',     -- '' (about oneself) or 'genitore' (for a minor child)
  facts          TEXT NOT NULL,                -- JSON object: the values declared, as printed
  changed        TEXT NOT NULL DEFAULT '',     -- the fields the declarant changed from the register's data
  prefilled      BIGINT NOT NULL,              -- 1: the register mirror knew the person
  purpose        TEXT NOT NULL DEFAULT '',     -- what it is for (optional)
  recipient      TEXT NOT NULL DEFAULT '',     -- the receiving body (optional)
  lang           TEXT NOT NULL,
  stamp_token    TEXT NOT NULL,                -- the digital stamp's identifier
  file_id        TEXT NOT NULL,                -- the stamped PDF
  sha256         TEXT NOT NULL,
  created_at     TEXT NOT NULL
);
CREATE INDEX self_declarations_declarant ON self_declarations (tenant_id, declarant_cf, created_at);
CREATE INDEX self_declarations_body ON self_declarations (tenant_id, created_at);
CREATE FUNCTION self_declarations_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'self_declarations is append-only';
END;
$$;
CREATE TRIGGER self_declarations_append_only BEFORE UPDATE OR DELETE ON self_declarations
  FOR EACH ROW EXECUTE FUNCTION self_declarations_refuse_change();
