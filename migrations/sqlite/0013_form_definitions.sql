-- Form definitions in the database (issue 5, src/forms/definition_store.cpp; docs/forms.md).
--
-- The hub's definitions: each data/forms/<code>.json as loaded at server start. A file whose content
-- changed since the newest row of its code becomes a new version (the file's own "version" when it is
-- higher, otherwise the next number); an unchanged file adds nothing. Rows are never updated or deleted:
-- a draft or a case names the version it was filled with and can always read it back.
CREATE TABLE form_definitions (
  code         TEXT NOT NULL,
  version      INTEGER NOT NULL CHECK (version >= 1),
  file_version INTEGER NOT NULL,              -- the "version" written in the file
  definition   TEXT NOT NULL,                 -- the file's JSON as read
  sha256       TEXT NOT NULL,                 -- of the file's bytes
  loaded_at    TEXT NOT NULL,                 -- UTC
  PRIMARY KEY (code, version)
);

-- A body's changes to a hub definition (forms/overlay.hpp: added fields, changed texts, the lists the hub
-- leaves to the body). Each save is a new version (1, 2, ... per body and form); the newest is in force.
-- Going back to an earlier version saves it again as the newest (restored_from names it).
CREATE TABLE form_overlays (
  tenant_id     INTEGER NOT NULL,
  form_code     TEXT NOT NULL,
  version       INTEGER NOT NULL CHECK (version >= 1),
  base_version  INTEGER NOT NULL,             -- the hub version it was made on
  overlay       TEXT NOT NULL,                -- JSON object
  saved_by      TEXT NOT NULL,                -- staff account id, or "system:<what>" for imports
  saved_by_name TEXT NOT NULL,
  saved_at      TEXT NOT NULL,                -- UTC
  restored_from INTEGER,
  PRIMARY KEY (tenant_id, form_code, version)
);

-- A body's street list (stradario) for address fields: suggestions everywhere, and the only accepted
-- streets in the fields whose definition says "check_street". An import replaces the whole list and
-- bumps the revision (so every server node notices).
CREATE TABLE body_street_lists (
  tenant_id        INTEGER PRIMARY KEY,
  revision         INTEGER NOT NULL,
  street_count     INTEGER NOT NULL,
  imported_by      TEXT NOT NULL,
  imported_by_name TEXT NOT NULL,
  imported_at      TEXT NOT NULL
);
CREATE TABLE body_streets (
  tenant_id INTEGER NOT NULL,
  position  INTEGER NOT NULL,                 -- order of the import
  code      TEXT NOT NULL DEFAULT '',         -- the body's own street code, when given
  name      TEXT NOT NULL,
  PRIMARY KEY (tenant_id, position)
);

-- The body's overlay version a draft is being filled with (0: none), next to its hub version
-- (form_version); fixed when it is sent.
ALTER TABLE application_drafts ADD COLUMN overlay_version INTEGER NOT NULL DEFAULT 0;
