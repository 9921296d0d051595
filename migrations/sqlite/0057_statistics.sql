-- Statistics (docs/statistics.md): each figure is an aggregate over a body's records in a range of
-- instants, one index range per month. These indexes start with the body and the instant the figure
-- counts by; the received and decided ones also carry the columns grouped on, so a body's months are
-- read from the index alone.
CREATE INDEX cases_stat_submitted ON cases(tenant_id, submitted_at, service_code, channel);
CREATE INDEX cases_stat_decided ON cases(tenant_id, decided_at, service_code, channel, state, due_date)
  WHERE decided_at IS NOT NULL;
-- The hub's dashboard reads every body's cases of its current month: by the instant first.
CREATE INDEX cases_stat_submitted_all ON cases(submitted_at, tenant_id, service_code, channel);
CREATE INDEX cases_stat_decided_all ON cases(decided_at, tenant_id, service_code, channel, state, due_date)
  WHERE decided_at IS NOT NULL;
CREATE INDEX payment_receipts_stat ON payment_receipts(tenant_id, payment_at);
CREATE INDEX certificate_requests_stat ON certificate_requests(tenant_id, issued_at) WHERE state = 'issued';
CREATE INDEX albo_publications_stat ON albo_publications(tenant_id, registered_at, channel);

-- The closed months' figures, kept so that the dashboards do not read years of records on each request:
-- rebuilt from the records by the nightly job statistics.rebuild (the last 13 closed months each night),
-- never counted up. One row per body, month, figure and dimension: the facts of StatisticsStore's
-- queries (k1, k2: service code or channel; n: the count; a, b, c: the figure's other measures).
CREATE TABLE statistics_months (
  tenant_id  BIGINT NOT NULL,
  month      TEXT NOT NULL,
  figure     TEXT NOT NULL,
  k1         TEXT NOT NULL,
  k2         TEXT NOT NULL,
  n          BIGINT NOT NULL,
  a          BIGINT NOT NULL,
  b          BIGINT NOT NULL,
  c          BIGINT NOT NULL,
  PRIMARY KEY (month, figure, tenant_id, k1, k2)
);
CREATE INDEX statistics_months_body ON statistics_months(tenant_id, figure, month);
-- When each month was last rebuilt (shown on the dashboards as the figures' freshness).
CREATE TABLE statistics_rebuilds (
  month       TEXT PRIMARY KEY,
  rebuilt_at  TEXT NOT NULL
);
