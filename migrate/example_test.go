package migrate_test

import (
	"fmt"

	"github.com/deploykit/deploykit/migrate"
)

// Django's AddField(default=0) on an existing table, as sqlmigrate prints
// it: the default is dropped right after the column is added, so the app
// version still running during the deploy fails every INSERT.
func ExampleAnalyzeSQL() {
	sql := `BEGIN;
--
-- Add field views to post
--
ALTER TABLE "blog_post" ADD COLUMN "views" integer DEFAULT 0 NOT NULL;
ALTER TABLE "blog_post" ALTER COLUMN "views" DROP DEFAULT;
COMMIT;
`
	rep, err := migrate.AnalyzeSQL("0003_post_views.sql", []byte(sql), migrate.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("verdict:", rep.Verdict)
	for _, f := range rep.Findings {
		fmt.Printf("line %d %s %s %s on %s (%s)\n", f.Pos.Line, f.Rule, f.Severity, f.Lock, f.Relation, f.Operation)
	}
	// Output:
	// verdict: dangerous
	// line 5 DKM051 info ACCESS EXCLUSIVE on blog_post (AddField views to post)
	// line 6 DKM014 error ACCESS EXCLUSIVE on blog_post (AddField views to post)
}

// A migrations directory analysed as one history: the first file declares
// title as varchar(100), so widening it later is known to be free.
func ExampleAnalyzeFiles() {
	files := []migrate.File{
		{Path: "0001_initial.sql", SQL: []byte(`CREATE TABLE "blog_post" ("id" serial PRIMARY KEY, "title" varchar(100) NOT NULL);`)},
		{Path: "0002_widen.sql", SQL: []byte(`SET lock_timeout = '2s'; ALTER TABLE "blog_post" ALTER COLUMN "title" TYPE varchar(300);`)},
		{Path: "0003_bigint.sql", SQL: []byte(`SET lock_timeout = '2s'; ALTER TABLE "blog_post" ALTER COLUMN "id" TYPE bigint;`)},
	}
	reps, err := migrate.AnalyzeFiles(files, migrate.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range reps {
		fmt.Println(r.Path, r.Verdict)
		for _, f := range r.Findings {
			fmt.Printf("  %s rewrite=%v: %s\n", f.Rule, f.Rewrite, f.Message)
		}
	}
	// Output:
	// 0001_initial.sql safe
	// 0002_widen.sql safe
	// 0003_bigint.sql dangerous
	//   DKM016 rewrite=true: changing blog_post.id from integer to bigint rewrites the whole table and its indexes under ACCESS EXCLUSIVE, blocking reads and writes
}

// The CREATE INDEX fix is a set of text edits: CONCURRENTLY, and the
// statement moved out of the BEGIN ... COMMIT block it cannot run in.
func ExampleFinding_suggestedFixes() {
	sql := "BEGIN;\nCREATE INDEX \"post_title\" ON \"blog_post\" (\"title\");\nCOMMIT;\n"
	rep, err := migrate.AnalyzeSQL("0004.sql", []byte(sql), migrate.Options{PGVersion: 16})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range rep.Findings {
		if f.Rule != migrate.RuleCreateIndex {
			continue
		}
		fmt.Println(f.Pos, f.Rule, f.URL)
		for _, e := range f.SuggestedFixes[0].TextEdits {
			fmt.Printf("  at %d:%d insert %q\n", e.Pos.Line, e.Pos.Column, e.NewText)
		}
	}
	// Output:
	// 0004.sql:2:1 DKM030 https://github.com/deploykit/deploykit/blob/main/migrate/RULES.md#dkm030-create-index-non-concurrently
	//   at 2:13 insert " CONCURRENTLY"
	//   at 2:1 insert "COMMIT;\n"
	//   at 2:51 insert ";\nBEGIN"
}
