-- Issue 20 (several nodes): every node keeps the body directory (hubs, bodies) and the catalog in memory
-- and caches pages rendered from them. A change made on one node (an onboarding, an activation, a body
-- deactivated by an export) must reach the others: these triggers bump a named revision in the same
-- transaction as the change, whatever code made it, and each node polls the revisions
-- (directory_refresh_ms) and reloads what moved. Statement-level: a bulk change bumps once.
CREATE TABLE directory_revisions (
  name     TEXT PRIMARY KEY,
  revision BIGINT NOT NULL
);
INSERT INTO directory_revisions (name, revision) VALUES ('tenants', 1), ('catalog', 1);

CREATE FUNCTION bump_directory_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE directory_revisions SET revision = revision + 1 WHERE name = TG_ARGV[0];
  RETURN NULL;
END;
$$;

CREATE TRIGGER hubs_revision AFTER INSERT OR UPDATE OR DELETE ON hubs
  FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_revision('tenants');
CREATE TRIGGER bodies_revision AFTER INSERT OR UPDATE OR DELETE ON bodies
  FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_revision('tenants');
CREATE TRIGGER life_events_revision AFTER INSERT OR UPDATE OR DELETE ON life_events
  FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_revision('catalog');
CREATE TRIGGER thematic_areas_revision AFTER INSERT OR UPDATE OR DELETE ON thematic_areas
  FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_revision('catalog');
CREATE TRIGGER services_revision AFTER INSERT OR UPDATE OR DELETE ON services
  FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_revision('catalog');
CREATE TRIGGER body_services_revision AFTER INSERT OR UPDATE OR DELETE ON body_services
  FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_revision('catalog');
