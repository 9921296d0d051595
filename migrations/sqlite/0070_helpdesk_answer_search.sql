-- The help desk's knowledge base searched with the database's full-text search (issue 19, docs/helpdesk.md
-- "Knowledge base"): ranked, accent-insensitive, an Italian word found in its other forms ("residenza"
-- finds "residenze"). search_title and search_text hold the title and title + text folded (lower case,
-- accents removed: core/text.hpp's fold) by the store. SQLite: an FTS5 table over them kept by triggers,
-- with the unicode61 tokenizer removing diacritics too; the store ranks with bm25, the title weighing
-- more, and turns each word of five letters or more into a prefix of its stem ("residenz"*).
-- The FTS table holds its own copy keyed by the answer's id (an external-content table keyed by rowid
-- would break when VACUUM renumbers a table without an INTEGER PRIMARY KEY).
ALTER TABLE helpdesk_answers ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
UPDATE helpdesk_answers SET search_title = lower(title);

CREATE VIRTUAL TABLE helpdesk_answers_fts USING fts5(
  answer_id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO helpdesk_answers_fts (answer_id, title, body)
  SELECT id, search_title, search_text FROM helpdesk_answers;

CREATE TRIGGER helpdesk_answers_fts_insert AFTER INSERT ON helpdesk_answers
BEGIN
  INSERT INTO helpdesk_answers_fts (answer_id, title, body) VALUES (NEW.id, NEW.search_title, NEW.search_text);
END;
CREATE TRIGGER helpdesk_answers_fts_update AFTER UPDATE OF search_title, search_text ON helpdesk_answers
BEGIN
  DELETE FROM helpdesk_answers_fts WHERE answer_id = OLD.id;
  INSERT INTO helpdesk_answers_fts (answer_id, title, body) VALUES (NEW.id, NEW.search_title, NEW.search_text);
END;
CREATE TRIGGER helpdesk_answers_fts_delete AFTER DELETE ON helpdesk_answers
BEGIN
  DELETE FROM helpdesk_answers_fts WHERE answer_id = OLD.id;
END;
