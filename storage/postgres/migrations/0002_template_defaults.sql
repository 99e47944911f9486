-- Shipped default templates are refreshed on upgrade; templates an operator edited are not.
ALTER TABLE publishing_templates ADD COLUMN is_default BOOLEAN NOT NULL DEFAULT true;
