BEGIN;
--
-- Remove field body from post
--
ALTER TABLE "blog_post" DROP COLUMN "body" CASCADE;
COMMIT;
