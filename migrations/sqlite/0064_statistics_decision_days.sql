-- Statistics (docs/statistics.md): the decided figure also sums the time from submission to decision and
-- to the end of the due date (average days to decision next to the legal deadline), so its indexes carry
-- submitted_at to keep the months an index-only read.
DROP INDEX cases_stat_decided;
DROP INDEX cases_stat_decided_all;
CREATE INDEX cases_stat_decided ON cases(tenant_id, decided_at, service_code, channel, state, due_date,
  submitted_at) WHERE decided_at IS NOT NULL;
CREATE INDEX cases_stat_decided_all ON cases(decided_at, tenant_id, service_code, channel, state, due_date,
  submitted_at) WHERE decided_at IS NOT NULL;
-- The kept months were rebuilt without those sums: forget them, the next nightly rebuild (or
-- StatisticsService::rebuild) computes them again from the records; until then the pages read the records.
DELETE FROM statistics_months;
DELETE FROM statistics_rebuilds;
