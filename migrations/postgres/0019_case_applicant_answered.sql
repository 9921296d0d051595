-- When the applicant last answered (additions, observations to a notice of grounds) with no staff action
-- since: the queue shows it, so an office sees at a glance which cases have an answer to read
-- (issue 11, point 6). NULL once staff act on the case.
ALTER TABLE cases ADD COLUMN applicant_answered_at TEXT;
