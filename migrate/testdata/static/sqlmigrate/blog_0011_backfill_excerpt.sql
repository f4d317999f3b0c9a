BEGIN;
--
-- MIGRATION NOW PERFORMS OPERATION THAT CANNOT BE WRITTEN AS SQL:
-- Raw Python operation
--
--
-- Raw SQL operation
--
UPDATE blog_post SET views = 0;
COMMIT;
