-- Hubs, member bodies (tenants) and the service catalog.
CREATE TABLE hubs (
  id           INTEGER PRIMARY KEY,
  slug         TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL,
  fiscal_code  TEXT,
  pec          TEXT,
  description_it TEXT NOT NULL DEFAULT '',
  description_en TEXT NOT NULL DEFAULT '',
  created_at   TEXT NOT NULL
);

CREATE TABLE bodies (
  id            INTEGER PRIMARY KEY,
  hub_id        INTEGER NOT NULL REFERENCES hubs(id),
  kind          TEXT NOT NULL CHECK (kind IN ('comune', 'unione', 'provincia', 'comunita_montana')),
  slug          TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  istat_code    TEXT,
  belfiore_code TEXT,
  fiscal_code   TEXT NOT NULL,
  pec           TEXT,
  logo_path     TEXT,
  color_primary TEXT NOT NULL DEFAULT '#0066CC',
  population    INTEGER,
  province      TEXT,
  region        TEXT,
  host_name     TEXT UNIQUE,
  description_it TEXT NOT NULL DEFAULT '',
  description_en TEXT NOT NULL DEFAULT '',
  active        INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT NOT NULL
);
CREATE INDEX bodies_hub ON bodies(hub_id);

CREATE TABLE life_events (
  code     TEXT PRIMARY KEY,
  position INTEGER NOT NULL,
  title_it TEXT NOT NULL, title_en TEXT NOT NULL,
  description_it TEXT NOT NULL DEFAULT '', description_en TEXT NOT NULL DEFAULT '',
  icon     TEXT NOT NULL DEFAULT ''
);

CREATE TABLE thematic_areas (
  code     TEXT PRIMARY KEY,
  title_it TEXT NOT NULL, title_en TEXT NOT NULL
);

CREATE TABLE services (
  id              INTEGER PRIMARY KEY,
  code            TEXT NOT NULL UNIQUE,
  title_it        TEXT NOT NULL, title_en TEXT NOT NULL,
  summary_it      TEXT NOT NULL DEFAULT '', summary_en TEXT NOT NULL DEFAULT '',
  description_it  TEXT NOT NULL DEFAULT '', description_en TEXT NOT NULL DEFAULT '',
  life_event      TEXT NOT NULL REFERENCES life_events(code),
  area            TEXT NOT NULL REFERENCES thematic_areas(code),
  audience        TEXT NOT NULL CHECK (audience IN ('citizens', 'businesses')),
  level           INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
  fee_cents       INTEGER CHECK (fee_cents IS NULL OR fee_cents >= 0),
  fee_note_it     TEXT, fee_note_en TEXT,
  deadline_days   INTEGER CHECK (deadline_days IS NULL OR deadline_days >= 0),
  office_it       TEXT NOT NULL DEFAULT '', office_en TEXT NOT NULL DEFAULT '',
  documents_it    TEXT NOT NULL DEFAULT '',  -- one required document per line
  documents_en    TEXT NOT NULL DEFAULT '',
  spid_level      INTEGER NOT NULL DEFAULT 2 CHECK (spid_level BETWEEN 0 AND 3),
  silence_consent INTEGER NOT NULL DEFAULT 0,
  legal_basis     TEXT,
  search_text     TEXT NOT NULL DEFAULT ''   -- lower-case, accent-folded titles and summaries
);
CREATE INDEX services_life_event ON services(life_event);

-- A body's variant of a catalog service: which it offers, at which level, with its own fee/office/notes.
CREATE TABLE body_services (
  tenant_id    INTEGER NOT NULL REFERENCES bodies(id),
  service_id   INTEGER NOT NULL REFERENCES services(id),
  level        INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
  fee_cents    INTEGER CHECK (fee_cents IS NULL OR fee_cents >= 0),
  office_it    TEXT, office_en TEXT,
  notes_it     TEXT, notes_en TEXT,
  activated_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, service_id)
);
CREATE INDEX body_services_service ON body_services(service_id);
