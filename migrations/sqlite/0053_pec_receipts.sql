-- PEC receipts (issue 17; docs/messaging.md "PEC: receipts"). The job pec.receipts reads each body's PEC
-- mailbox over POP3 every minute and records here every receipt whose provider signature it trusts, once
-- per provider identifier (daticert.xml's `identificativo`): append-only, as the receipts are the legal
-- proof of sending and delivery. `message_id` is the outbox message the receipt is about, when it names
-- one of the body's messages (the Message-ID the hub gave it); NULL otherwise (kept all the same).
CREATE TABLE pec_receipts (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id       INTEGER NOT NULL,
  identificativo  TEXT NOT NULL,           -- the provider's id of the receipt
  kind            TEXT NOT NULL CHECK (kind IN ('accettazione', 'non-accettazione', 'presa-in-carico',
                    'avvenuta-consegna', 'errore-consegna', 'preavviso-errore-consegna', 'rilevazione-virus')),
  message_id      TEXT,                    -- outbox.id, or NULL when it names none of the body's messages
  msgid           TEXT NOT NULL,           -- the Message-ID the receipt is about, as written in it
  recipient       TEXT NOT NULL DEFAULT '',  -- consegna: the recipient a delivery (error) is about
  errore          TEXT NOT NULL DEFAULT 'nessuno',
  errore_esteso   TEXT NOT NULL DEFAULT '',
  provider        TEXT NOT NULL DEFAULT '',  -- gestore-emittente
  issued_at       TEXT NOT NULL DEFAULT '',  -- the receipt's date and time as written (dd/mm/yyyy hh:mm:ss zone)
  signer          TEXT NOT NULL DEFAULT '',  -- the subject of the provider's certificate
  mailbox         TEXT NOT NULL,           -- the body's PEC address it arrived in
  mailbox_uid     TEXT NOT NULL,           -- its POP3 UIDL
  sha256          TEXT NOT NULL,           -- of the whole message as fetched (the mailbox keeps the copy)
  outcome         TEXT NOT NULL,           -- what it did to the message: moved, unchanged, none
  recorded_at     TEXT NOT NULL,
  UNIQUE (tenant_id, identificativo)
);
CREATE INDEX pec_receipts_message ON pec_receipts(tenant_id, message_id);
CREATE TRIGGER pec_receipts_no_update BEFORE UPDATE ON pec_receipts
BEGIN
  SELECT RAISE(ABORT, 'pec_receipts is append-only');
END;
CREATE TRIGGER pec_receipts_no_delete BEFORE DELETE ON pec_receipts
BEGIN
  SELECT RAISE(ABORT, 'pec_receipts is append-only');
END;

-- Every message of a body's mailbox the job has read (receipt or not: a forged receipt, an incoming PEC, a
-- plain e-mail), so that each is fetched once; `outcome` says what it was (recorded, duplicate, or the
-- error code that kept it out: smime.signature, pec.daticert ...).
CREATE TABLE pec_mailbox_seen (
  tenant_id    INTEGER NOT NULL,
  mailbox      TEXT NOT NULL,
  uid          TEXT NOT NULL,
  seen_at      TEXT NOT NULL,
  outcome      TEXT NOT NULL,
  PRIMARY KEY (tenant_id, mailbox, uid)
);

-- The message a fallback stands in for: looked up before queuing another (never two fallbacks of one
-- message) and before a staff retry (never the failed channel again once its fallback is out).
CREATE INDEX outbox_tenant_fallback_of ON outbox(tenant_id, fallback_of);
