-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/8c62380cf2883a2f59d9571b2ad0b5135bfbc2ed/server/svix-server/migrations/20221206214656_missing_msg_dest_endpoint.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
-- Add up migration script here
CREATE INDEX ix_messagedestination_per_msg_no_status ON messagedestination USING btree (msg_id);
