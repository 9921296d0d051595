-- A body's logo (docs/hub.md, "Logo"), issue 18: a PNG, JPEG or WebP picture uploaded by the body's or
-- the hub's administrators (in the onboarding flow or on /backoffice/{ente}/stemma), kept in
-- stored_files under the body (checked by content: files/picture.hpp); one current logo per body. A new
-- upload replaces the reference (the stored file stays, as every stored file does); each change is
-- audited on the body's chain (body.logo_set, body.logo_removed).
CREATE TABLE body_logos (
  tenant_id  INTEGER PRIMARY KEY REFERENCES bodies(id),
  file_id    TEXT NOT NULL REFERENCES stored_files(id),
  mime_type  TEXT NOT NULL CHECK (mime_type IN ('image/png', 'image/jpeg', 'image/webp')),
  width      INTEGER NOT NULL CHECK (width > 0),
  height     INTEGER NOT NULL CHECK (height > 0),
  sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
  updated_at TEXT NOT NULL,                            -- UTC
  updated_by TEXT NOT NULL                             -- "staff:<subject>"
);
