-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/3263619679fe0692a44c16e0bd9ce9624342e08a/server/svix-server/migrations/20250905195339_messageattempt_updates.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
ALTER TABLE messageattempt DROP CONSTRAINT fk_messageattempt_msg_dest_id_messagedestination;
ALTER TABLE messageattempt ALTER COLUMN msg_dest_id DROP NOT NULL;

ALTER TABLE messageattempt ADD COLUMN IF NOT EXISTS attempt_number SMALLINT NOT NULL DEFAULT -1;

ALTER TABLE messageattempt ADD COLUMN IF NOT EXISTS next_attempt timestamptz NULL;
