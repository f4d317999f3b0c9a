BEGIN;
--
-- Add field views to post
--
ALTER TABLE "blog_post" ADD COLUMN "views" integer DEFAULT 0 NOT NULL CHECK ("views" >= 0);
ALTER TABLE "blog_post" ALTER COLUMN "views" DROP DEFAULT;
COMMIT;
