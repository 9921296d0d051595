-- The help desk's knowledge base (docs/helpdesk.md): answers the hub's agents publish, which the bodies'
-- staff search before opening a ticket (the new-ticket form shows the ones matching its subject).
CREATE TABLE helpdesk_answers (
  id           TEXT PRIMARY KEY,
  category     TEXT NOT NULL,
  title        TEXT NOT NULL,
  body         TEXT NOT NULL,
  search_text  TEXT NOT NULL,                        -- lower-case title and body, for LIKE searches
  published_by TEXT NOT NULL,
  published_at TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
CREATE INDEX helpdesk_answers_category ON helpdesk_answers(category);
