-- Tourist information (src/tourism, docs/tourism.md): points of interest and events of each body, edited
-- by its staff and reviewed by the hub's editors before publication; the review history is append-only;
-- each body's own web-site origins that may frame its widget.

CREATE TABLE tourism_items (
  id             TEXT PRIMARY KEY,                  -- UUIDv7
  tenant_id      BIGINT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('poi', 'event')),
  state          TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'published', 'returned')),
  name           TEXT NOT NULL,
  description_it TEXT NOT NULL,
  description_en TEXT NOT NULL DEFAULT '',
  category       TEXT NOT NULL,
  address        TEXT NOT NULL DEFAULT '',
  latitude       DOUBLE PRECISION,
  longitude      DOUBLE PRECISION,
  opening_hours  TEXT NOT NULL DEFAULT '',
  starts_on      TEXT,                              -- events: first day (YYYY-MM-DD), Europe/Rome
  ends_on        TEXT,                              -- events: last day
  image_file_id  TEXT,                              -- files module, the body's store
  image_alt      TEXT NOT NULL DEFAULT '',
  created_by     TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  published_at   TEXT,                              -- the last publication (UTC)
  version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX tourism_items_tenant ON tourism_items(tenant_id, state, updated_at);
CREATE INDEX tourism_items_state ON tourism_items(state, published_at);

-- Every step of an item: saved, submitted, published, returned (with the editor's reason).
CREATE TABLE tourism_item_history (
  item_id    TEXT NOT NULL,
  seq        BIGINT NOT NULL,
  tenant_id  BIGINT NOT NULL,
  action     TEXT NOT NULL CHECK (action IN ('save', 'submit', 'publish', 'return')),
  from_state TEXT NOT NULL,
  to_state   TEXT NOT NULL,
  actor      TEXT NOT NULL,
  at         TEXT NOT NULL,
  reason     TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (item_id, seq)
);
CREATE INDEX tourism_item_history_tenant ON tourism_item_history(tenant_id, at);
CREATE FUNCTION tourism_item_history_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'tourism_item_history is append-only';
END;
$$;
CREATE TRIGGER tourism_item_history_append_only BEFORE UPDATE OR DELETE ON tourism_item_history
  FOR EACH ROW EXECUTE FUNCTION tourism_item_history_refuse_change();

-- The origins (scheme://host[:port]) of the body's own sites allowed to frame its widget.
CREATE TABLE tourism_settings (
  tenant_id      BIGINT PRIMARY KEY,
  widget_origins TEXT NOT NULL DEFAULT '',          -- space-separated
  updated_at     TEXT NOT NULL,
  updated_by     TEXT NOT NULL
);
