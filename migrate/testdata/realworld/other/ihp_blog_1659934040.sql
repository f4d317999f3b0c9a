-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/MosesSupposes/ihp-blog/blob/1d4b6d85f640660befa1d58607098ebfd4b9b9f8/Application/Migration/1659934040.sql
-- copied unchanged below this header.
ALTER TABLE posts ADD COLUMN created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL;
CREATE INDEX posts_created_at_index ON posts (created_at);
