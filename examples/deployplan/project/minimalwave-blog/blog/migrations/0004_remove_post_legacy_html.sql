BEGIN;
--
-- Remove field legacy_html from post
--
ALTER TABLE "blog_post" DROP COLUMN "legacy_html" CASCADE;
COMMIT;
