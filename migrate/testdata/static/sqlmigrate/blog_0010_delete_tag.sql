BEGIN;
--
-- Delete model Tag
--
DROP TABLE "blog_tag" CASCADE;
COMMIT;
