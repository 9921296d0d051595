-- The back office's queue is filtered, counted, ordered and paged by the database (src/cases/store.cpp),
-- which reads only the page's rows. For that the case row carries its deadline as day numbers (days since
-- 1970-01-01), written by the store in the same statement as every change of state, due date or
-- suspension (src/cases/model.hpp, QueueKeys):
--   due_day              the term's calendar end (submission day + deadline_days + suspended_days)
--   suspended_since_day  suspended_since, while the case is suspended
--   suspended_until_day  the last day the running suspension counts (the applicant's last day to answer a
--                        notice of grounds; the cap of a suspension for additions, when there is one)
--   queue_due_day        the due date the queue shows when it does not move with the calendar: due_date,
--                        plus the applicant's days (10) once a notice of grounds was sent, moved off Sundays
--                        and holidays. A case waiting for additions is ordered by due_day plus the days
--                        waited so far, which the query computes.
-- due_date itself is now the legal due date: a term ending on a Sunday or a national holiday ends on the
-- next working day (src/core/holidays.hpp); existing cases are moved here.
ALTER TABLE cases ADD COLUMN due_day INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN suspended_since_day INTEGER;
ALTER TABLE cases ADD COLUMN suspended_until_day INTEGER;
ALTER TABLE cases ADD COLUMN queue_due_day INTEGER NOT NULL DEFAULT 0;

-- Existing cases (julianday('1970-01-01') = 2440587.5). Their due_date is the calendar end of the term.
UPDATE cases SET
  due_day = CAST(julianday(due_date) - 2440587.5 AS INTEGER),
  suspended_since_day = CASE WHEN suspended_since IS NULL OR state NOT IN ('waiting_for_applicant',
                               'grounds_notified') THEN NULL
                             ELSE CAST(julianday(suspended_since) - 2440587.5 AS INTEGER) END;

-- The national holidays of 2000-2100 as day numbers (src/core/holidays.cpp: the same list, and Easter by
-- the same integer algorithm), to move the existing due dates off them. Day numbers are Sundays when
-- day % 7 = 3 (1970-01-04 was one). No term spans more than three holidays in a row, so four passes of
-- "add a day when it falls on a holiday" are enough.
CREATE TEMP TABLE case_queue_holidays (day INTEGER PRIMARY KEY);
WITH RECURSIVE years(y) AS (SELECT 2000 UNION ALL SELECT y + 1 FROM years WHERE y < 2100),
  e1 AS (SELECT y, y % 19 AS a, y / 100 AS b, y % 100 AS c FROM years),
  e2 AS (SELECT y, a, c, b % 4 AS e, (19 * a + b - b / 4 - (b - (b + 8) / 25 + 1) / 3 + 15) % 30 AS h FROM e1),
  e3 AS (SELECT y, a, h, (32 + 2 * e + 2 * (c / 4) - h - c % 4) % 7 AS l FROM e2),
  e4 AS (SELECT y, h + l - 7 * ((a + 11 * h + 22 * l) / 451) + 114 AS v FROM e3),
  fixed(md) AS (VALUES ('01-01'), ('01-06'), ('04-25'), ('05-01'), ('06-02'), ('08-15'), ('11-01'), ('12-08'),
                       ('12-25'), ('12-26'))
INSERT OR IGNORE INTO case_queue_holidays (day)
  SELECT CAST(julianday(printf('%04d-%02d-%02d', y, v / 31, v % 31 + 1)) - 2440587.5 AS INTEGER) + 1 FROM e4
  UNION SELECT CAST(julianday(printf('%04d-%s', y, md)) - 2440587.5 AS INTEGER) FROM years, fixed
  UNION SELECT CAST(julianday(printf('%04d-10-04', y)) - 2440587.5 AS INTEGER) FROM years WHERE y >= 2026;

-- The legal due date.
UPDATE cases SET queue_due_day = due_day;
UPDATE cases SET queue_due_day = queue_due_day + 1
  WHERE queue_due_day % 7 = 3 OR queue_due_day IN (SELECT day FROM case_queue_holidays);
UPDATE cases SET queue_due_day = queue_due_day + 1
  WHERE queue_due_day % 7 = 3 OR queue_due_day IN (SELECT day FROM case_queue_holidays);
UPDATE cases SET queue_due_day = queue_due_day + 1
  WHERE queue_due_day % 7 = 3 OR queue_due_day IN (SELECT day FROM case_queue_holidays);
UPDATE cases SET queue_due_day = queue_due_day + 1
  WHERE queue_due_day % 7 = 3 OR queue_due_day IN (SELECT day FROM case_queue_holidays);
UPDATE cases SET due_date = date(queue_due_day + 2440587.5) WHERE queue_due_day <> due_day;

-- A pending notice of grounds (the service's default options: 10 days to answer, moved off holidays like
-- any term; no cap on additions): the applicant's last day, and the due date once it has passed.
UPDATE cases SET suspended_until_day = suspended_since_day + 10
  WHERE state = 'grounds_notified' AND suspended_since_day IS NOT NULL;
UPDATE cases SET suspended_until_day = suspended_until_day + 1 WHERE suspended_until_day IS NOT NULL
  AND (suspended_until_day % 7 = 3 OR suspended_until_day IN (SELECT day FROM case_queue_holidays));
UPDATE cases SET suspended_until_day = suspended_until_day + 1 WHERE suspended_until_day IS NOT NULL
  AND (suspended_until_day % 7 = 3 OR suspended_until_day IN (SELECT day FROM case_queue_holidays));
UPDATE cases SET suspended_until_day = suspended_until_day + 1 WHERE suspended_until_day IS NOT NULL
  AND (suspended_until_day % 7 = 3 OR suspended_until_day IN (SELECT day FROM case_queue_holidays));
UPDATE cases SET suspended_until_day = suspended_until_day + 1 WHERE suspended_until_day IS NOT NULL
  AND (suspended_until_day % 7 = 3 OR suspended_until_day IN (SELECT day FROM case_queue_holidays));
UPDATE cases SET queue_due_day = due_day + suspended_until_day - suspended_since_day
  WHERE suspended_until_day IS NOT NULL;
UPDATE cases SET queue_due_day = queue_due_day + 1 WHERE suspended_until_day IS NOT NULL
  AND (queue_due_day % 7 = 3 OR queue_due_day IN (SELECT day FROM case_queue_holidays));
UPDATE cases SET queue_due_day = queue_due_day + 1 WHERE suspended_until_day IS NOT NULL
  AND (queue_due_day % 7 = 3 OR queue_due_day IN (SELECT day FROM case_queue_holidays));
UPDATE cases SET queue_due_day = queue_due_day + 1 WHERE suspended_until_day IS NOT NULL
  AND (queue_due_day % 7 = 3 OR queue_due_day IN (SELECT day FROM case_queue_holidays));
UPDATE cases SET queue_due_day = queue_due_day + 1 WHERE suspended_until_day IS NOT NULL
  AND (queue_due_day % 7 = 3 OR queue_due_day IN (SELECT day FROM case_queue_holidays));
DROP TABLE case_queue_holidays;

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
