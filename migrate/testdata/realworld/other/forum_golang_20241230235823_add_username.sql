-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/maulanafb/forum_golang/blob/cdb4833a6936d2bcac2581287f9b49def80959f4/db/migrations/20241230235823_add_username_to_users_table.sql
-- (a dbmate file: the migrate:down part runs only on rollback) copied unchanged below this header.
-- migrate:up
ALTER TABLE users 
ADD username VARCHAR(100) NOT NULL;

ALTER TABLE users
ADD CONSTRAINT unique_username UNIQUE (username);


-- migrate:down

ALTER TABLE users DROP COLUMN username;
