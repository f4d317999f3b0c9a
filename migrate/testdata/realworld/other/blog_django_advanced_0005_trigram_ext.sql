-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/23david18/blog-django-advanced/blob/72ca8daba15dc1f971172e4a49d29763790cdc86/my_site/blog/migrations/0005_trigram_ext.py
-- (operations = [TrigramExtension()]), rendered by Django 3.2.25's
-- `manage.py sqlmigrate blog 0005_trigram_ext` against PostgreSQL 15 on a
-- database without pg_trgm (the migration's dependencies emptied so it renders
-- alone; its operations unchanged). The output follows this header unchanged.
BEGIN;
--
-- Creates extension pg_trgm
--
CREATE EXTENSION IF NOT EXISTS "pg_trgm";
COMMIT;
