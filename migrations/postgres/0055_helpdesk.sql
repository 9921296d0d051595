-- The hub's help desk (src/helpdesk, docs/helpdesk.md): tickets of the member bodies' staff to the hub's
-- service centre, their append-only history, and the service-level targets per category and priority.

-- A ticket's current state: a projection of its events, written in the same transaction as each event.
CREATE TABLE helpdesk_tickets (
  id                  TEXT PRIMARY KEY,              -- random, in the pages' URLs
  number              BIGINT NOT NULL UNIQUE,       -- shown to people ("#42"), across the hub
  tenant_id           BIGINT NOT NULL,              -- the body the ticket is for
  category            TEXT NOT NULL,
  priority            TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  subject             TEXT NOT NULL,
  state               TEXT NOT NULL CHECK (state IN ('new', 'open', 'waiting', 'resolved', 'closed')),
  channel             TEXT NOT NULL CHECK (channel IN ('web', 'phone')),
  opened_by           TEXT NOT NULL,                 -- staff account id of the body's staff member
  opened_by_name      TEXT NOT NULL,
  logged_by           TEXT NOT NULL DEFAULT '',      -- the agent who logged a phone call
  assignee            TEXT NOT NULL DEFAULT '',      -- staff account id of the agent
  assignee_name       TEXT NOT NULL DEFAULT '',
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  first_response_at   TEXT,
  first_response_s    BIGINT,                       -- business seconds to the first reply
  sla_elapsed_s       BIGINT NOT NULL DEFAULT 0,    -- business seconds counted up to sla_since
  sla_running         BIGINT NOT NULL DEFAULT 1,    -- 0 while waiting for the body, resolved, closed
  sla_since           TEXT NOT NULL,                 -- when the running clock last started
  closed_at           TEXT,
  purged_at           TEXT,                          -- content removed by the retention rule
  version             BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX helpdesk_tickets_tenant ON helpdesk_tickets(tenant_id, created_at);
CREATE INDEX helpdesk_tickets_state ON helpdesk_tickets(state, closed_at);

-- What people wrote: messages to the body (public) and agents' notes (internal). Kept apart from the
-- history so that a redaction or the retention rule can remove the words while the history stays whole.
CREATE TABLE helpdesk_texts (
  id          TEXT PRIMARY KEY,
  ticket_id   TEXT NOT NULL REFERENCES helpdesk_tickets(id),
  tenant_id   BIGINT NOT NULL,
  visibility  TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
  body        TEXT NOT NULL,                         -- '' once redacted or purged
  redacted_at TEXT,
  purged_at   TEXT
);
CREATE INDEX helpdesk_texts_ticket ON helpdesk_texts(ticket_id);

-- The history: one row per event, never changed nor deleted.
CREATE TABLE helpdesk_events (
  ticket_id  TEXT NOT NULL REFERENCES helpdesk_tickets(id),
  seq        BIGINT NOT NULL,
  tenant_id  BIGINT NOT NULL,
  at         TEXT NOT NULL,
  actor_id   TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  actor_side TEXT NOT NULL CHECK (actor_side IN ('body', 'agent', 'system')),
  kind       TEXT NOT NULL,                          -- opened, reply, note, assigned, state, priority, category, redacted, purged
  value      TEXT NOT NULL DEFAULT '',               -- the new state, priority, category, assignee; redacted: the text's event seq
  text_id    TEXT,                                   -- reply, note, opened: helpdesk_texts.id
  PRIMARY KEY (ticket_id, seq)
);
CREATE FUNCTION helpdesk_events_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'helpdesk_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER helpdesk_events_append_only BEFORE UPDATE OR DELETE ON helpdesk_events
  FOR EACH ROW EXECUTE FUNCTION helpdesk_events_refuse();
CREATE TRIGGER helpdesk_events_no_truncate BEFORE TRUNCATE ON helpdesk_events
  FOR EACH STATEMENT EXECUTE FUNCTION helpdesk_events_refuse();

-- Files attached to a ticket's messages (stored by the files module under the ticket's body).
CREATE TABLE helpdesk_attachments (
  ticket_id TEXT NOT NULL REFERENCES helpdesk_tickets(id),
  seq       BIGINT NOT NULL,                        -- the event that carried it
  n         BIGINT NOT NULL,
  tenant_id BIGINT NOT NULL,
  file_id   TEXT NOT NULL,
  name      TEXT NOT NULL,
  purged_at TEXT,
  PRIMARY KEY (ticket_id, seq, n)
);

-- Targets in business minutes (office hours, working days: docs/helpdesk.md).
CREATE TABLE helpdesk_sla_targets (
  category           TEXT NOT NULL,
  priority           TEXT NOT NULL,
  first_response_min BIGINT NOT NULL CHECK (first_response_min > 0),
  resolution_min     BIGINT NOT NULL CHECK (resolution_min > 0),
  PRIMARY KEY (category, priority)
);
INSERT INTO helpdesk_sla_targets (category, priority, first_response_min, resolution_min) VALUES
  ('access', 'urgent', 30, 480),
  ('access', 'high', 120, 1080),
  ('access', 'normal', 480, 2700),
  ('access', 'low', 1080, 5400),
  ('services', 'urgent', 60, 480),
  ('services', 'high', 240, 1080),
  ('services', 'normal', 480, 2700),
  ('services', 'low', 1080, 5400),
  ('payments', 'urgent', 60, 480),
  ('payments', 'high', 240, 1080),
  ('payments', 'normal', 480, 2700),
  ('payments', 'low', 1080, 5400),
  ('protocol', 'urgent', 60, 480),
  ('protocol', 'high', 240, 1080),
  ('protocol', 'normal', 480, 2700),
  ('protocol', 'low', 1080, 5400),
  ('other', 'urgent', 60, 480),
  ('other', 'high', 240, 1080),
  ('other', 'normal', 480, 2700),
  ('other', 'low', 1080, 5400);
