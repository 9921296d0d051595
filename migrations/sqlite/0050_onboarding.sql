-- Issue 18: onboarding a member body. Half-finished onboardings kept as drafts, and the protocol number a
-- registry office continues from when it moves from other software mid-year (protocollo/continuation.hpp).
ALTER TABLE aoo ADD COLUMN start_year INTEGER;     -- with start_number: the first number used here that year
ALTER TABLE aoo ADD COLUMN start_number INTEGER;

CREATE TABLE hub_onboarding_drafts (
  id           TEXT PRIMARY KEY,                  -- random, in URLs
  created_by   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  step         INTEGER NOT NULL DEFAULT 1,
  data         TEXT NOT NULL DEFAULT '{}',        -- the fields typed so far (JSON, docs/hub.md)
  progress     TEXT NOT NULL DEFAULT '{}',        -- what the finishing run already made (body, aoo, ...)
  tenant_id    INTEGER,                           -- the body, once created
  completed_at TEXT
);
