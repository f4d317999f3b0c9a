package migrate

import (
	"sort"
	"strings"
	"sync"
)

// Rule documents one check of the analyser.
type Rule struct {
	// ID is stable across releases ("DKM001"); suppress it with
	// "-- deploykit:ignore DKM001" before the statement.
	ID string
	// Name is a kebab-case name, accepted by suppressions too.
	Name string
	// Severity is the default severity of the rule's findings.
	Severity Severity
	// Summary is one sentence: what the rule finds.
	Summary string
	// Help explains why it matters and the safe alternative.
	Help string
}

// The rule IDs. Each constant's comment is the rule's summary; Rules()
// holds the full documentation.
const (
	RuleAddColumnRewrite          = "DKM001" // ADD COLUMN that rewrites the table
	RuleAddColumnNotNullNoDefault = "DKM002" // ADD COLUMN NOT NULL without a default
	RuleAddColumnUnique           = "DKM003" // ADD COLUMN with inline UNIQUE/PRIMARY KEY
	RuleAddColumnCheck            = "DKM004" // ADD COLUMN with inline CHECK
	RuleAddColumnForeignKey       = "DKM005" // ADD COLUMN with inline REFERENCES
	RuleDropColumn                = "DKM010" // DROP COLUMN breaks running code
	RuleRenameColumn              = "DKM011" // RENAME COLUMN breaks running code
	RuleRenameTable               = "DKM012" // RENAME TABLE breaks running code
	RuleDropTable                 = "DKM013" // DROP TABLE breaks running code
	RuleDropDefaultAfterAdd       = "DKM014" // DROP DEFAULT right after ADD COLUMN NOT NULL DEFAULT
	RuleSetNotNull                = "DKM015" // SET NOT NULL scans under ACCESS EXCLUSIVE
	RuleAlterColumnType           = "DKM016" // ALTER COLUMN TYPE that rewrites
	RuleAddCheck                  = "DKM020" // ADD CONSTRAINT CHECK without NOT VALID
	RuleAddForeignKey             = "DKM021" // ADD CONSTRAINT FOREIGN KEY without NOT VALID
	RuleAddUnique                 = "DKM022" // ADD CONSTRAINT UNIQUE without USING INDEX
	RuleAddPrimaryKey             = "DKM023" // ADD CONSTRAINT PRIMARY KEY without USING INDEX
	RuleAddExclusion              = "DKM024" // ADD CONSTRAINT EXCLUDE
	RuleValidateSameTransaction   = "DKM025" // VALIDATE CONSTRAINT in the transaction that added it
	RuleCreateIndex               = "DKM030" // CREATE INDEX without CONCURRENTLY
	RuleNonTransactional          = "DKM031" // CONCURRENTLY/VACUUM inside a transaction block
	RuleConcurrentIndexPG14       = "DKM032" // PG 14.0–14.3 CREATE INDEX CONCURRENTLY corruption
	RuleDropIndex                 = "DKM033" // DROP INDEX without CONCURRENTLY
	RuleReindex                   = "DKM034" // REINDEX without CONCURRENTLY
	RuleUnsupportedOnVersion      = "DKM035" // syntax the target version lacks
	RuleTruncate                  = "DKM040" // TRUNCATE of an existing table
	RuleVacuumFull                = "DKM041" // VACUUM FULL
	RuleCluster                   = "DKM042" // CLUSTER
	RuleBackfill                  = "DKM043" // UPDATE/DELETE of every row inside the migration
	RuleLockHeld                  = "DKM050" // slow statement while earlier locks are held
	RuleLockTimeout               = "DKM051" // no lock_timeout before a blocking lock
	RuleRunPythonIrreversible     = "DKM060" // RunPython without reverse_code
	RuleRunPythonOpaque           = "DKM061" // RunPython whose effects are not analysed
	RuleAttachPartition           = "DKM026" // ATTACH PARTITION scans the partition
	RuleDetachPartition           = "DKM027" // DETACH PARTITION without CONCURRENTLY
	RuleDomainConstraint          = "DKM028" // ALTER DOMAIN ADD CONSTRAINT / SET NOT NULL scans every user
	RuleEnumValueSameTxn          = "DKM029" // enum value used in the transaction that added it
	RuleSetTablespace             = "DKM044" // SET TABLESPACE copies the table under ACCESS EXCLUSIVE
	RuleSetLogged                 = "DKM045" // SET LOGGED / UNLOGGED rewrites the table
	RuleRefreshMatView            = "DKM046" // REFRESH MATERIALIZED VIEW without CONCURRENTLY
	RuleLockTable                 = "DKM047" // explicit LOCK TABLE
	RuleDropDatabase              = "DKM048" // DROP DATABASE
	RuleDropSchemaCascade         = "DKM049" // DROP SCHEMA ... CASCADE
	RuleBeginWithoutCommit        = "DKM052" // BEGIN never committed
	RuleAzureExtension            = "DKM070" // CREATE EXTENSION needs the Azure allow-list
	RuleNotModelled               = "DKM090" // a locking statement no rule models (fail closed)
)

var rules = []Rule{
	{RuleAddColumnRewrite, "add-column-rewrite", SeverityError,
		"ADD COLUMN with a volatile default, serial, identity or stored generated column rewrites the table.",
		"Since PostgreSQL 11 a non-volatile default (a constant, now(), STATEMENT_TIMESTAMP()) is stored in the catalog and the table is not touched (ALTER TABLE docs, Notes). A volatile default (gen_random_uuid(), random(), nextval(), clock_timestamp()), serial/identity columns and GENERATED ... STORED columns must compute a value per row: the whole table and its indexes are rewritten under ACCESS EXCLUSIVE, blocking reads and writes. Safe alternative: add the column nullable without a default, set the default for new rows, backfill in batches outside the migration transaction, then add NOT NULL via a validated CHECK."},
	{RuleAddColumnNotNullNoDefault, "add-column-not-null-without-default", SeverityError,
		"ADD COLUMN ... NOT NULL without a default fails on a non-empty table and breaks INSERTs of running code.",
		"Existing rows would hold NULL, so PostgreSQL rejects the statement on any table with rows; and the app version still running during a deploy does not know the column, so its INSERTs would violate NOT NULL. Add the column with a non-volatile default (Django: default= with db_default= on Django 5, or keep the database default until old code is gone), or nullable first."},
	{RuleAddColumnUnique, "add-column-unique", SeverityError,
		"ADD COLUMN with an inline UNIQUE or PRIMARY KEY builds an index under ACCESS EXCLUSIVE.",
		"The index build reads the whole table while reads and writes are blocked. Add the column first, then CREATE UNIQUE INDEX CONCURRENTLY and ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX."},
	{RuleAddColumnCheck, "add-column-check", SeverityError,
		"ADD COLUMN with an inline CHECK scans the table under ACCESS EXCLUSIVE.",
		"Every existing row is checked while reads and writes are blocked (Django adds such checks for PositiveIntegerField). Add the column without the check, then ADD CONSTRAINT ... CHECK (...) NOT VALID and VALIDATE CONSTRAINT in a later transaction."},
	{RuleAddColumnForeignKey, "add-column-foreign-key", SeverityWarning,
		"ADD COLUMN ... REFERENCES validates the new column by scanning the table while holding ACCESS EXCLUSIVE, and locks the referenced table against writes.",
		"The new column is NULL on every existing row, so the check always passes, but PostgreSQL still reads the whole table to prove it, with the table's ACCESS EXCLUSIVE lock and a SHARE ROW EXCLUSIVE lock on the referenced table held until COMMIT. On a large table add the column without the constraint, then ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID and VALIDATE CONSTRAINT in a later transaction (Django: db_constraint=False, then RunSQL)."},
	{RuleDropColumn, "drop-column", SeverityError,
		"DROP COLUMN breaks the application version still running during the deploy.",
		"Django selects every model field by name, so old instances fail with 'column does not exist' on every query of the model until they are replaced. Deploy in two steps: first remove the field from the model only (SeparateDatabaseAndState with state_operations=[RemoveField(...)] and no database_operations), deploy, then drop the column in a later release."},
	{RuleRenameColumn, "rename-column", SeverityError,
		"RENAME COLUMN breaks the application version still running during the deploy.",
		"Old instances query the old name. Keep the database name: rename the Django field but set db_column='old_name' (no SQL), or add a new column, write both, backfill, switch reads, and drop the old one in a later release."},
	{RuleRenameTable, "rename-table", SeverityError,
		"RENAME TABLE breaks the application version still running during the deploy.",
		"Old instances query the old table name. Keep the name with Meta.db_table = 'old_name' (RenameModel then emits no SQL), or create a view with the old name for the duration of the deploy."},
	{RuleDropTable, "drop-table", SeverityError,
		"DROP TABLE of an existing table breaks the application version still running during the deploy.",
		"Old instances still query the model's table. Delete the model from the code first (SeparateDatabaseAndState with state_operations=[DeleteModel(...)]), deploy, then drop the table in a later release."},
	{RuleDropDefaultAfterAdd, "drop-default-after-add", SeverityError,
		"The default of a NOT NULL column added by this migration is dropped, so INSERTs from the app version still running fail.",
		"This is what Django's AddField(default=...) emits: ADD COLUMN ... DEFAULT x NOT NULL; ALTER COLUMN ... DROP DEFAULT. Old instances do not know the column, so every INSERT they make violates NOT NULL until they are replaced. On Django 5 use db_default= (the database keeps the default); otherwise keep the database default (RunSQL ... SET DEFAULT wrapped in SeparateDatabaseAndState) and drop it in a later release."},
	{RuleSetNotNull, "set-not-null", SeverityError,
		"SET NOT NULL scans the whole table under ACCESS EXCLUSIVE, and old code may still write NULL.",
		"PostgreSQL verifies every row while reads and writes are blocked. Since PostgreSQL 12 the scan is skipped when a validated CHECK (col IS NOT NULL) exists (ALTER TABLE docs, SET/DROP NOT NULL). Safe sequence: ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; (commit) VALIDATE CONSTRAINT c; SET NOT NULL; DROP CONSTRAINT c. And make sure the running code never writes NULL first."},
	{RuleAlterColumnType, "alter-column-type", SeverityError,
		"ALTER COLUMN TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE unless the change is binary coercible.",
		"varchar(n) to varchar(m>=n) or text, text to varchar, numeric(p,s) to numeric(q>=p,s) or numeric, and cidr to inet need neither a rewrite nor an index rebuild (ALTER TABLE docs, Notes). Everything else, such as integer to bigint, rewrites the table with reads and writes blocked, and narrowing types also makes the running code's writes fail. Safe alternative: add a new column, backfill in batches, switch over in a later release."},
	{RuleAddCheck, "add-check-constraint", SeverityError,
		"ADD CONSTRAINT CHECK without NOT VALID scans the table under ACCESS EXCLUSIVE.",
		"Add it NOT VALID (only new rows are checked, the lock is brief), then VALIDATE CONSTRAINT in a later transaction, which takes only SHARE UPDATE EXCLUSIVE (ALTER TABLE docs, VALIDATE CONSTRAINT)."},
	{RuleAddForeignKey, "add-foreign-key", SeverityError,
		"ADD CONSTRAINT FOREIGN KEY without NOT VALID scans the table while blocking writes to both tables.",
		"It takes SHARE ROW EXCLUSIVE on the table and the referenced table for the whole validation. Add it NOT VALID, then VALIDATE CONSTRAINT in a later transaction (SHARE UPDATE EXCLUSIVE on the table, ROW SHARE on the referenced one)."},
	{RuleAddUnique, "add-unique-constraint", SeverityError,
		"ADD CONSTRAINT UNIQUE builds an index under ACCESS EXCLUSIVE.",
		"Build the index first without blocking: CREATE UNIQUE INDEX CONCURRENTLY name ON t (cols); then ALTER TABLE t ADD CONSTRAINT name UNIQUE USING INDEX name, which is instant."},
	{RuleAddPrimaryKey, "add-primary-key", SeverityError,
		"ADD CONSTRAINT PRIMARY KEY builds an index (and may SET NOT NULL) under ACCESS EXCLUSIVE.",
		"CREATE UNIQUE INDEX CONCURRENTLY first, make the columns NOT NULL via a validated CHECK, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX."},
	{RuleAddExclusion, "add-exclusion-constraint", SeverityError,
		"ADD CONSTRAINT EXCLUDE builds an index under ACCESS EXCLUSIVE; it has no NOT VALID or USING INDEX form.",
		"Expect reads and writes to be blocked for the whole build; run it in a maintenance window or on a new table."},
	{RuleValidateSameTransaction, "validate-in-same-transaction", SeverityError,
		"VALIDATE CONSTRAINT runs in the transaction that added the constraint NOT VALID, so the ADD's lock is held during the scan.",
		"NOT VALID only helps when VALIDATE runs in a later transaction: put it in a separate migration (Django) or after COMMIT."},
	{RuleCreateIndex, "create-index-non-concurrently", SeverityError,
		"CREATE INDEX without CONCURRENTLY blocks writes to the table for the whole build.",
		"Use CREATE INDEX CONCURRENTLY outside a transaction. Django: from django.contrib.postgres.operations import AddIndexConcurrently, and set atomic = False on the migration."},
	{RuleNonTransactional, "non-transactional-in-transaction", SeverityError,
		"The statement cannot run inside a transaction block; the migration fails.",
		"CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY and VACUUM refuse transaction blocks. Django: set atomic = False on the migration; plain SQL: move the statement after COMMIT."},
	{RuleConcurrentIndexPG14, "pg14-concurrent-index-bug", SeverityWarning,
		"PostgreSQL 14.0 to 14.3 can silently corrupt indexes built with CREATE INDEX / REINDEX CONCURRENTLY.",
		"Fixed in 14.4 (release notes 14.4, E.x): upgrade the server, and REINDEX indexes built concurrently on those versions. Reported as info when only the major version is known."},
	{RuleDropIndex, "drop-index-non-concurrently", SeverityWarning,
		"DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table.",
		"The drop itself is instant, but while it waits for the queries running on the table every new query, reads included, queues behind it (DROP INDEX docs: ACCESS EXCLUSIVE). DROP INDEX CONCURRENTLY avoids that (Django: RemoveIndexConcurrently with atomic = False)."},
	{RuleReindex, "reindex-non-concurrently", SeverityError,
		"REINDEX without CONCURRENTLY blocks writes to the table and reads that use the index.",
		"Use REINDEX ... CONCURRENTLY (PostgreSQL 12+) outside a transaction block."},
	{RuleUnsupportedOnVersion, "unsupported-on-version", SeverityError,
		"The statement uses syntax the target PostgreSQL version does not have.",
		"Check the -pg-version option or rewrite the statement for the server's version."},
	{RuleTruncate, "truncate", SeverityError,
		"TRUNCATE of an existing table takes ACCESS EXCLUSIVE and deletes every row.",
		"Data loss for the running application; delete in batches or use a new table if this is intended."},
	{RuleVacuumFull, "vacuum-full", SeverityError,
		"VACUUM FULL rewrites the table under ACCESS EXCLUSIVE.",
		"Use plain VACUUM, or pg_repack for online compaction."},
	{RuleCluster, "cluster", SeverityError,
		"CLUSTER rewrites the table under ACCESS EXCLUSIVE.",
		"Use pg_repack for an online reorder, or accept a maintenance window."},
	{RuleBackfill, "backfill-in-migration", SeverityWarning,
		"UPDATE or DELETE of every row of an existing table inside the migration.",
		"Every row stays locked until the migration commits, blocking concurrent writes to those rows, and the whole table is rewritten in one transaction (bloat, replication lag). Backfill in batches outside the migration transaction (RunPython with atomic = False, committing every few thousand rows)."},
	{RuleLockHeld, "lock-held-during-slow-statement", SeverityError,
		"A slow statement runs while locks taken earlier in the same transaction are still held.",
		"Locks are released only at COMMIT, so an earlier brief ACCESS EXCLUSIVE (e.g. from ADD COLUMN) blocks the table for as long as the later scan or index build takes. Split the migration so slow steps run in their own transaction. Reported as error when a held lock blocks reads, warning when it blocks only writes."},
	{RuleLockTimeout, "missing-lock-timeout", SeverityInfo,
		"No SET lock_timeout before a statement that takes a blocking lock.",
		"A blocked ALTER waits behind long queries while every later query queues behind it. deploykit's migrate apply sets lock_timeout itself; when running the SQL another way, SET lock_timeout = '2s' first."},
	{RuleBeginWithoutCommit, "begin-without-commit", SeverityError,
		"A BEGIN whose transaction is never committed.",
		"The file ends inside the transaction: psql rolls everything back at exit, and a runner that keeps the session open keeps every lock taken since BEGIN. End it with COMMIT."},
	{RuleRunPythonIrreversible, "runpython-without-reverse", SeverityWarning,
		"RunPython without reverse_code makes the migration irreversible.",
		"A rollback of the deploy cannot unapply the migration. Pass reverse_code (migrations.RunPython.noop when nothing needs undoing)."},
	{RuleRunPythonOpaque, "runpython-not-analysed", SeverityInfo,
		"RunPython runs code whose SQL cannot be analysed statically.",
		"Data migrations run inside the migration transaction unless atomic = False; batch large updates and keep them out of schema-changing transactions."},
}

var lockDDLRules = []Rule{
	{RuleAttachPartition, "attach-partition-scan", SeverityWarning,
		"ATTACH PARTITION scans the partition under ACCESS EXCLUSIVE unless a validated CHECK proves the bound.",
		"PostgreSQL 12-17 take SHARE UPDATE EXCLUSIVE on the partitioned table and ACCESS EXCLUSIVE on the partition, and scan it to verify the partition constraint (ALTER TABLE docs, ATTACH PARTITION), plus any default partition. Add a CHECK matching PostgreSQL's partition constraint NOT VALID (RANGE: key IS NOT NULL AND key >= from AND key < to; LIST: key IS NOT NULL AND key IN (values); the IS NOT NULL may go only when the column is NOT NULL, as the proof is a weak implication), VALIDATE it in a later transaction, then ATTACH (no scan) and drop the CHECK. The analyser recognises that pattern, with the constants written as in the bound, when the partitioned table and the partition are created in the analysed migrations (checked on PostgreSQL 15 by TestAttachPartitionCheckOnPostgres; a cast is accepted only to the key column's type); otherwise it claims the scan."},
	{RuleDetachPartition, "detach-partition-non-concurrently", SeverityWarning,
		"DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table.",
		"It waits for every running query on the partitioned table while all new ones queue behind it. On PostgreSQL 14+ use DETACH PARTITION ... CONCURRENTLY (SHARE UPDATE EXCLUSIVE, outside a transaction block); on 12 and 13 use a short lock_timeout with retries."},
	{RuleDomainConstraint, "alter-domain-scan", SeverityWarning,
		"ALTER DOMAIN ADD CONSTRAINT, SET NOT NULL or VALIDATE CONSTRAINT scans every column of the domain with SHARE locks.",
		"Each table with a column of the domain is locked SHARE (writes block) and scanned (ALTER DOMAIN docs; typecmds.c). Put the constraint on the table columns instead (NOT VALID, then VALIDATE under SHARE UPDATE EXCLUSIVE), or run it at a quiet time."},
	{RuleEnumValueSameTxn, "enum-value-used-in-same-transaction", SeverityError,
		"An enum value added by ALTER TYPE ... ADD VALUE is used before the transaction commits.",
		"PostgreSQL 12+ allow ADD VALUE in a transaction block but reject the new value until COMMIT (\"unsafe use of new value\", ALTER TYPE docs, Notes), so the migration fails. Commit first: use the value in a later migration."},
	{RuleSetTablespace, "set-tablespace", SeverityError,
		"SET TABLESPACE copies the table or index under ACCESS EXCLUSIVE.",
		"Every data block is copied to the new tablespace while reads and writes are blocked (ALTER TABLE docs, SET TABLESPACE): a new relfilenode, like a rewrite. Use pg_repack --tablespace, build a new index CONCURRENTLY in the target tablespace, or a maintenance window."},
	{RuleSetLogged, "set-logged-unlogged", SeverityError,
		"SET LOGGED or SET UNLOGGED rewrites the table under ACCESS EXCLUSIVE.",
		"Changing persistence rewrites the table and its indexes (ALTER TABLE docs, SET LOGGED/UNLOGGED) with reads and writes blocked; SET LOGGED also writes the whole table to WAL. Create a new table and copy in batches, or use a maintenance window."},
	{RuleRefreshMatView, "refresh-materialized-view", SeverityError,
		"REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view for the whole refresh.",
		"It takes ACCESS EXCLUSIVE and replaces the view's heap (REFRESH MATERIALIZED VIEW docs). Use REFRESH MATERIALIZED VIEW CONCURRENTLY (EXCLUSIVE: reads continue; needs a unique index on the view)."},
	{RuleLockTable, "lock-table", SeverityWarning,
		"LOCK TABLE in a mode that blocks writes (SHARE or stronger) holds it until COMMIT.",
		"Explicit locks are held to the end of the transaction and queue behind running queries while they wait (LOCK docs); LOCK TABLE outside a transaction block is an error. Take the weakest mode, set lock_timeout, keep the transaction short."},
	{RuleDropDatabase, "drop-database", SeverityError,
		"DROP DATABASE in a migration.",
		"It deletes the database irreversibly and cannot run in a transaction block (DROP DATABASE docs). Never from a deploy migration."},
	{RuleDropSchemaCascade, "drop-schema-cascade", SeverityError,
		"DROP SCHEMA ... CASCADE drops every object in the schema.",
		"Tables, views, functions and types in the schema go with it, each table under ACCESS EXCLUSIVE (DROP SCHEMA docs). Drop the objects one by one after the code that uses them is gone."},
	{RuleAzureExtension, "azure-extension-allowlist", SeverityInfo,
		"CREATE EXTENSION fails on Azure Database for PostgreSQL Flexible Server unless the extension is allow-listed in azure.extensions.",
		"Flexible Server refuses CREATE EXTENSION (and ALTER, DROP and COMMENT ON EXTENSION) for an extension that is not in the azure.extensions server parameter, and an extension whose library uses shared memory must also be in shared_preload_libraries, a static parameter that needs a server restart (Microsoft Learn, \"Allow extensions\" and \"Considerations when using extensions\", " + azureExtensionsDocURL + ", " + azureExtensionsDocURL2 + ", consulted " + azureExtensionsDocDate + "). The migration then fails at deploy time. Allow-list the extension before deploying: az postgres flexible-server parameter set --name azure.extensions --value <the current list plus the extension> (the value replaces the whole list). Django's CreateExtension, TrigramExtension, HStoreExtension, BtreeGinExtension, BtreeGistExtension, CITextExtension, CryptoExtension and UnaccentExtension render CREATE EXTENSION IF NOT EXISTS."},
	{RuleNotModelled, "not-modelled", SeverityWarning,
		"A statement that takes a lock stronger than ROW EXCLUSIVE on an existing relation, or runs dynamic SQL, that no rule models.",
		"The analyser fails closed: what it does not model is never reported as safe, and migrate's Apply refuses it unless forced. Check the statement by hand or trace it on a copy of the database (migratecheck trace), then suppress the finding with -- deploykit:ignore DKM090."},
}

// Rules returns the documentation of every rule, ordered by ID.
func Rules() []Rule {
	out := append([]Rule(nil), rules...)
	out = append(out, lockDDLRules...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// RulesDocURL is the document with one section per rule (RULES.md).
const RulesDocURL = "https://github.com/deploykit/deploykit/blob/main/migrate/RULES.md"

// RuleURL returns the documentation anchor of a rule, "" for an unknown
// ID: RulesDocURL + "#dkm030-create-index-non-concurrently".
func RuleURL(id string) string {
	return ruleIndex()[id].url
}

// ruleAnchor is the GitHub heading anchor of "## DKM030 name".
func ruleAnchor(r Rule) string {
	return strings.ToLower(r.ID) + "-" + r.Name
}

// ruleEntry is a rule and its URL, looked up by ID.
type ruleEntry struct {
	rule *Rule
	url  string
}

// ruleIndex maps rule IDs to their entries; built once, read-only after.
var ruleIndex = sync.OnceValue(func() map[string]ruleEntry {
	m := make(map[string]ruleEntry, len(rules)+len(lockDDLRules))
	for _, list := range [][]Rule{rules, lockDDLRules} {
		for i := range list {
			r := &list[i]
			m[r.ID] = ruleEntry{rule: r, url: RulesDocURL + "#" + ruleAnchor(*r)}
		}
	}
	return m
})

// ruleByID returns the rule with the given ID, nil for an unknown one.
func ruleByID(id string) *Rule {
	return ruleIndex()[id].rule
}
