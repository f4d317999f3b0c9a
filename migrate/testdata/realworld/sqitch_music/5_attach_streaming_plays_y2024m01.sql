-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv): one sqitch deploy history, in plan order.
-- Source: https://github.com/jmarbasura/exercise/blob/ad8990f087a26bb85a2d4dc6a83d0adbea11dcea/deploy/alter_table_only/music.streaming_plays-music.streaming_plays_y2024m01.sql
-- copied unchanged below this header.
-- Deploy id.me:alter_table_only/music.streaming_plays-music.streaming_plays_y2024m01 to pg
-- requires: schema/music
-- requires: table/music.streaming_plays

BEGIN;

ALTER TABLE ONLY music.streaming_plays ATTACH PARTITION music.streaming_plays_y2024m01 FOR VALUES FROM ('2024-01-01 00:00:00') TO ('2024-02-01 00:00:00');

COMMIT;
