-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/007776097e5bfc31ddb9f5c8e4b57715840ddcc9/server/svix-server/migrations/20240906000000_add_response_duration.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
-- Add response_duration_ms column to messageattempt table
ALTER TABLE messageattempt ADD COLUMN response_duration_ms BIGINT NOT NULL DEFAULT 0; 
