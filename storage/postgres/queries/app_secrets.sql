-- app_secrets: generated once, then shared by every process through the database.

-- The first process to start wins; the others read its value.
-- name: ensure_secret
WITH inserted AS (
    INSERT INTO app_secrets (name, value) VALUES ($1, $2)
    ON CONFLICT (name) DO NOTHING
    RETURNING value
)
SELECT value FROM inserted
UNION ALL
SELECT value FROM app_secrets WHERE name = $1
LIMIT 1;
