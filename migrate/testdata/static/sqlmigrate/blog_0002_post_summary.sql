BEGIN;
--
-- Add field summary to post
--
ALTER TABLE "blog_post" ADD COLUMN "summary" varchar(200) NULL;
COMMIT;
