-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/89d44550f334dd4c28156403a990ddf0ed371b46/server/svix-server/migrations/20220218061228_endpoint_headers.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
ALTER TABLE endpoint ADD COLUMN headers jsonb;
