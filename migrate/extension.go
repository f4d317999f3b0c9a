package migrate

import (
	_ "embed"
	"sort"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// An extension's install or update script is SQL the analyser never sees:
// it may create or alter tables, take any lock, or fail. CREATE EXTENSION
// and ALTER EXTENSION ... UPDATE are therefore "not modelled" (DKM090)
// except for the extensions whose scripts were measured on a real server
// to take no lock on, and rewrite no, relation that existed before the
// statement (extension_scripts.tsv, written by TestExtensionScriptsOnPostgres
// -update-extensions; the test re-measures and compares on every run).

//go:embed extension_scripts.tsv
var extensionScriptsTSV string

// extensionFacts is one measured extension of extension_scripts.tsv.
type extensionFacts struct {
	// version is the default version CREATE EXTENSION installs.
	version string
	// requires are the extensions CASCADE also creates.
	requires []string
	// createLocks is "none" when the install script took no lock on a
	// pre-existing relation, else what it took.
	createLocks string
	// updateFrom are the versions ALTER EXTENSION ... UPDATE was measured
	// from (to version); updateLocks is "none" when no update script
	// took a lock on a pre-existing relation (tables and indexes using the
	// extension's types and operator classes included).
	updateFrom  []string
	updateLocks string
	// updateUnmeasured are older versions with an update path to version
	// that cannot be installed on the measuring server (their install
	// scripts are gone), so their update scripts were not measured; a
	// database upgraded from an old server may still have them.
	updateUnmeasured []string
}

// extensionMeasured names the server and date of extension_scripts.tsv
// (its "# measured:" line).
var extensionMeasured string

var measuredExtensions = parseExtensionScripts(extensionScriptsTSV)

// parseExtensionScripts reads extension_scripts.tsv. A malformed line
// panics at init: the file is embedded and checked by the tests.
func parseExtensionScripts(s string) map[string]extensionFacts {
	out := map[string]extensionFacts{}
	for i, line := range strings.Split(s, "\n") {
		if rest, ok := strings.CutPrefix(line, "# measured: "); ok {
			extensionMeasured = rest
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 7 {
			panic("migrate: extension_scripts.tsv:" + itoa(i+1) + ": want 7 tab-separated fields")
		}
		out[f[0]] = extensionFacts{version: f[1], requires: splitList(f[2]), createLocks: f[3], updateFrom: splitList(f[4]), updateLocks: f[5], updateUnmeasured: splitList(f[6])}
	}
	return out
}

func splitList(s string) []string {
	if s == "" || s == "-" {
		return nil
	}
	return strings.Split(s, ",")
}

// formatExtensionScripts renders the file parseExtensionScripts reads.
func formatExtensionScripts(measured string, facts map[string]extensionFacts) string {
	var b strings.Builder
	b.WriteString("# Extension scripts measured on a real server by TestExtensionScriptsOnPostgres (go test ./migrate -run TestExtensionScriptsOnPostgres -update-extensions).\n")
	b.WriteString("# Each CREATE EXTENSION (with CASCADE) and each ALTER EXTENSION ... UPDATE from every installable older version ran in a transaction\n")
	b.WriteString("# in a database holding user tables and indexes (and, for updates, tables and indexes using the extension's types and operator classes);\n")
	b.WriteString("# *_locks is \"none\" when pg_locks showed no lock on, and pg_class no new relfilenode for, any relation that existed before the statement.\n")
	b.WriteString("# measured: " + measured + "\n")
	b.WriteString("# update_unmeasured: older versions with an update path whose install scripts are gone (not installable, so not measured).\n")
	b.WriteString("# extension\tversion\trequires\tcreate_locks\tupdate_from\tupdate_locks\tupdate_unmeasured\n")
	names := make([]string, 0, len(facts))
	for n := range facts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := facts[n]
		join := func(l []string) string {
			if len(l) == 0 {
				return "-"
			}
			return strings.Join(l, ",")
		}
		b.WriteString(n + "\t" + f.version + "\t" + join(f.requires) + "\t" + f.createLocks + "\t" + join(f.updateFrom) + "\t" + f.updateLocks + "\t" + join(f.updateUnmeasured) + "\n")
	}
	return b.String()
}

// Azure Database for PostgreSQL Flexible Server refuses CREATE EXTENSION
// for an extension missing from the azure.extensions server parameter;
// extensions with a shared library that must be loaded at start also need
// shared_preload_libraries (and a restart).
const (
	azureExtensionsDocURL  = "https://learn.microsoft.com/azure/postgresql/extensions/how-to-allow-extensions"
	azureExtensionsDocURL2 = "https://learn.microsoft.com/azure/postgresql/extensions/concepts-extensions-considerations"
	azureExtensionsDocDate = "2026-12-01"
)

func defString(d *pg_query.DefElem) string {
	if d == nil || d.Arg == nil {
		return ""
	}
	if s := d.Arg.GetString_(); s != nil {
		return s.Sval
	}
	return ""
}

// createExtension handles CREATE EXTENSION.
func (a *analyzer) createExtension(cs *pg_query.CreateExtensionStmt, e *effect) {
	name := cs.Extname
	version, cascade := "", false
	for _, o := range cs.Options {
		d := o.GetDefElem()
		switch d.GetDefname() {
		case "new_version":
			version = defString(d)
		case "cascade":
			cascade = true
		}
	}
	if a.cur.opIndex >= 0 {
		if a.extensionOpsWithSQL == nil {
			a.extensionOpsWithSQL = map[int]bool{}
		}
		a.extensionOpsWithSQL[a.cur.opIndex] = true
	}
	a.add(RuleAzureExtension, "", "", lockNone, false, false,
		"CREATE EXTENSION "+name+" fails on Azure Database for PostgreSQL Flexible Server unless "+name+" is allow-listed in the server parameter azure.extensions (and, if its library needs loading at start, in shared_preload_libraries)",
		"Allow-list it before the deploy: az postgres flexible-server parameter set --resource-group RG --server-name SERVER --name azure.extensions --value <current list>,"+name+
			" (the value replaces the list; SHOW azure.extensions; shows it). Microsoft: "+azureExtensionsDocURL+" (consulted "+azureExtensionsDocDate+").")
	f, ok := measuredExtensions[name]
	why := ""
	switch {
	case !ok:
		why = "not measured here"
	case f.createLocks != "none":
		why = "measured: it took " + f.createLocks
	case version != "" && version != f.version:
		why = "only version " + f.version + " was measured, not " + version
	}
	if why == "" && cascade {
		for _, r := range f.requires {
			if rf, ok := measuredExtensions[r]; !ok || rf.createLocks != "none" {
				why = "CASCADE also creates " + r + ", not measured here"
			}
		}
	}
	if why == "" {
		return
	}
	a.notModelled(e, "", lockNone, "CREATE EXTENSION "+name+" runs its extension script ("+why+"), which")
}

// extensionOpsWithoutSQL reports Django CreateExtension operations that
// sqlmigrate rendered without SQL: CreateExtension.database_forwards skips
// CREATE EXTENSION when the extension already exists in the database
// sqlmigrate ran against (django/contrib/postgres/operations.py,
// extension_exists), but on a database without it, such as a new Azure
// server, the statement runs.
func (a *analyzer) extensionOpsWithoutSQL() {
	for _, op := range a.pf.extensionOps {
		if a.extensionOpsWithSQL[op.opIndex] {
			continue
		}
		name := strings.TrimSpace(strings.TrimPrefix(op.operation, "CreateExtension"))
		if name == "" {
			continue
		}
		a.cur = &parsedStmt{Statement: Statement{Line: op.line, Column: op.col, Operation: op.operation}, opIndex: op.opIndex}
		a.add(RuleAzureExtension, "", "", lockNone, false, false,
			"Django's CreateExtension "+name+" rendered no SQL here because "+name+" already exists in the database sqlmigrate ran against; on a database without it, such as a new Azure Database for PostgreSQL Flexible Server, it runs CREATE EXTENSION, which fails unless "+name+" is allow-listed in azure.extensions",
			"Allow-list it on every server the migration runs on: az postgres flexible-server parameter set --resource-group RG --server-name SERVER --name azure.extensions --value <current list>,"+name+" (the value replaces the list). Microsoft: "+azureExtensionsDocURL+" (consulted "+azureExtensionsDocDate+").")
	}
}

// alterExtension handles ALTER EXTENSION ... UPDATE [TO version].
func (a *analyzer) alterExtension(as *pg_query.AlterExtensionStmt, e *effect) {
	name := as.Extname
	version := ""
	for _, o := range as.Options {
		if d := o.GetDefElem(); d.GetDefname() == "new_version" {
			version = defString(d)
		}
	}
	f, ok := measuredExtensions[name]
	why := ""
	switch {
	case !ok:
		why = "not measured here"
	case f.updateLocks != "none":
		why = "measured: they took " + f.updateLocks
	case version != "" && version != f.version:
		why = "only the update to " + f.version + " was measured, not to " + version
	case len(f.updateUnmeasured) > 0:
		// The installed version is not known statically.
		why = "the updates from " + strings.Join(f.updateUnmeasured, ", ") + " were not measured"
	}
	if why == "" {
		return
	}
	a.notModelled(e, "", lockNone, "ALTER EXTENSION "+name+" UPDATE runs its extension update scripts ("+why+"), which")
}
