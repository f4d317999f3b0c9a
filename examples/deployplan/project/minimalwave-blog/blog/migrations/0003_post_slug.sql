BEGIN;
--
-- Add field slug to post
--
ALTER TABLE "blog_post" ADD COLUMN "slug" varchar(50) NULL;
CREATE INDEX "blog_post_slug_6a6a4f5c" ON "blog_post" ("slug");
CREATE INDEX "blog_post_slug_6a6a4f5c_like" ON "blog_post" ("slug" varchar_pattern_ops);
COMMIT;
