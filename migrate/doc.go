// Package migrate finds the zero-downtime hazards in PostgreSQL migrations
// before they reach production, and understands the SQL Django generates.
//
// A migration is risky for two reasons. It can lock a table the running
// site needs (an index build blocks writes, a table rewrite blocks
// everything), and it can break the application version that is still
// serving traffic during a rolling deploy (a dropped column, a renamed
// table, a NOT NULL column whose default Django drops right after adding
// it). The analyser reports both, per statement, with the lock, the
// relation, whether the table is rewritten or scanned, and the safe
// alternative as concrete SQL or Django code.
//
// # Analysing SQL
//
// AnalyzeSQL parses a file with the real PostgreSQL parser (pg_query) and
// walks its statements as PostgreSQL would run them:
//
//	rep, err := migrate.AnalyzeSQL("0003_post_views.sql", sql, migrate.Options{PGVersion: 14})
//	if err != nil {
//		var se *migrate.SyntaxError // file, line and column of the parse error
//		...
//	}
//	for _, f := range rep.Findings {
//		fmt.Println(f.Pos, f.Rule, f.Severity, f.Lock, f.Relation, f.Message)
//	}
//	// rep.Verdict: safe (nothing above info), warn or dangerous
//
// The transaction is modelled: BEGIN/COMMIT blocks (or Options.Atomic for a
// file that the runner wraps in one transaction) keep every lock until
// COMMIT, so a slow statement after a brief ACCESS EXCLUSIVE lock is
// reported; statements that PostgreSQL refuses inside a transaction block
// (CREATE INDEX CONCURRENTLY, VACUUM) are errors there. Tables created
// earlier in the same file are new and invisible to other sessions, so
// nothing done to them is reported.
//
// AnalyzeFiles analyses an ordered set of files, such as a migrations
// directory: what earlier files establish (a column's declared type, a
// validated CHECK (col IS NOT NULL)) lets later findings be exact, e.g. a
// varchar(100) to varchar(300) change is known to need no rewrite, and
// SET NOT NULL after such a CHECK needs no scan on PostgreSQL 12+.
//
// # Django
//
// The "-- Add field views to post" comments of manage.py sqlmigrate name
// the Django operation of every finding ("AddField views to post").
// DjangoSQL renders every migration of a project in one Python process,
// caching by migration file hash, and flags the applied ones; DjangoFiles
// turns them into analysis input that places findings on the operation's
// line in the migration file and reports RunPython without reverse_code.
// Analyse the whole history and report the pending migrations.
//
// # Fail closed
//
// A statement that takes a lock stronger than ROW EXCLUSIVE on an existing
// relation and that no rule models, and every DO block, is reported as
// RuleNotModelled (DKM090) with the lock when it is known; it is never
// "safe", and Apply and ApplyProject refuse it (ErrNotModelled) unless
// forced or the finding is suppressed after a check by hand.
//
// # Fixes
//
// Findings are Diagnostics (the model every deploykit analyser shares:
// range, rule and URL, severity, message, suggested fixes, related
// positions) with the migration facts beside them. A fix that is
// mechanical carries text edits: CREATE INDEX becomes CREATE INDEX
// CONCURRENTLY, taken out of its transaction.
//
// # Applying a Django project
//
// ApplyProject reads the migration graph from the project's files and
// django_migrations from the database, takes the SQL of each pending
// migration from manage.py sqlmigrate (or a .sql file beside it), refuses
// the plan when a migration is dangerous, not modelled or runs Python
// (unless allowed), and applies the rest in dependency order with
// lock_timeout and retries, recording each in django_migrations in the same
// transaction.
//
// # Rules and output
//
// Rules lists every check with its stable ID (DKM001...), severity and
// documentation. A comment "-- deploykit:ignore DKM030" (or the rule's
// name) before a statement, or on its line, silences it;
// "-- deploykit:ignore-file RULE" silences a rule for the file. WriteText,
// WriteJSON, WriteSARIF and WriteGitHub render reports; the JSON schema is
// stable. The live-database half of the package (tracing locks on a real
// server and applying migrations with timeouts) builds on these findings.
package migrate
