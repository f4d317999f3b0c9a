-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/Eng-OsamaMansour/PalClinic/blob/31805fe7db9c7a67739a6cc0a4fb3c8ebbd23517/PalClinic/AI/migrations/0001_install_vector.py
-- (a RunSQL operation), rendered by Django 3.2.25's `manage.py sqlmigrate`
-- (app label "ai"). The output follows this header unchanged.
BEGIN;
--
-- Raw SQL operation
--
CREATE EXTENSION IF NOT EXISTS vector;
COMMIT;
