-- What a body tells the public on the pages every public-sector portal must have (issue 11, point 8):
-- contacts, the privacy notice's details (GDPR art. 13: controller, data protection officer), the
-- accessibility statement (Legge 4/2004, AgID guidelines: the link to the statement published on AgID's
-- form and the feedback contact) and extra paragraphs for the legal notes. The hub's texts are the
-- defaults (web/locales); these fields fill and extend them. Each save is a new version, never changed:
-- the newest is in force and the earlier ones say what was published when.
CREATE TABLE body_page_versions (
  tenant_id  BIGINT NOT NULL,
  version    INTEGER NOT NULL CHECK (version >= 1),
  fields     TEXT NOT NULL,                  -- JSON object (body_pages/model.hpp)
  saved_by   TEXT NOT NULL,                  -- staff account id
  saved_at   TEXT NOT NULL,                  -- UTC
  PRIMARY KEY (tenant_id, version)
);
CREATE FUNCTION body_page_versions_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'body_page_versions is append-only';
END;
$$;
CREATE TRIGGER body_page_versions_append_only BEFORE UPDATE OR DELETE ON body_page_versions
  FOR EACH ROW EXECUTE FUNCTION body_page_versions_refuse_change();
