-- PostgreSQL only (a function taking the audit chain's lock and reading its head in one round trip): on
-- SQLite the single writer already serialises appends and the head is read as before. The number is kept
-- so that both dialects have the same migrations.
SELECT 1;
