-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv): one sqitch deploy history, in plan order.
-- Source: https://github.com/jmarbasura/exercise/blob/a4c4c702fb6e3511fe5435c05661e98fee9579bb/deploy/sequence/music.streaming_plays_play_id_seq.sql
-- copied unchanged below this header.
-- Deploy id.me:sequence/music.streaming_plays_play_id_seq to pg
-- requires: schema/music

BEGIN;

CREATE SEQUENCE music.streaming_plays_play_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE music.streaming_plays_play_id_seq OWNER TO postgres;

COMMIT;
