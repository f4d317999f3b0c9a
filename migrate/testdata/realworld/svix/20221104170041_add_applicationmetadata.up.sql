-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/f4961a59e7a57f2a7e561b7e1b777dacfe574d5a/server/svix-server/migrations/20221104170041_add_applicationmetadata.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
-- Add up migration script here
CREATE TABLE applicationmetadata (
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    id character varying NOT NULL COLLATE pg_catalog."C",
    data jsonb NOT NULL
);

ALTER TABLE ONLY applicationmetadata
    ADD CONSTRAINT applicationmetadata_pkey PRIMARY KEY (id);
