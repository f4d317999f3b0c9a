-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/3fbeb45f488ead1401e5ff2b0f4166557a5d9625/server/svix-server/migrations/20220830163045_eventtype_retry_schedule_override.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
ALTER TABLE eventtype ADD COLUMN retry_schedule jsonb;
