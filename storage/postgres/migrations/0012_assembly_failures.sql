-- A digest that fails to assemble stays due and is tried again; these count the failures
-- in a row (reset by the next digest) so retries back off and admins hear of a stuck one.
ALTER TABLE publishing_subscribers
    ADD COLUMN IF NOT EXISTS assembly_failures INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS last_failure TEXT;
