-- The help desk (docs/helpdesk.md), issue 19 finished: the knowledge base's answers are versioned (agents
-- edit and withdraw them; every version stays in helpdesk_answer_versions, append-only), and the service
-- centre's office hours and its own holidays are settings the hub edits (the SLA targets, in
-- helpdesk_sla_targets since 0055, get who changed them and when).
ALTER TABLE helpdesk_answers ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE helpdesk_answers ADD COLUMN withdrawn_at TEXT;

CREATE TABLE helpdesk_answer_versions (
  answer_id TEXT NOT NULL REFERENCES helpdesk_answers(id),
  version   BIGINT NOT NULL,
  action    TEXT NOT NULL CHECK (action IN ('publish', 'edit', 'withdraw')),
  category  TEXT NOT NULL,
  title     TEXT NOT NULL,
  body      TEXT NOT NULL,
  actor     TEXT NOT NULL,                              -- the agent's name as shown
  at        TEXT NOT NULL,
  PRIMARY KEY (answer_id, version)
);
INSERT INTO helpdesk_answer_versions (answer_id, version, action, category, title, body, actor, at)
  SELECT id, 1, 'publish', category, title, body, published_by, published_at FROM helpdesk_answers;
CREATE FUNCTION helpdesk_answer_versions_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'helpdesk_answer_versions is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER helpdesk_answer_versions_append_only BEFORE UPDATE OR DELETE ON helpdesk_answer_versions
  FOR EACH ROW EXECUTE FUNCTION helpdesk_answer_versions_refuse();
CREATE TRIGGER helpdesk_answer_versions_no_truncate BEFORE TRUNCATE ON helpdesk_answer_versions
  FOR EACH STATEMENT EXECUTE FUNCTION helpdesk_answer_versions_refuse();

ALTER TABLE helpdesk_sla_targets ADD COLUMN updated_by TEXT;
ALTER TABLE helpdesk_sla_targets ADD COLUMN updated_at TEXT;

-- One row: the office hours in Rome's time, minutes from midnight.
CREATE TABLE helpdesk_office (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  open_minute  INTEGER NOT NULL CHECK (open_minute >= 0 AND open_minute < 1440),
  close_minute INTEGER NOT NULL CHECK (close_minute > open_minute AND close_minute <= 1440),
  updated_by   TEXT,
  updated_at   TEXT
);
INSERT INTO helpdesk_office (id, open_minute, close_minute) VALUES (1, 540, 1080);

-- The service centre's own closing days besides the national holidays (the patron saint's day, a bridge).
CREATE TABLE helpdesk_holidays (
  day      TEXT PRIMARY KEY,                            -- YYYY-MM-DD, Rome
  name     TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL
);
