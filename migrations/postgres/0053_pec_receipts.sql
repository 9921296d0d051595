-- PEC receipts (issue 17; docs/messaging.md "PEC: receipts"). The job pec.receipts reads each body's PEC
-- mailbox over POP3 every minute and records here every receipt whose provider signature it trusts, once
-- per provider identifier (daticert.xml's `identificativo`): append-only, as the receipts are the legal
-- proof of sending and delivery. `message_id` is the outbox message the receipt is about, when it names
-- one of the body's messages (the Message-ID the hub gave it); NULL otherwise (kept all the same).
CREATE TABLE pec_receipts (
  id              BIGSERIAL PRIMARY KEY,
  tenant_id       BIGINT NOT NULL,
  identificativo  TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('accettazione', 'non-accettazione', 'presa-in-carico',
                    'avvenuta-consegna', 'errore-consegna', 'preavviso-errore-consegna', 'rilevazione-virus')),
  message_id      TEXT,
  msgid           TEXT NOT NULL,
  recipient       TEXT NOT NULL DEFAULT '',
  errore          TEXT NOT NULL DEFAULT 'nessuno',
  errore_esteso   TEXT NOT NULL DEFAULT '',
  provider        TEXT NOT NULL DEFAULT '',
  issued_at       TEXT NOT NULL DEFAULT '',
  signer          TEXT NOT NULL DEFAULT '',
  mailbox         TEXT NOT NULL,
  mailbox_uid     TEXT NOT NULL,
  sha256          TEXT NOT NULL,
  outcome         TEXT NOT NULL,
  recorded_at     TEXT NOT NULL,
  UNIQUE (tenant_id, identificativo)
);
CREATE INDEX pec_receipts_message ON pec_receipts(tenant_id, message_id);
CREATE FUNCTION pec_receipts_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'pec_receipts is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER pec_receipts_append_only BEFORE UPDATE OR DELETE ON pec_receipts
  FOR EACH ROW EXECUTE FUNCTION pec_receipts_refuse_change();
CREATE TRIGGER pec_receipts_no_truncate BEFORE TRUNCATE ON pec_receipts
  FOR EACH STATEMENT EXECUTE FUNCTION pec_receipts_refuse_change();

CREATE TABLE pec_mailbox_seen (
  tenant_id    BIGINT NOT NULL,
  mailbox      TEXT NOT NULL,
  uid          TEXT NOT NULL,
  seen_at      TEXT NOT NULL,
  outcome      TEXT NOT NULL,
  PRIMARY KEY (tenant_id, mailbox, uid)
);

-- The message a fallback stands in for: looked up before queuing another (never two fallbacks of one
-- message) and before a staff retry (never the failed channel again once its fallback is out).
CREATE INDEX outbox_tenant_fallback_of ON outbox(tenant_id, fallback_of);
