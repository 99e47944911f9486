-- publishing_templates: Jinja2 sources per output format and style, versioned so
-- caches (Redis, an hour) can tell a stale copy from the current one.

-- name: get_template
SELECT body FROM publishing_templates WHERE name = $1;

-- An operator's edit: from now on seeding leaves this template alone.
-- name: upsert_template
INSERT INTO publishing_templates AS t (name, output_format, style, body, is_default)
VALUES ($1, $2, $3, $4, false)
ON CONFLICT (name) DO UPDATE SET
    output_format = EXCLUDED.output_format,
    style         = EXCLUDED.style,
    body          = EXCLUDED.body,
    is_default    = false,
    version       = t.version + 1,
    updated_at    = now()
RETURNING version;

-- Seeding adds missing defaults and refreshes shipped ones after an upgrade, but never
-- overwrites an operator's edit (is_default false).
-- name: seed_default_template
INSERT INTO publishing_templates AS t (name, output_format, style, body)
VALUES ($1, $2, $3, $4)
ON CONFLICT (name) DO UPDATE SET
    body = EXCLUDED.body, version = t.version + 1, updated_at = now()
WHERE t.is_default AND t.body <> EXCLUDED.body
RETURNING name;

-- name: list_templates
SELECT name, output_format, style, body, version, updated_at
FROM publishing_templates
ORDER BY name;
