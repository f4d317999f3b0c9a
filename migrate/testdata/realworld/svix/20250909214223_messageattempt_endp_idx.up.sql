-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/3263619679fe0692a44c16e0bd9ce9624342e08a/server/svix-server/migrations/20250909214223_messageattempt_endp_idx.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
CREATE INDEX IF NOT EXISTS messageattempt_per_endp_unified ON messageattempt (endp_id, status, id DESC) INCLUDE (response_status_code);
