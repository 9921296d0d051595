-- Issue 18: the hub's standard service packages, the rules for credits, and each body's credit ledger.
-- A body's offered services stay in body_services (the catalog's one truth); the ledger records every
-- change made through packages and credits, append-only.
CREATE TABLE hub_credit_rules (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  min_high     INTEGER NOT NULL DEFAULT 2,   -- fewest high-interactivity services (levels 3-4) a body keeps
  max_high     INTEGER NOT NULL DEFAULT 8,   -- most high-interactivity services a body may have
  cost_level_1 INTEGER NOT NULL DEFAULT 1,   -- credits a service costs at each level
  cost_level_2 INTEGER NOT NULL DEFAULT 2,
  cost_level_3 INTEGER NOT NULL DEFAULT 4,
  cost_level_4 INTEGER NOT NULL DEFAULT 5,
  updated_at   TEXT NOT NULL,
  updated_by   TEXT NOT NULL,
  CHECK (min_high >= 0 AND max_high >= min_high)
);
INSERT INTO hub_credit_rules (id, updated_at, updated_by) VALUES (1, '2026-01-01T00:00:00.000Z', 'system');

CREATE TABLE hub_packages (
  id             INTEGER PRIMARY KEY,
  code           TEXT NOT NULL UNIQUE,
  name_it        TEXT NOT NULL,
  name_en        TEXT NOT NULL DEFAULT '',
  body_kind      TEXT NOT NULL CHECK (body_kind IN ('comune', 'unione', 'provincia', 'comunita_montana')),
  min_population INTEGER NOT NULL DEFAULT 0,
  max_population INTEGER,                    -- NULL: no upper bound
  credits        INTEGER NOT NULL CHECK (credits >= 0),
  updated_at     TEXT NOT NULL,
  updated_by     TEXT NOT NULL
);

CREATE TABLE hub_package_services (
  package_id   INTEGER NOT NULL REFERENCES hub_packages(id) ON DELETE CASCADE,
  service_code TEXT NOT NULL,
  level        INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
  PRIMARY KEY (package_id, service_code)
);

-- The package each body received (NULL package_id: its services predate packages).
CREATE TABLE body_packages (
  tenant_id   INTEGER PRIMARY KEY,
  package_id  INTEGER REFERENCES hub_packages(id),
  assigned_at TEXT NOT NULL
);

-- Every change of a body's package or credits: who, when, what, credits before and after. Never changed.
CREATE TABLE body_credit_ledger (
  id             INTEGER PRIMARY KEY,
  tenant_id      INTEGER NOT NULL,
  seq            INTEGER NOT NULL,
  at             TEXT NOT NULL,
  actor          TEXT NOT NULL,
  action         TEXT NOT NULL,             -- package.assigned, credits.granted, service.added, service.removed, service.level
  service_code   TEXT,
  level_before   INTEGER,
  level_after    INTEGER,
  credits_before INTEGER NOT NULL,
  credits_after  INTEGER NOT NULL CHECK (credits_after >= 0),
  note           TEXT NOT NULL DEFAULT '',
  UNIQUE (tenant_id, seq)
);
CREATE TRIGGER body_credit_ledger_no_update BEFORE UPDATE ON body_credit_ledger
BEGIN
  SELECT RAISE(ABORT, 'body_credit_ledger is append-only');
END;
CREATE TRIGGER body_credit_ledger_no_delete BEFORE DELETE ON body_credit_ledger
BEGIN
  SELECT RAISE(ABORT, 'body_credit_ledger is append-only');
END;
