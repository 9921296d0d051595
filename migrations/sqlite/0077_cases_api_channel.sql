-- Applications submitted through the API (issue 19, "per channel (web, counter, API)"): a body's own
-- systems and the intermediaries it gives an API key to (CAF, patronati) submit for a named citizen with
-- POST /api/v1/backoffice/{slug}/applications; such a case has the channel 'api' (docs/statistics.md).
-- SQLite cannot change a CHECK, and rebuilding `cases` (millions of rows, referenced by seven tables,
-- with triggers and a dozen indexes) is what the docs' "generalized ALTER TABLE" avoids for a widened
-- CHECK: the stored definition is edited in place (https://sqlite.org/lang_altertable.html, "making other
-- kinds of table schema changes"), which every existing row satisfies since the check only grows.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (channel IN (''online'', ''counter''))',
                     'CHECK (channel IN (''online'', ''counter'', ''api''))')
 WHERE type = 'table' AND name = 'cases';
PRAGMA writable_schema = RESET;
-- The edit must have happened (a definition written differently would leave the old check): refused
-- otherwise, and the whole migration rolls back.
CREATE TEMP TABLE m0077_check (edited INTEGER NOT NULL CHECK (edited = 1));
INSERT INTO m0077_check
  SELECT COUNT(*) FROM sqlite_schema
   WHERE type = 'table' AND name = 'cases' AND sql LIKE '%(''online'', ''counter'', ''api'')%';
DROP TABLE m0077_check;
-- A schema change of the main database, so that every other connection reloads the definition.
CREATE TABLE m0077_schema_cookie (x INTEGER);
DROP TABLE m0077_schema_cookie;
