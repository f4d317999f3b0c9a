-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/e8c11729b8dc6fb04cd543c6e1c3067a1bdde012/server/svix-server/migrations/20230116095641_add_event_type_feature_flags.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
-- Add up migration script here
ALTER TABLE ONLY eventtype ADD COLUMN feature_flag text;
