-- Retention of the register mirror's history (issue 18, src/privacy/purge.cpp; docs/privacy.md): a
-- person's superseded versions may be deleted once older than the retention period; the version in force
-- (no later version of the same person) never is. Nothing else about the table changes: updates are
-- still refused.
DROP TRIGGER anagrafe_versions_no_delete;
CREATE TRIGGER anagrafe_versions_no_delete BEFORE DELETE ON anagrafe_versions
WHEN NOT EXISTS (SELECT 1 FROM anagrafe_versions n WHERE n.tenant_id = OLD.tenant_id
                   AND n.codice_fiscale = OLD.codice_fiscale AND n.data_variazione > OLD.data_variazione)
BEGIN
  SELECT RAISE(ABORT, 'anagrafe_versions: the version in force is never deleted');
END;
