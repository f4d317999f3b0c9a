BEGIN;
--
-- Alter field title on post
--
ALTER TABLE "blog_post" ALTER COLUMN "title" TYPE varchar(300);
COMMIT;
