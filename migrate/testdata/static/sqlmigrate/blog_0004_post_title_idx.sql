BEGIN;
--
-- Create index blog_post_title_idx on field(s) title of model post
--
CREATE INDEX "blog_post_title_idx" ON "blog_post" ("title");
COMMIT;
