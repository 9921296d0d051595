-- The generation of the inbound credentials (issue 13, "Performance"; src/identity/inbound_service.hpp,
-- "Cost"): a number every change of inbound_credentials raises, whoever makes it (the server, the CLI,
-- another node, a statement by hand), in the same transaction. A server keeps the credentials it read in
-- memory with the generation they were read at, and reads the generation again (with the credentials, in
-- one statement) at most every fraction of a second: a rotated or removed credential is dropped everywhere
-- without a round trip per call.
CREATE TABLE inbound_credentials_generation (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  generation  BIGINT NOT NULL
);
INSERT INTO inbound_credentials_generation (id, generation) VALUES (1, 1);

CREATE FUNCTION inbound_credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE inbound_credentials_generation SET generation = generation + 1 WHERE id = 1;
  RETURN NULL;
END;
$$;
CREATE TRIGGER inbound_credentials_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON inbound_credentials FOR EACH STATEMENT EXECUTE FUNCTION inbound_credentials_changed();
