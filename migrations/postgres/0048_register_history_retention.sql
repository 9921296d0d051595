-- Retention of the register mirror's history (see migrations/sqlite/0048_register_history_retention.sql):
-- superseded versions may be deleted by the purge; the version in force never; updates never.
CREATE OR REPLACE FUNCTION anagrafe_versions_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM anagrafe_versions n WHERE n.tenant_id = OLD.tenant_id
       AND n.codice_fiscale = OLD.codice_fiscale AND n.data_variazione > OLD.data_variazione) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'anagrafe_versions is append-only (the version in force is never deleted)';
END;
$$;
