BEGIN;
--
-- Alter field excerpt on post
--
ALTER TABLE "blog_post" ALTER COLUMN "excerpt" SET NOT NULL;
COMMIT;
