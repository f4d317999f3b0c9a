-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/mwanago/nestjs-drizzle/blob/bce1349f946641ae47ab0e5837382799ff38c972/drizzle/0002_add-author-id.sql
-- (drizzle-kit output), copied unchanged below this header.
ALTER TABLE "articles" ADD COLUMN "author_id" integer NOT NULL;--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "articles" ADD CONSTRAINT "articles_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
