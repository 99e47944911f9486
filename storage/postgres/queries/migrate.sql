-- Bookkeeping for storage/postgres/migrate.py: which numbered migrations ran, and when.

-- name: create_migrations_table
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Session-level, so each migration can still commit in its own transaction.
-- Advisory locks are per database: runs against different databases never wait.
-- name: lock_migrations
SELECT pg_advisory_lock($1::bigint);

-- name: unlock_migrations
SELECT pg_advisory_unlock($1::bigint);

-- name: applied_versions
SELECT version FROM schema_migrations ORDER BY version;

-- name: record_migration
INSERT INTO schema_migrations (version, name) VALUES ($1, $2);
