-- The keyed audit chain (src/audit/chain.hpp, format v2): each new entry's hash is an HMAC-SHA256 with
-- a key kept outside the database (audit_key_file), and `key_id` names that key so entries stay
-- verifiable when keys rotate. NULL marks the entries written before the chain was keyed (format v1,
-- plain SHA-256): `sportello audit verify` says they are only hash-chained.
--
-- Adding a column is not an UPDATE: the append-only triggers audit_log_no_update and
-- audit_log_no_delete stay as they are and keep refusing changes to every row, old and new.
ALTER TABLE audit_log ADD COLUMN key_id TEXT;
