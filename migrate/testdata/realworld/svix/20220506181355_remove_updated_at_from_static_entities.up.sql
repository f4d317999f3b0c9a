-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/3b0331213e7aa3054cfbdd351b6cf0330bf6e8c2/server/svix-server/migrations/20220506181355_remove_updated_at_from_static_entities.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
ALTER TABLE message DROP COLUMN updated_at;
ALTER TABLE messageattempt DROP COLUMN updated_at;
