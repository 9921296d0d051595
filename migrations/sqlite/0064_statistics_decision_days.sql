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

-- The current month's closed days, kept like the closed months (statistics_months) so that a dashboard
-- reads only today from the records: rebuilt from the records by the same nightly job, never counted
-- up; the rows of a month go once the month is closed (and kept in statistics_months).
CREATE TABLE statistics_days (
  tenant_id  BIGINT NOT NULL,
  day        TEXT NOT NULL,
  figure     TEXT NOT NULL,
  k1         TEXT NOT NULL,
  k2         TEXT NOT NULL,
  n          BIGINT NOT NULL,
  a          BIGINT NOT NULL,
  b          BIGINT NOT NULL,
  c          BIGINT NOT NULL,
  PRIMARY KEY (day, figure, tenant_id, k1, k2)
);
CREATE INDEX statistics_days_body ON statistics_days(tenant_id, figure, day);
CREATE TABLE statistics_day_rebuilds (
  day         TEXT PRIMARY KEY,
  rebuilt_at  TEXT NOT NULL
);
