-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/359deedb6d0eee4f56005b83b82c1259fc3652ce/server/svix-server/migrations/20240806212329_add_event_type_deprecated.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
ALTER TABLE eventtype ADD COLUMN deprecated BOOLEAN DEFAULT FALSE NOT NULL;
