-- slack_installations and slack_bots: Bolt's installation store (OAuth, many workspaces).
-- $1 is always the app's client id, so two apps can share one database.

-- name: save_slack_installation
INSERT INTO slack_installations AS i (
    client_id, enterprise_id, team_id, user_id, is_enterprise_install, data
) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (client_id, enterprise_id, team_id, user_id) DO UPDATE SET
    is_enterprise_install = EXCLUDED.is_enterprise_install,
    data                  = EXCLUDED.data,
    installed_at          = now();

-- name: save_slack_bot
INSERT INTO slack_bots AS b (client_id, enterprise_id, team_id, is_enterprise_install, data)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (client_id, enterprise_id, team_id) DO UPDATE SET
    is_enterprise_install = EXCLUDED.is_enterprise_install,
    data                  = EXCLUDED.data,
    installed_at          = now();

-- name: find_slack_bot
SELECT data FROM slack_bots
WHERE client_id = $1 AND enterprise_id = $2 AND team_id = $3;

-- Without a user: the workspace's latest installation, whoever installed it.
-- name: find_slack_installation
SELECT data FROM slack_installations
WHERE client_id = $1 AND enterprise_id = $2 AND team_id = $3
  AND ($4::text IS NULL OR user_id = $4::text)
ORDER BY installed_at DESC, id DESC
LIMIT 1;

-- name: delete_slack_bot
DELETE FROM slack_bots WHERE client_id = $1 AND enterprise_id = $2 AND team_id = $3;

-- name: delete_slack_installation
DELETE FROM slack_installations
WHERE client_id = $1 AND enterprise_id = $2 AND team_id = $3
  AND ($4::text IS NULL OR user_id = $4::text);
