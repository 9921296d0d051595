-- The albo pretorio online (src/albo, SPEC §6, issue 16): publications numbered gaplessly in a repertory
-- per body and Rome calendar year (MAX + 1 under the body's lock, as the protocol does; a body that moves
-- to the hub mid-year sets the year's first number in albo_number_starts), their documents with SHA-256,
-- outages of the board (detected from the heartbeat, or recorded by a manager with the act declaring
-- them) that extend the periods, and the publication reports (relate). Legal records: never deleted; a
-- publication changes only by annulment, extension of its end, its end being recorded, and its relata.
CREATE TABLE albo_number_starts (
  tenant_id    BIGINT NOT NULL,
  year         BIGINT NOT NULL,
  first_number BIGINT NOT NULL CHECK (first_number >= 1),
  set_by       TEXT NOT NULL,
  set_at       TEXT NOT NULL,
  PRIMARY KEY (tenant_id, year)
);

-- A body's own list of act types; the national vocabulary (albo/model.cpp) when it has none.
CREATE TABLE albo_act_types (
  tenant_id     BIGINT NOT NULL,
  code          TEXT NOT NULL,
  days          BIGINT NOT NULL CHECK (days >= 1),
  personal_data BIGINT NOT NULL DEFAULT 0,   -- a rule requires publishing personal data (banns ...)
  resolution    BIGINT NOT NULL DEFAULT 0,   -- enforceable after the tenth day (TUEL art. 134 c.3)
  PRIMARY KEY (tenant_id, code)
);

CREATE TABLE albo_publications (
  id                  TEXT PRIMARY KEY,         -- UUIDv7
  tenant_id           BIGINT NOT NULL,
  year                BIGINT NOT NULL,
  number              BIGINT NOT NULL CHECK (number >= 1),
  registered_at       TEXT NOT NULL,            -- UTC millis
  act_type            TEXT NOT NULL,
  issuer              TEXT NOT NULL,            -- the issuing body (a union's act on a comune's board)
  office              TEXT NOT NULL,
  responsible         TEXT NOT NULL,            -- person responsible for the procedure
  requester           TEXT,
  subject             TEXT NOT NULL,
  act_number          TEXT,
  act_date            TEXT,                     -- YYYY-MM-DD
  integral            BIGINT NOT NULL DEFAULT 1,  -- 0: an extract of the act
  start_day           TEXT NOT NULL,            -- first day (counts), Rome
  days                BIGINT NOT NULL CHECK (days >= 1),
  start_at            TEXT NOT NULL,            -- 00:00 Rome of start_day, UTC
  base_end_at         TEXT NOT NULL,            -- 24:00 Rome of start_day + days - 1, UTC
  extension_days      BIGINT NOT NULL DEFAULT 0 CHECK (extension_days >= 0),
  end_at              TEXT NOT NULL,            -- base end moved by the outage days
  resolution          BIGINT NOT NULL DEFAULT 0,
  forget_on           TEXT NOT NULL,            -- right to be forgotten: from this day only metadata
  personal_data_flags TEXT,                     -- what the warning found, when the operator confirmed
  personal_data_confirmed_by TEXT,
  created_by          TEXT NOT NULL,
  channel             TEXT NOT NULL CHECK (channel IN ('web', 'api')),
  ended_at            TEXT,                     -- when the job took it off the board
  annulled_at         TEXT,
  annulled_by         TEXT,
  annulment_reason    TEXT,
  UNIQUE (tenant_id, year, number)
);
CREATE INDEX albo_publications_board ON albo_publications(tenant_id, end_at);
CREATE INDEX albo_publications_open ON albo_publications(ended_at, end_at);

CREATE TABLE albo_documents (
  publication_id TEXT NOT NULL REFERENCES albo_publications(id),
  tenant_id      BIGINT NOT NULL,
  position       BIGINT NOT NULL,              -- 0: the act
  role           TEXT NOT NULL CHECK (role IN ('act', 'attachment')),
  file_name      TEXT NOT NULL,
  mime_type      TEXT NOT NULL,
  size           BIGINT NOT NULL,
  sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
  file_id        TEXT NOT NULL,
  PRIMARY KEY (publication_id, position)
);

CREATE TABLE albo_idempotency (
  tenant_id      BIGINT NOT NULL,
  idem_key       TEXT NOT NULL,
  request_sha256 TEXT NOT NULL,
  publication_id TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  PRIMARY KEY (tenant_id, idem_key)
);

-- Outages: tenant 0 for the hub's own (heartbeat), a body's id for one its manager recorded.
CREATE TABLE albo_outages (
  id          BIGSERIAL PRIMARY KEY,
  tenant_id   BIGINT NOT NULL,
  from_at     TEXT NOT NULL,
  to_at       TEXT NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('heartbeat', 'manager')),
  act         TEXT,                            -- the act declaring it (manager)
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  CHECK (to_at > from_at)
);
CREATE TABLE albo_heartbeat (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  beat_at TEXT NOT NULL
);

-- The publication report: prepared by the job at the end, confirmed by the responsible officer, then
-- registered as an outgoing protocol entry.
CREATE TABLE albo_relate (
  publication_id  TEXT PRIMARY KEY REFERENCES albo_publications(id),
  tenant_id       BIGINT NOT NULL,
  prepared_at     TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('waiting', 'confirmed')),
  confirmed_at    TEXT,
  confirmed_by    TEXT,
  file_id         TEXT,                        -- the confirmed PDF
  sha256          TEXT,
  protocol_id     TEXT,
  protocol_text   TEXT                         -- the protocol's segnatura
);
CREATE INDEX albo_relate_waiting ON albo_relate(tenant_id, status);

CREATE FUNCTION albo_no_delete() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '%: legal records are never deleted', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER albo_publications_no_delete BEFORE DELETE ON albo_publications
  FOR EACH ROW EXECUTE FUNCTION albo_no_delete();
CREATE TRIGGER albo_documents_no_delete BEFORE DELETE OR UPDATE ON albo_documents
  FOR EACH ROW EXECUTE FUNCTION albo_no_delete();
CREATE TRIGGER albo_relate_no_delete BEFORE DELETE ON albo_relate
  FOR EACH ROW EXECUTE FUNCTION albo_no_delete();
CREATE TRIGGER albo_outages_no_delete BEFORE DELETE ON albo_outages
  FOR EACH ROW EXECUTE FUNCTION albo_no_delete();
CREATE FUNCTION albo_publications_fixed() RETURNS trigger AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id
     OR NEW.year IS DISTINCT FROM OLD.year OR NEW.number IS DISTINCT FROM OLD.number
     OR NEW.subject IS DISTINCT FROM OLD.subject OR NEW.start_at IS DISTINCT FROM OLD.start_at
     OR NEW.base_end_at IS DISTINCT FROM OLD.base_end_at OR NEW.act_type IS DISTINCT FROM OLD.act_type
     OR (OLD.annulled_at IS NOT NULL AND NEW.annulled_at IS DISTINCT FROM OLD.annulled_at) THEN
    RAISE EXCEPTION 'albo_publications: only annulment, extension and the end may change';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER albo_publications_fixed BEFORE UPDATE ON albo_publications
  FOR EACH ROW EXECUTE FUNCTION albo_publications_fixed();
CREATE FUNCTION albo_relate_confirm_once() RETURNS trigger AS $$
BEGIN
  IF OLD.status = 'confirmed' THEN
    RAISE EXCEPTION 'albo_relate: a confirmed relata never changes';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER albo_relate_confirm_once BEFORE UPDATE ON albo_relate
  FOR EACH ROW EXECUTE FUNCTION albo_relate_confirm_once();
