package migrate_test

import (
	"fmt"

	"github.com/deploykit/deploykit/migrate"
)

// PlanApply splits migration files into the units Apply runs and records:
// a BEGIN ... COMMIT block is one transaction, a CREATE INDEX CONCURRENTLY
// runs on its own outside any transaction.
func ExamplePlanApply() {
	units, err := migrate.PlanApply([]migrate.ApplyFile{{
		Name: "0002_post_views.sql",
		SQL: []byte(`BEGIN;
ALTER TABLE blog_post ADD COLUMN views integer;
ALTER TABLE blog_post ALTER COLUMN views SET DEFAULT 0;
COMMIT;
CREATE INDEX CONCURRENTLY blog_post_views ON blog_post (views);
`),
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range units {
		fmt.Printf("unit %d, line %d, transactional %t, %d statement(s)\n", u.Index, u.Line, u.Transactional, len(u.Statements))
	}
	// Output:
	// unit 1, line 1, transactional true, 2 statement(s)
	// unit 2, line 5, transactional false, 1 statement(s)
}

// ComparePending decides, as Django's migration loader does, what is left
// to apply. A squashed migration stands in for the migrations it replaces
// while none of them is applied.
func ExampleComparePending() {
	ref := func(app, name string) migrate.MigrationRef { return migrate.MigrationRef{App: app, Name: name} }
	disk := []migrate.DiskMigration{
		{MigrationRef: ref("blog", "0001_initial")},
		{MigrationRef: ref("blog", "0002_post_views"), Dependencies: []migrate.MigrationRef{ref("blog", "0001_initial")}},
		{MigrationRef: ref("shop", "0001_squashed_0003"), Replaces: []migrate.MigrationRef{ref("shop", "0001_initial"), ref("shop", "0002_price"), ref("shop", "0003_stock")}},
	}
	applied := []migrate.AppliedMigration{
		{MigrationRef: ref("blog", "0001_initial")},
		{MigrationRef: ref("auth", "0001_initial")},
	}
	rep := migrate.ComparePending(disk, applied)
	for _, p := range rep.Pending {
		fmt.Println("pending", p.MigrationRef)
	}
	fmt.Println("not judged:", rep.OtherApps)
	// Output:
	// pending blog.0002_post_views
	// pending shop.0001_squashed_0003
	// not judged: [auth]
}

// RedactURL masks passwords, so connection strings can be logged.
func ExampleRedactURL() {
	fmt.Println(migrate.RedactURL("postgres://app:s3cret@myserver.postgres.database.azure.com:6432/site?sslmode=require"))
	fmt.Println(migrate.RedactURL("host=localhost user=app password=s3cret dbname=site"))
	// Output:
	// postgres://app:xxxxx@myserver.postgres.database.azure.com:6432/site?sslmode=require
	// host=localhost user=app password=xxxxx dbname=site
}
