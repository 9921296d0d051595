-- Issue 18 (review): a standard package may set its own limits on high-interactivity services (levels 3-4),
-- a large comune's package allowing more than a small one's; NULL keeps the hub's rules (hub_credit_rules).
ALTER TABLE hub_packages ADD COLUMN min_high INTEGER;
ALTER TABLE hub_packages ADD COLUMN max_high INTEGER;
