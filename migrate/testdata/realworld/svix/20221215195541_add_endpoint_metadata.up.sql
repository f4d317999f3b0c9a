-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/6e67c62f410b788a8675b4b1de75de3d5d1ff1b0/server/svix-server/migrations/20221215195541_add_endpoint_metadata.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
-- Add up migration script here
CREATE TABLE endpointmetadata (
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    id character varying NOT NULL COLLATE pg_catalog."C",
    data jsonb NOT NULL
);

ALTER TABLE ONLY endpointmetadata 
    ADD CONSTRAINT endpointmetadata_pkey PRIMARY KEY (id);
