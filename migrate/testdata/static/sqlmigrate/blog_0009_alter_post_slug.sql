BEGIN;
--
-- Alter field slug on post
--
ALTER TABLE "blog_post" ADD CONSTRAINT "blog_post_slug_b95473f2_uniq" UNIQUE ("slug");
CREATE INDEX "blog_post_slug_b95473f2_like" ON "blog_post" ("slug" varchar_pattern_ops);
COMMIT;
