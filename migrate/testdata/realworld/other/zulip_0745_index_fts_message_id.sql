-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/zulip/zulip/blob/cea79cb6f637d58cfbdb0ad4c74d458df88c1753/zerver/migrations/0745_index_fts_message_id.py
-- (Zulip, Apache-2.0): the SQL of its RunSQL operation, laid out as Django's
-- sqlmigrate prints a migration with atomic = False (no BEGIN/COMMIT).
--
-- Raw SQL operation
--
CREATE INDEX CONCURRENTLY IF NOT EXISTS fts_update_log_message_id
                ON fts_update_log(message_id);
