-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/c6d24d9798c8d821b06f631c55a5eeac09d20e18/server/svix-server/migrations/20220428204010_nullable_payload.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
ALTER TABLE message ALTER COLUMN payload DROP NOT NULL;
