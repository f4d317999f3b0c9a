-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/187e434f6b740be850c675af5f839bec0a046c9f/server/svix-server/migrations/20221129215059_correct_collation.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
ALTER TABLE eventtype ALTER name TYPE VARCHAR COLLATE "C";
ALTER TABLE message ALTER event_type TYPE VARCHAR COLLATE "C";
ALTER TABLE message ALTER uid TYPE VARCHAR COLLATE "C";
