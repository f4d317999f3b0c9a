BEGIN;
--
-- Rename field summary on post to excerpt
--
ALTER TABLE "blog_post" RENAME COLUMN "summary" TO "excerpt";
COMMIT;
