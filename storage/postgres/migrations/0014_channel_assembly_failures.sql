-- Team digests that fail to assemble back off and alert admins as subscribers' do (0012).
ALTER TABLE publishing_channels
    ADD COLUMN IF NOT EXISTS assembly_failures INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS last_failure TEXT;
