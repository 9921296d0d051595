-- The hub's own audit chain (tenant 0) is anchored at the conservator too (issue 21; docs/conservazione.md,
-- "Audit-chain anchoring"): each package's index carries, besides its body's chain head, the hub's head
-- when the package was made; once a package is accepted that head is held outside the hub.
-- Packages made before this migration carry none (0, '').
ALTER TABLE conservazione_packages ADD COLUMN hub_head_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conservazione_packages ADD COLUMN hub_head_hash TEXT NOT NULL DEFAULT '';
