-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/8e97f15f31bc3097fa01ef9f2fda3ebeb8c48880/server/svix-server/migrations/20231010170520_messagecontent_table.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
CREATE TABLE messagecontent (
    id character varying NOT NULL COLLATE pg_catalog."C",
    created_at timestamp with time zone NOT NULL,
    payload bytea NOT NULL,
    expiration timestamp with time zone NOT NULL DEFAULT now() + INTERVAL '90 day' 
);

ALTER TABLE ONLY messagecontent
    ADD CONSTRAINT pk_messagecontent PRIMARY KEY (id);

CREATE INDEX messagecontent_expiry ON messagecontent (expiration);
