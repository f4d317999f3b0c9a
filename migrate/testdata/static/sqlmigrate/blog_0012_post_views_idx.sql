--
-- Concurrently create index blog_post_views_idx on field(s) views of model post
--
CREATE INDEX CONCURRENTLY "blog_post_views_idx" ON "blog_post" ("views");
