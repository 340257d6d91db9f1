-- Every token and session carries the account's credential generation when it was issued; a
-- role change, deactivation or password change moves the counter on, so that whatever was
-- issued before stops working, even after the change is undone. Tokens issued before this
-- column existed carry no generation and count as 0, so they keep working until such a change.
ALTER TABLE users ADD COLUMN credential_generation BIGINT NOT NULL DEFAULT 0;
