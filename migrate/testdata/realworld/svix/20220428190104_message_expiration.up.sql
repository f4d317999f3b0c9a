-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/2e63baff5722d4fc2f2e4da51c6a65d16b36468c/server/svix-server/migrations/20220428190104_message_expiration.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
ALTER TABLE message ADD COLUMN expiration timestamp with time zone;
ALTER TABLE message ALTER COLUMN payload DROP NOT NULL;
