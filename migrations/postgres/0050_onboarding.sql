-- Issue 18: onboarding a member body. Half-finished onboardings kept as drafts, and the protocol number a
-- registry office continues from when it moves from other software mid-year (protocollo/continuation.hpp).
ALTER TABLE aoo ADD COLUMN start_year INTEGER;
ALTER TABLE aoo ADD COLUMN start_number BIGINT;

CREATE TABLE hub_onboarding_drafts (
  id           TEXT PRIMARY KEY,
  created_by   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  step         INTEGER NOT NULL DEFAULT 1,
  data         TEXT NOT NULL DEFAULT '{}',
  progress     TEXT NOT NULL DEFAULT '{}',
  tenant_id    BIGINT,
  completed_at TEXT
);
