-- Registry certificates requested from ANPR (src/certificates, SPEC §5, issue 15): online by a person
-- about themselves or a member of their household, or at the counter by an operator for anyone registered
-- in ANPR. ANPR produces the certificate; the hub keeps its PDF byte for byte (stored_files) with its
-- SHA-256. A request is a legal record: never deleted; it only moves forward (awaiting_payment → queued →
-- issued | refused). anpr_operation_id is fixed before the first call to ANPR and kept for the
-- retries, so that a retried call gets ANPR's first answer again instead of a second certificate.
CREATE TABLE certificate_requests (
  id                TEXT PRIMARY KEY,             -- UUIDv7
  tenant_id         INTEGER NOT NULL,
  token             TEXT NOT NULL UNIQUE,         -- random, in the citizen's URLs
  channel           TEXT NOT NULL,                -- online | counter
  requester_cf      TEXT NOT NULL,
  requester_name    TEXT NOT NULL,               -- as shown
  requester_surname TEXT NOT NULL,               -- as ANPR wants them (cognome, nome)
  requester_first   TEXT NOT NULL,
  requester_type    INTEGER NOT NULL,               -- ANPR tipoRichiedente: 1 other, 2 self, 3 public body
  operator          TEXT NOT NULL DEFAULT '',     -- counter: the operator who issued it
  subject_cf        TEXT NOT NULL,
  subject_name      TEXT NOT NULL,
  subject_surname   TEXT NOT NULL,
  subject_first     TEXT NOT NULL,
  kind              TEXT NOT NULL,                -- the offered certificate (certificates/model.cpp)
  types             TEXT NOT NULL,                -- ANPR table 13 codes, comma-separated
  purpose           TEXT NOT NULL DEFAULT '',
  exemption         INTEGER NOT NULL DEFAULT 0,     -- ANPR table 39; 0 = stamp duty due
  exemption_text    TEXT NOT NULL DEFAULT '',     -- code 99 only; never printed
  stamp_duty        INTEGER NOT NULL,               -- cents
  fees              INTEGER NOT NULL,               -- diritti di segreteria, cents
  stamp_mode        INTEGER NOT NULL DEFAULT 0,     -- ANPR bolloVirtuale: 1 virtual (pagoPA), 9 other (counter)
  iupd              TEXT NOT NULL DEFAULT '',     -- the pagoPA position paying the duty and fees
  iuv               TEXT NOT NULL DEFAULT '',
  state             TEXT NOT NULL,
  anpr_operation_id TEXT NOT NULL DEFAULT '',
  anpr_protocol     TEXT NOT NULL DEFAULT '',
  file_id           TEXT NOT NULL DEFAULT '',
  sha256            TEXT NOT NULL DEFAULT '',
  refusal_code      TEXT NOT NULL DEFAULT '',
  created_at        TEXT NOT NULL,
  paid_at           TEXT NOT NULL DEFAULT '',
  issued_at         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX certificate_requests_requester ON certificate_requests (tenant_id, requester_cf, created_at);
CREATE INDEX certificate_requests_iuv ON certificate_requests (tenant_id, iuv);
