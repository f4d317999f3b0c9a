-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/b1a5dd2d60eb0e39d51ffdbbb7e1b065ecc49f77/server/svix-server/migrations/20260217191753_messageattempt_per_endp_no_status_autocommit.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.

SET statement_timeout = 0;

CREATE INDEX CONCURRENTLY IF NOT EXISTS messageattempt_per_endp_no_status ON messageattempt USING btree (endp_id, id DESC) INCLUDE (status, response_status_code);

RESET statement_timeout;
