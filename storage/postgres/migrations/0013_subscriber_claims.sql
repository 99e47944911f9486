-- Claiming a subscriber writes only claimed_by and claimed_until. With neither indexed,
-- and room left on each page, PostgreSQL updates the row in place (a HOT update) rather
-- than adding an entry to every index of the table for every claim. Clearing expired
-- claims (housekeeping, every ten minutes) reads the table instead.
DROP INDEX IF EXISTS publishing_subscribers_claimed_idx;
ALTER TABLE publishing_subscribers SET (fillfactor = 80);
