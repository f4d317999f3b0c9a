BEGIN;
--
-- Create model Post
--
CREATE TABLE "blog_post" ("id" serial NOT NULL PRIMARY KEY, "title" varchar(100) NOT NULL, "body" text NOT NULL, "slug" varchar(50) NOT NULL);
--
-- Create model Tag
--
CREATE TABLE "blog_tag" ("id" serial NOT NULL PRIMARY KEY, "name" varchar(30) NOT NULL);
CREATE INDEX "blog_tag_name_c5718cc8" ON "blog_tag" ("name");
CREATE INDEX "blog_tag_name_c5718cc8_like" ON "blog_tag" ("name" varchar_pattern_ops);
COMMIT;
