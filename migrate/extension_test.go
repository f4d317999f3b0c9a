package migrate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExtensionStatements: an extension's script is SQL the analyser does
// not see, so CREATE EXTENSION and ALTER EXTENSION ... UPDATE are DKM090
// unless extension_scripts.tsv (measured on PostgreSQL 15 by
// TestExtensionScriptsOnPostgres) shows the script touches no existing
// relation; CREATE EXTENSION always gets the Azure allow-list note (DKM070,
// Microsoft Learn "Allow extensions").
func TestExtensionStatements(t *testing.T) {
	cases := []struct {
		name    string
		sql     string
		verdict Verdict
		rules   []string
		msg     string
	}{
		// Django's TrigramExtension() renders exactly this (django/contrib/postgres/operations.py).
		{"django trigram", "--\n-- Creates extension pg_trgm\n--\nCREATE EXTENSION IF NOT EXISTS \"pg_trgm\";", VerdictSafe, []string{RuleAzureExtension}, "azure.extensions"},
		{"measured contrib", "CREATE EXTENSION btree_gist;", VerdictSafe, []string{RuleAzureExtension}, "btree_gist is allow-listed"},
		{"uuid-ossp", `CREATE EXTENSION IF NOT EXISTS "uuid-ossp";`, VerdictSafe, []string{RuleAzureExtension}, ""},
		{"cascade to measured", "CREATE EXTENSION earthdistance CASCADE;", VerdictSafe, []string{RuleAzureExtension}, ""},
		{"not measured", "CREATE EXTENSION IF NOT EXISTS postgis;", VerdictWarn, []string{RuleAzureExtension, RuleNotModelled}, "not modelled: CREATE EXTENSION postgis runs its extension script (not measured here)"},
		{"other version", "CREATE EXTENSION hstore VERSION '1.4';", VerdictWarn, []string{RuleAzureExtension, RuleNotModelled}, "only version 1.8 was measured, not 1.4"},
		// Every version with an update path to btree_gin 1.3 was measured (1.0, 1.1, 1.2)...
		{"update measured", "ALTER EXTENSION btree_gin UPDATE;", VerdictSafe, nil, ""},
		{"update to measured", "ALTER EXTENSION btree_gin UPDATE TO '1.3';", VerdictSafe, nil, ""},
		// ...but pg_trgm 1.0-1.2 and pgcrypto 1.0-1.2 cannot be installed on
		// PostgreSQL 15, so their update scripts were not measured, and the
		// installed version is not known statically.
		{"update from unmeasured versions", "ALTER EXTENSION pg_trgm UPDATE;", VerdictWarn, []string{RuleNotModelled}, "the updates from 1.0, 1.1, 1.2 were not measured"},
		// Measured: the update recreates the extension's own view under ACCESS EXCLUSIVE.
		{"update that locks", "ALTER EXTENSION pg_stat_statements UPDATE;", VerdictWarn, []string{RuleNotModelled}, "AccessExclusiveLock on public.pg_stat_statements"},
		{"update not measured", "ALTER EXTENSION postgis UPDATE TO '3.4.0';", VerdictWarn, []string{RuleNotModelled}, "ALTER EXTENSION postgis UPDATE runs its extension update scripts (not measured here)"},
		{"update to other version", "ALTER EXTENSION btree_gin UPDATE TO '1.2';", VerdictWarn, []string{RuleNotModelled}, "not to 1.2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := AnalyzeSQL("0001.sql", []byte(tc.sql), Options{})
			require.NoError(t, err)
			var rules []string
			all := ""
			for _, f := range rep.Findings {
				rules = append(rules, f.Rule)
				all += f.Message + "\n"
				for _, fx := range f.SuggestedFixes {
					all += fx.Message + "\n"
				}
			}
			assert.Equal(t, tc.rules, rules)
			assert.Equal(t, tc.verdict, rep.Verdict)
			assert.Contains(t, all, tc.msg)
		})
	}
}

// TestExtensionScriptsData: the embedded measurement names its server and
// date, and holds the extensions Django's operations create.
func TestExtensionScriptsData(t *testing.T) {
	assert.Contains(t, extensionMeasured, "PostgreSQL 15")
	assert.Regexp(t, `\d{4}-\d{2}-\d{2}$`, extensionMeasured)
	for _, name := range []string{"pg_trgm", "hstore", "btree_gin", "btree_gist", "citext", "pgcrypto", "unaccent", "uuid-ossp"} {
		f, ok := measuredExtensions[name]
		require.True(t, ok, name)
		assert.Equal(t, "none", f.createLocks, name)
	}
	assert.Equal(t, formatExtensionScripts(extensionMeasured, measuredExtensions), extensionScriptsTSV)
}

// TestDjangoExtensionWithoutSQL: Django's CreateExtension renders no SQL
// when the extension exists in the database sqlmigrate ran against (output
// of Django 3.2.25's sqlmigrate for TrigramExtension() on a database with
// pg_trgm installed); the Azure allow-list still applies elsewhere.
func TestDjangoExtensionWithoutSQL(t *testing.T) {
	sql := "BEGIN;\n--\n-- Creates extension pg_trgm\n--\nCOMMIT;\n"
	rep, err := AnalyzeSQL("blog_0005_trigram_ext.sql", []byte(sql), Options{})
	require.NoError(t, err)
	require.Len(t, rep.Findings, 1)
	f := rep.Findings[0]
	assert.Equal(t, RuleAzureExtension, f.Rule)
	assert.Equal(t, 2, f.Pos.Line, "placed on the operation's description, as RunPython is")
	assert.Equal(t, "CreateExtension pg_trgm", f.Operation)
	assert.Contains(t, f.Message, "rendered no SQL here")
	assert.Equal(t, VerdictSafe, rep.Verdict)
	// With its SQL, one finding only (on the statement).
	rep, err = AnalyzeSQL("blog_0005_trigram_ext.sql", []byte("BEGIN;\n--\n-- Creates extension pg_trgm\n--\nCREATE EXTENSION IF NOT EXISTS \"pg_trgm\";\nCOMMIT;\n"), Options{})
	require.NoError(t, err)
	require.Len(t, rep.Findings, 1)
	assert.Equal(t, 5, rep.Findings[0].Pos.Line)
}
