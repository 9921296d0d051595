-- Credentials of the national systems that call a body (issue 12): the pagoPA node, ANPR notifications,
-- App IO's remote content, SMS delivery reports, another administration's registry. One row per body,
-- system and station; the caller proves itself with the station's secret (only its SHA-256 is kept:
-- secrets are 32 random bytes, so a slow hash adds nothing) or with a client certificate whose SHA-256
-- fingerprint the TLS proxy passes on, and must present the identifiers listed (JSON object, e.g.
-- {"idPA":"00112233445","idStazione":"00112233445_01"}). src/identity/inbound_service.hpp.
CREATE TABLE inbound_credentials (
  id                TEXT PRIMARY KEY,               -- random
  tenant_id         BIGINT NOT NULL,
  system            TEXT NOT NULL,                  -- e.g. pagopa, anpr, appio, sms-delivery
  station           TEXT NOT NULL,                  -- the caller's own name for itself (idStazione, ...)
  secret_hash       TEXT NOT NULL DEFAULT '',       -- SHA-256 hex of the secret; '' = certificate only
  cert_fingerprint  TEXT NOT NULL DEFAULT '',       -- SHA-256 hex of the client certificate; '' = none
  identifiers       TEXT NOT NULL DEFAULT '{}',
  created_at        TEXT NOT NULL,
  rotated_at        TEXT,
  UNIQUE (tenant_id, system, station)
);
CREATE INDEX inbound_credentials_lookup ON inbound_credentials(tenant_id, system);
