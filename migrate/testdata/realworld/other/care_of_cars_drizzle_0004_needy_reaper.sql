-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/AndreLeBlanc/Care_of_Cars_Backend/blob/b7db28d659f8bd6709cbcf5a0a5ca154c2f62426/drizzle/0004_needy_reaper.sql
-- (drizzle-kit output), copied unchanged below this header.
ALTER TABLE "users" ADD COLUMN "roleId" integer;--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "users" ADD CONSTRAINT "users_roleId_roles_id_fk" FOREIGN KEY ("roleId") REFERENCES "roles"("id") ON DELETE no action ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
