ALTER TABLE users DROP COLUMN credential_generation;
