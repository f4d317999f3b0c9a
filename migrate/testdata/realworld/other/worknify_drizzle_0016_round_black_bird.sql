-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/aliamerj/worknify/blob/088fed14028832186ec38911a67e5e2d6fe7fca0/drizzle/0016_round_black_bird.sql
-- (drizzle-kit output), copied unchanged below this header.
ALTER TABLE "project" ADD COLUMN "owner_id" text NOT NULL;--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "project" ADD CONSTRAINT "project_owner_id_user_id_fk" FOREIGN KEY ("owner_id") REFERENCES "user"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
