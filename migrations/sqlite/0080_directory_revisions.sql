-- Issue 20 (several nodes): every node keeps the body directory (hubs, bodies) and the catalog in memory
-- and caches pages rendered from them. A change made on one node (an onboarding, an activation, a body
-- deactivated by an export) must reach the others: these triggers bump a named revision in the same
-- transaction as the change, whatever code made it, and each node polls the revisions
-- (directory_refresh_ms) and reloads what moved.
CREATE TABLE directory_revisions (
  name     TEXT PRIMARY KEY,
  revision INTEGER NOT NULL
);
INSERT INTO directory_revisions (name, revision) VALUES ('tenants', 1), ('catalog', 1);

CREATE TRIGGER hubs_revision_insert AFTER INSERT ON hubs
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'tenants'; END;
CREATE TRIGGER hubs_revision_update AFTER UPDATE ON hubs
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'tenants'; END;
CREATE TRIGGER hubs_revision_delete AFTER DELETE ON hubs
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'tenants'; END;
CREATE TRIGGER bodies_revision_insert AFTER INSERT ON bodies
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'tenants'; END;
CREATE TRIGGER bodies_revision_update AFTER UPDATE ON bodies
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'tenants'; END;
CREATE TRIGGER bodies_revision_delete AFTER DELETE ON bodies
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'tenants'; END;

CREATE TRIGGER life_events_revision_insert AFTER INSERT ON life_events
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER life_events_revision_update AFTER UPDATE ON life_events
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER life_events_revision_delete AFTER DELETE ON life_events
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER thematic_areas_revision_insert AFTER INSERT ON thematic_areas
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER thematic_areas_revision_update AFTER UPDATE ON thematic_areas
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER thematic_areas_revision_delete AFTER DELETE ON thematic_areas
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER services_revision_insert AFTER INSERT ON services
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER services_revision_update AFTER UPDATE ON services
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER services_revision_delete AFTER DELETE ON services
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER body_services_revision_insert AFTER INSERT ON body_services
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER body_services_revision_update AFTER UPDATE ON body_services
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER body_services_revision_delete AFTER DELETE ON body_services
BEGIN UPDATE directory_revisions SET revision = revision + 1 WHERE name = 'catalog'; END;
