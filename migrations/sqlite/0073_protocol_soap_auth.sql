-- Who may call the hub's AgID SOAP interfaces (docs/protocollo-interop.md, "Who may call"): ModI
-- ID_AUTH_SOAP_02, a WS-Security signature of the calling registry office checked by the hub.
--
-- The registry offices outside the hub each body trusts, with the certificate they sign their calls with
-- (registered by the body's administrators on the registry offices' page; every change audited). A call
-- to one of the body's offices is believed only when signed with one of these certificates (or a hub
-- member's own xml-signing certificate) and only for the office the certificate is registered for.
CREATE TABLE protocol_soap_peers (
  id          TEXT PRIMARY KEY,
  tenant_id   INTEGER NOT NULL,
  admin_code  TEXT NOT NULL,   -- the calling administration's IPA code
  aoo_code    TEXT NOT NULL,   -- and its registry office's
  name        TEXT NOT NULL,
  cert_pem    TEXT NOT NULL,
  cert_sha256 TEXT NOT NULL,   -- hex SHA-256 of the certificate's DER (what a call is matched by)
  subject     TEXT NOT NULL,
  not_after   TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  created_by  TEXT NOT NULL
);
CREATE UNIQUE INDEX protocol_soap_peers_cert ON protocol_soap_peers(tenant_id, admin_code, aoo_code, cert_sha256);
CREATE INDEX protocol_soap_peers_by_sha ON protocol_soap_peers(tenant_id, cert_sha256);

-- The wsa:MessageID of every call accepted, until its Timestamp has expired (plus the clock skew
-- allowed): a second call with the same id is a replay. The primary key is the guarantee between nodes:
-- two nodes cannot both insert the same id, so only one accepts it.
CREATE TABLE protocol_soap_message_ids (
  tenant_id  INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, message_id)
);
CREATE INDEX protocol_soap_message_ids_expiry ON protocol_soap_message_ids(expires_at);
