-- Secrets every process must share (the link-signing key when SECRET_KEY is unset).
CREATE TABLE app_secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
