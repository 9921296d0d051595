-- Applications submitted through the API (issue 19, "per channel (web, counter, API)"): a body's own
-- systems and the intermediaries it gives an API key to (CAF, patronati) submit for a named citizen with
-- POST /api/v1/backoffice/{slug}/applications; such a case has the channel 'api' (docs/statistics.md).
ALTER TABLE cases DROP CONSTRAINT IF EXISTS cases_channel_check;
ALTER TABLE cases ADD CONSTRAINT cases_channel_check CHECK (channel IN ('online', 'counter', 'api'));
