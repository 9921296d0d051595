-- Alerts to the population (src/alerts, docs/alerts.md): a body's alert is a fan-out over a segment of
-- its population through the messaging outbox, one message per recipient and channel whose id is an
-- idempotency key derived from the alert, the channel and the address.

-- The body's administrators' cost cap for one alert's SMS (euro cents), shown at each send.
CREATE TABLE alert_settings (
  tenant_id      BIGINT PRIMARY KEY,
  cost_cap_cents BIGINT NOT NULL CHECK (cost_cap_cents >= 0),
  updated_at     TEXT NOT NULL,
  updated_by     TEXT NOT NULL
);

CREATE TABLE alerts (
  id             TEXT PRIMARY KEY,                  -- UUIDv7
  tenant_id      BIGINT NOT NULL,
  category       TEXT NOT NULL,                     -- school_closure, water_cut, road_works, civil_protection
  title          TEXT NOT NULL,
  body           TEXT NOT NULL,
  segment_kind   TEXT NOT NULL CHECK (segment_kind IN ('all', 'streets', 'school', 'topic')),
  segment_value  TEXT NOT NULL DEFAULT '',          -- streets: "VIA ROMA|CORSO ALFIERI"; school: its code
  state          TEXT NOT NULL CHECK (state IN ('draft', 'sending', 'paused', 'cancelled', 'done')),
  created_by     TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  confirmed_by   TEXT,
  confirmed_at   TEXT,
  preview        TEXT NOT NULL DEFAULT '',          -- JSON: recipients per channel shown when confirmed
  cost_cents     BIGINT NOT NULL DEFAULT 0,        -- the SMS cost shown when confirmed
  cost_cap_cents BIGINT NOT NULL DEFAULT 0,        -- the cap in force then
  targets        BIGINT NOT NULL DEFAULT -1,       -- recipients written to alert_targets (-1: not yet)
  cursor         BIGINT NOT NULL DEFAULT 0,        -- the last alert_targets.seq handed to the outbox
  slots          TEXT NOT NULL DEFAULT '',          -- JSON: per channel, the next free sending slot
  fanout_round   BIGINT NOT NULL DEFAULT 0,
  finished_at    TEXT,
  version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX alerts_tenant ON alerts(tenant_id, created_at);

-- The recipients of an alert, frozen by the fan-out's first round (seq: the order they are sent in).
CREATE TABLE alert_targets (
  alert_id   TEXT NOT NULL,
  seq        BIGINT NOT NULL,
  tenant_id  BIGINT NOT NULL,
  channel    TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'pec', 'appio')),
  address    TEXT NOT NULL,                         -- e-mail, E.164 number, or fiscal code (appio)
  person     TEXT NOT NULL DEFAULT '',              -- fiscal code when known (their area lists the alert)
  fallbacks  TEXT NOT NULL DEFAULT '',              -- JSON [{"channel","address"}]
  lang       TEXT NOT NULL DEFAULT 'it',
  message_id TEXT,                                  -- the outbox message once written (= idempotency key)
  PRIMARY KEY (alert_id, seq),
  UNIQUE (alert_id, channel, address)
);
CREATE INDEX alert_targets_person ON alert_targets(person);

-- People following topics (and streets) without signing in, by a verified e-mail or mobile number.
CREATE TABLE alert_subscriptions (
  id              TEXT PRIMARY KEY,                 -- random, in the verification page's URL
  tenant_id       BIGINT NOT NULL,
  channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
  address         TEXT NOT NULL,
  topics          TEXT NOT NULL,                    -- "school_closure,water_cut"
  streets         TEXT NOT NULL DEFAULT '',         -- "VIA ROMA|CORSO ALFIERI"; '' the whole comune
  lang            TEXT NOT NULL DEFAULT 'it',
  state           TEXT NOT NULL CHECK (state IN ('pending', 'active', 'stopped')),
  code_salt       TEXT,
  code_hash       TEXT,
  code_expires_at TEXT,
  code_attempts   BIGINT NOT NULL DEFAULT 0,
  code_sent_at    TEXT,
  created_at      TEXT NOT NULL,
  verified_at     TEXT,
  stopped_at      TEXT,
  UNIQUE (tenant_id, channel, address)
);

-- How each address stops receiving a body's alerts: the token of the link every alert carries, and
-- when and how it stopped (link, sms).
CREATE TABLE alert_stops (
  tenant_id  BIGINT NOT NULL,
  channel    TEXT NOT NULL,
  address    TEXT NOT NULL,
  token      TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  stopped_at TEXT,
  stop_how   TEXT,
  PRIMARY KEY (tenant_id, channel, address)
);

-- Consent given and withdrawn (what, when, how): append-only.
CREATE TABLE alert_consents (
  id              BIGSERIAL PRIMARY KEY,
  tenant_id       BIGINT NOT NULL,
  channel         TEXT NOT NULL,
  address         TEXT NOT NULL,
  action          TEXT NOT NULL CHECK (action IN ('given', 'withdrawn')),
  what            TEXT NOT NULL,                    -- JSON: topics, streets, the text's version
  how             TEXT NOT NULL,                    -- web_code_email, web_code_sms, link, sms_stop
  at              TEXT NOT NULL,
  remote_addr     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alert_consents_address ON alert_consents(tenant_id, channel, address);
CREATE FUNCTION alert_consents_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'alert_consents is append-only';
END;
$$;
CREATE TRIGGER alert_consents_append_only BEFORE UPDATE OR DELETE ON alert_consents
  FOR EACH ROW EXECUTE FUNCTION alert_consents_refuse_change();

-- The outbox's fallbacks of a message, read by the alerts' statistics ("fallen back").
CREATE INDEX outbox_fallback_of ON outbox(fallback_of);
