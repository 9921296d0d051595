-- The generation of the inbound credentials (issue 13, "Performance"; src/identity/inbound_service.hpp,
-- "Cost"): a number every change of inbound_credentials raises, in the same transaction. The server reads
-- SQLite's credentials on every call (no round trip to save); the table and its triggers keep the two
-- schemas alike.
CREATE TABLE inbound_credentials_generation (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  generation  INTEGER NOT NULL
);
INSERT INTO inbound_credentials_generation (id, generation) VALUES (1, 1);

CREATE TRIGGER inbound_credentials_added AFTER INSERT ON inbound_credentials
BEGIN
  UPDATE inbound_credentials_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER inbound_credentials_updated AFTER UPDATE ON inbound_credentials
BEGIN
  UPDATE inbound_credentials_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER inbound_credentials_removed AFTER DELETE ON inbound_credentials
BEGIN
  UPDATE inbound_credentials_generation SET generation = generation + 1 WHERE id = 1;
END;
