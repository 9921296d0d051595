-- Statistics (docs/statistics.md): each figure is an aggregate over a body's records in a range of
-- instants, one index range per month. These indexes start with the body and the instant the figure
-- counts by; the received and decided ones also carry the columns grouped on, so a body's months are
-- read from the index alone.
CREATE INDEX cases_stat_submitted ON cases(tenant_id, submitted_at, service_code, channel);
CREATE INDEX cases_stat_decided ON cases(tenant_id, decided_at, service_code, channel, state, due_date)
  WHERE decided_at IS NOT NULL;
CREATE INDEX payment_receipts_stat ON payment_receipts(tenant_id, payment_at);
CREATE INDEX certificate_requests_stat ON certificate_requests(tenant_id, issued_at) WHERE state = 'issued';
CREATE INDEX albo_publications_stat ON albo_publications(tenant_id, registered_at, channel);
