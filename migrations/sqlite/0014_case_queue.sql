-- The back office's queue is filtered, counted, ordered and paged by the database (src/cases/store.cpp),
-- which reads only the page's rows. For that the case row carries its deadline as day numbers (days since
-- 1970-01-01), written by the store in the same statement as every change of state, due date or
-- suspension (src/cases/model.hpp, QueueKeys):
--   due_day              due_date
--   suspended_since_day  suspended_since, while the case is suspended
--   suspended_until_day  the last day the running suspension counts (the applicant's last day to answer a
--                        notice of grounds; the cap of a suspension for additions, when there is one)
--   queue_due_day        the due date the queue shows when it does not move with the calendar: due_date,
--                        plus the applicant's days (10) once a notice of grounds was sent. A case waiting for
--                        additions is ordered by due_day plus the days waited so far, which the query
--                        computes.
ALTER TABLE cases ADD COLUMN due_day INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN suspended_since_day INTEGER;
ALTER TABLE cases ADD COLUMN suspended_until_day INTEGER;
ALTER TABLE cases ADD COLUMN queue_due_day INTEGER NOT NULL DEFAULT 0;

-- Existing cases (julianday('1970-01-01') = 2440587.5).
UPDATE cases SET
  due_day = CAST(julianday(due_date) - 2440587.5 AS INTEGER),
  suspended_since_day = CASE WHEN suspended_since IS NULL OR state NOT IN ('waiting_for_applicant',
                               'grounds_notified') THEN NULL
                             ELSE CAST(julianday(suspended_since) - 2440587.5 AS INTEGER) END;
-- With the service's default options: 10 days to answer a notice of grounds, no cap on additions.
UPDATE cases SET
  suspended_until_day = CASE WHEN state = 'grounds_notified' THEN suspended_since_day + 10 END,
  queue_due_day = due_day
    + CASE WHEN state = 'grounds_notified' AND suspended_since_day IS NOT NULL THEN 10 ELSE 0 END;

-- Index order is queue order. The open cases' indexes are partial, so that decided cases (the many, with
-- old due dates) are never walked through; the queries repeat the predicate word for word, which is what
-- lets SQLite use them.
DROP INDEX cases_queue;
CREATE INDEX cases_open_queue ON cases(tenant_id, queue_due_day, submitted_at, id)
  WHERE state NOT IN ('accepted', 'rejected', 'withdrawn', 'closed');
CREATE INDEX cases_open_office_queue ON cases(tenant_id, office, queue_due_day, submitted_at, id)
  WHERE state NOT IN ('accepted', 'rejected', 'withdrawn', 'closed');
CREATE INDEX cases_state_queue ON cases(tenant_id, state, queue_due_day, submitted_at, id);
-- The queue's list of offices, its count for one office (covering), and the cases of one office waiting for
-- additions (tenant, office and state all equal: the few rows of the queue's second branch).
CREATE INDEX cases_office_state ON cases(tenant_id, office, state);
