-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/8d98a5489f72f39098f447d9b82849afc9189c73/server/svix-server/migrations/20220830163045_endpoint_retry_schedule_override.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
ALTER TABLE endpoint ADD COLUMN retry_schedule jsonb;
