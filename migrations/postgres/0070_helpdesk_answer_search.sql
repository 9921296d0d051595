-- The help desk's knowledge base searched with the database's full-text search (issue 19, docs/helpdesk.md
-- "Knowledge base"): ranked, accent-insensitive, an Italian word found in its other forms ("residenza"
-- finds "residenze"). search_title and search_text hold the title and title + text folded (lower case,
-- accents removed: core/text.hpp's fold) by the store, so no extension (unaccent) is needed.
-- PostgreSQL: a generated tsvector with the Italian dictionary (Snowball stemmer and stop words), the
-- title weighing more (A) than the text (B), under a GIN index; the store ranks with ts_rank.
ALTER TABLE helpdesk_answers ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
UPDATE helpdesk_answers
   SET search_title = translate(lower(title), 'àáâäèéêëìíîïòóôöùúûüç', 'aaaaeeeeiiiioooouuuuc'),
       search_text = translate(search_text, 'àáâäèéêëìíîïòóôöùúûüç', 'aaaaeeeeiiiioooouuuuc');
ALTER TABLE helpdesk_answers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('italian', search_title), 'A') || setweight(to_tsvector('italian', search_text), 'B')
) STORED;
CREATE INDEX helpdesk_answers_search ON helpdesk_answers USING GIN (search_vector);
