-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/svix/svix-webhooks/blob/adb66d640e3433aac93756994b63bb5457428bde/server/svix-server/migrations/20220702122939_queue.up.sql
-- (svix-webhooks, MIT licence), copied unchanged below this header.
CREATE TABLE IF NOT EXISTS queue(
    id SERIAL PRIMARY KEY,
    queue_name VARCHAR(50) NOT NULL,
    payload JSON NOT NULL,
    when_run TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE INDEX queue_when ON queue(when_run);
