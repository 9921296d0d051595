-- Durable background jobs (src/jobs/runner.hpp, docs/jobs.md): one queue for every kind of background
-- work (delivering outbox messages, the protocol's daily register, ...), claimed by the runners of any
-- node. A job is 'queued' until due (run_at), 'running' while a runner holds its lease (claim_token,
-- lease_until), then 'done', or back to 'queued' with a later run_at after a failure, or 'dead' after
-- its kind's last attempt (an operator can queue it again: `sportello jobs retry ID`).
-- tenant_id 0 is the hub. Times are UTC text "YYYY-MM-DDTHH:MM:SSZ" (fixed width: text order is time
-- order).
CREATE TABLE jobs (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind         TEXT NOT NULL,
  tenant_id    BIGINT NOT NULL DEFAULT 0,
  payload      TEXT NOT NULL DEFAULT '',
  unique_key   TEXT,                  -- periodic jobs: the period; others: an idempotency key (or NULL)
  state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'dead')),
  run_at       TEXT NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  claimed_by   TEXT,                  -- the runner (node) holding or last holding it, for operators
  claim_token  TEXT,                  -- fresh per claim: a runner whose lease was taken over writes nothing
  lease_until  TEXT,
  last_error   TEXT,
  created_at   TEXT NOT NULL,
  finished_at  TEXT,
  UNIQUE (kind, unique_key)           -- two nodes cannot both queue one period (NULL keys never clash)
);
CREATE INDEX jobs_due ON jobs(state, run_at);

-- Per periodic kind, the last period queued: the scheduler's cursor. Advanced in the same transaction
-- that queues the periods after it, so each period is queued once however many nodes run.
CREATE TABLE job_schedules (
  kind        TEXT PRIMARY KEY,
  last_period TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

-- Messages waiting in the outbox become jobs of the kind that delivers them (the outbox's own claim
-- columns are no longer used; its rows stay the message store).
INSERT INTO jobs (kind, tenant_id, payload, unique_key, state, run_at, attempts, created_at)
  SELECT 'messaging.send', tenant_id, id, id, 'queued', next_attempt_at, attempts, created_at
  FROM outbox WHERE status IN ('pending', 'sending');
