-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/478a62a264603dca591853764156a914b5dee66a/server/svix-server/migrations/20250910000000_endpoint_filter.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
-- Add optional filter column to endpoint table for payload-level filtering expressions
ALTER TABLE endpoint
    ADD COLUMN IF NOT EXISTS filter TEXT NULL;


