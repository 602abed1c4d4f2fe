-- Idempotency-Key answers belong to the caller's identity (sub, role and
-- region) and name the method they answered; they are replayed for 24 hours
-- and deleted after that (kw_idempotency). Answers kept before name only the
-- sub: they are never replayed again and are deleted by age.
ALTER TABLE referral.idempotency RENAME COLUMN caller TO caller_sub;
ALTER TABLE referral.idempotency
    ADD COLUMN caller_role text NOT NULL DEFAULT '',
    ADD COLUMN caller_region text NOT NULL DEFAULT '',
    ADD COLUMN method text NOT NULL DEFAULT '';
ALTER TABLE referral.idempotency
    ALTER COLUMN caller_role DROP DEFAULT,
    ALTER COLUMN caller_region DROP DEFAULT,
    ALTER COLUMN method DROP DEFAULT;
ALTER TABLE referral.idempotency DROP CONSTRAINT idempotency_pkey;
ALTER TABLE referral.idempotency ADD PRIMARY KEY (caller_sub, caller_role, caller_region, key);
CREATE INDEX idempotency_created ON referral.idempotency (created_at);
