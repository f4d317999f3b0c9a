-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv): one sqitch deploy history, in plan order.
-- Source: https://github.com/jmarbasura/exercise/blob/a4c4c702fb6e3511fe5435c05661e98fee9579bb/deploy/schema/music.sql
-- copied unchanged below this header.
-- Deploy id.me:schema/music to pg

BEGIN;

CREATE SCHEMA music;


ALTER SCHEMA music OWNER TO postgres;

COMMIT;
