-- Drafts of online applications (src/applications): what a person has typed so far in a service's form,
-- saved on every step so that it survives a validation error, a session timeout, a server restart and a
-- change of device. One open draft per person, body, service and represented person/business; a
-- submitted draft keeps its answers and the case it became (the receipt is drawn from it).
-- The id is a random token (32 bytes, URL-safe base64): it appears in the citizen's URLs.
CREATE TABLE application_drafts (
  id             TEXT PRIMARY KEY CHECK (length(id) = 43),
  tenant_id      INTEGER NOT NULL,
  service_code   TEXT NOT NULL,
  form_code      TEXT NOT NULL,
  form_version   INTEGER NOT NULL,
  owner_cf       TEXT NOT NULL,                 -- the signed-in person (codice fiscale)
  on_behalf_of   TEXT NOT NULL DEFAULT '',      -- whom they act for ('' for themselves)
  answers        TEXT NOT NULL,                 -- JSON object, as typed (forms::Answers)
  prefilled      TEXT NOT NULL DEFAULT '[]',    -- JSON array: fields the platform filled at creation
  step           TEXT NOT NULL,                 -- the step the person was last on
  status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'submitted')),
  case_id        TEXT,
  protocol_label TEXT,                          -- "0000042/2026"
  submitted_at   TEXT,                          -- UTC
  due_date       TEXT,                          -- YYYY-MM-DD (Rome): the case's deadline when submitted
  revision       INTEGER NOT NULL DEFAULT 1,    -- bumped by every save
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX application_drafts_one_open
  ON application_drafts(tenant_id, owner_cf, on_behalf_of, service_code) WHERE status = 'open';
CREATE INDEX application_drafts_owner ON application_drafts(owner_cf, updated_at);

-- A step posted after the session had expired (or with a stale form token): kept aside, never merged
-- into the draft by itself. When the draft's owner comes back signed in, with the browser that posted
-- (the cookie whose hash is token_hash), the step is shown with these answers to review and save.
-- One per draft; older than a day is ignored.
CREATE TABLE application_parked_posts (
  draft_id   TEXT PRIMARY KEY REFERENCES application_drafts(id),
  tenant_id  INTEGER NOT NULL,
  token_hash TEXT NOT NULL,
  step       TEXT NOT NULL,
  answers    TEXT NOT NULL,
  created_at TEXT NOT NULL
);
