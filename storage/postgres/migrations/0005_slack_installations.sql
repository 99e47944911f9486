-- Slack OAuth installations (one row per workspace installer) and their bots (one per
-- workspace), kept by storage/postgres/slack_installations.py for Bolt's authorize step.
-- Empty strings stand for "none" so the unique keys work without NULL tricks.
CREATE TABLE slack_installations (
    id                      BIGSERIAL PRIMARY KEY,
    client_id               TEXT NOT NULL,
    enterprise_id           TEXT NOT NULL DEFAULT '',
    team_id                 TEXT NOT NULL DEFAULT '',
    user_id                 TEXT NOT NULL DEFAULT '',
    is_enterprise_install   BOOLEAN NOT NULL DEFAULT false,
    data                    JSONB NOT NULL,
    installed_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (client_id, enterprise_id, team_id, user_id)
);

CREATE TABLE slack_bots (
    id                      BIGSERIAL PRIMARY KEY,
    client_id               TEXT NOT NULL,
    enterprise_id           TEXT NOT NULL DEFAULT '',
    team_id                 TEXT NOT NULL DEFAULT '',
    is_enterprise_install   BOOLEAN NOT NULL DEFAULT false,
    data                    JSONB NOT NULL,
    installed_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (client_id, enterprise_id, team_id)
);
