-- A digest's item rows are written only with their publication, in its transaction, from
-- content rows the worker has just read (storage/postgres/publications.py). Checking the
-- two references for each of a digest's ~8 rows locked its content row until the commit
-- (a multixact when two workers send the same item) and was a third of PostgreSQL's work
-- per digest. They are no longer checked on insert; the triggers below still delete the
-- rows when their publication or their content row goes, as ON DELETE CASCADE did.
ALTER TABLE publishing_publication_items
    DROP CONSTRAINT IF EXISTS publishing_publication_items_publication_id_fkey,
    DROP CONSTRAINT IF EXISTS publishing_publication_items_content_id_fkey;

-- Deletes follow by statement (one join per statement, also for the deletes a subscriber's
-- or channel's own cascade makes), not by row as a foreign key's cascade did.
CREATE OR REPLACE FUNCTION publication_items_follow_publications() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM publishing_publication_items i USING gone WHERE i.publication_id = gone.id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION publication_items_follow_content() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM publishing_publication_items i USING gone WHERE i.content_id = gone.id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION publication_items_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE publishing_publication_items;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS publication_items_follow ON publishing_publications;
CREATE TRIGGER publication_items_follow AFTER DELETE ON publishing_publications
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION publication_items_follow_publications();

DROP TRIGGER IF EXISTS publication_items_follow ON content_items;
CREATE TRIGGER publication_items_follow AFTER DELETE ON content_items
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION publication_items_follow_content();

-- TRUNCATE fires no delete triggers (and CASCADE no longer reaches the items).
DROP TRIGGER IF EXISTS publication_items_truncate ON publishing_publications;
CREATE TRIGGER publication_items_truncate AFTER TRUNCATE ON publishing_publications
    FOR EACH STATEMENT EXECUTE FUNCTION publication_items_truncate();

DROP TRIGGER IF EXISTS publication_items_truncate ON content_items;
CREATE TRIGGER publication_items_truncate AFTER TRUNCATE ON content_items
    FOR EACH STATEMENT EXECUTE FUNCTION publication_items_truncate();
