-- One round trip instead of two for every audit entry (src/audit/store.cpp, AuditStore::lock_and_head):
-- takes the tenant's chain lock (the same transaction-scoped advisory lock as before, same keys) and then
-- reads the chain's head. The function is VOLATILE, so under READ COMMITTED its SELECT takes a snapshot of
-- its own after the lock is granted and sees the entry committed by whoever held the lock before: exactly
-- what the former two statements (lock, then SELECT) guaranteed. A single SELECT calling the lock and
-- reading the head in the same statement would not: its snapshot is taken before it waits for the lock.
CREATE FUNCTION audit_chain_head(t BIGINT) RETURNS TABLE (seq BIGINT, hash TEXT, key_id TEXT)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(20240302, CAST(MOD(t, 2147483647) AS INTEGER));
  RETURN QUERY SELECT a.seq, a.hash, a.key_id FROM audit_log a WHERE a.tenant_id = t
    ORDER BY a.seq DESC LIMIT 1;
END;
$$;
