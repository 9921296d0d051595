-- The language a person is written to in (issue 11, point 2): the notices of their cases (request for
-- additions, decision, notice of grounds, staff messages) go out by e-mail/SMS in Italian or English.
-- Chosen on the profile page; a person signing in for the first time gets the language they were using
-- on the site. Everyone already here keeps Italian.
ALTER TABLE persons ADD COLUMN preferred_language TEXT NOT NULL DEFAULT 'it'
  CHECK (preferred_language IN ('it', 'en'));
