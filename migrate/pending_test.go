package migrate

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/testenv"
)

func ref(s string) MigrationRef {
	app, name, _ := strings.Cut(s, ".")
	return MigrationRef{App: app, Name: name}
}

func disk(name string, deps ...string) DiskMigration {
	d := DiskMigration{MigrationRef: ref(name)}
	for _, x := range deps {
		d.Dependencies = append(d.Dependencies, ref(x))
	}
	return d
}

func squash(name string, replaces ...string) DiskMigration {
	d := DiskMigration{MigrationRef: ref(name)}
	for _, x := range replaces {
		d.Replaces = append(d.Replaces, ref(x))
	}
	return d
}

func applied(names ...string) []AppliedMigration {
	var out []AppliedMigration
	for _, n := range names {
		out = append(out, AppliedMigration{MigrationRef: ref(n)})
	}
	return out
}

func pendingNames(r *PendingReport) []string {
	var out []string
	for _, p := range r.Pending {
		out = append(out, p.String())
	}
	return out
}

// The expectations follow Django's MigrationLoader.build_graph and
// MigrationExecutor: squashed migrations are used when all or none of the
// replaced migrations are applied, and count as applied when all are.
func TestComparePending(t *testing.T) {
	blog := []DiskMigration{disk("blog.0001_initial"), disk("blog.0002_views", "blog.0001_initial"), disk("blog.0003_rating", "blog.0002_views")}
	shop := []DiskMigration{disk("shop.0001_initial"), disk("shop.0002_price", "shop.0001_initial"), squash("shop.0001_squashed_0002", "shop.0001_initial", "shop.0002_price")}
	cases := []struct {
		name       string
		disk       []DiskMigration
		applied    []AppliedMigration
		pending    []string
		missing    []string
		outOfOrder []string
		others     []string
	}{
		{name: "fresh database", disk: blog, pending: []string{"blog.0001_initial", "blog.0002_views", "blog.0003_rating"}},
		{name: "partly applied", disk: blog, applied: applied("blog.0001_initial", "blog.0002_views", "auth.0001_initial"),
			pending: []string{"blog.0003_rating"}, others: []string{"auth"}},
		{name: "all applied", disk: blog, applied: applied("blog.0001_initial", "blog.0002_views", "blog.0003_rating")},
		{name: "applied but file deleted", disk: blog[:2], applied: applied("blog.0001_initial", "blog.0002_views", "blog.0003_rating"),
			missing: []string{"blog.0003_rating"}},
		{name: "dependency not applied", disk: blog, applied: applied("blog.0001_initial", "blog.0003_rating"),
			pending:    []string{"blog.0002_views"},
			outOfOrder: []string{"blog.0002_views", "blog.0003_rating"}},
		{name: "squash used on fresh database", disk: shop, pending: []string{"shop.0001_squashed_0002"}},
		{name: "squash applied through replaced", disk: shop, applied: applied("shop.0001_initial", "shop.0002_price")},
		{name: "squash partially applied", disk: shop, applied: applied("shop.0001_initial"), pending: []string{"shop.0002_price"}},
		{name: "squash recorded, replaced files gone", disk: shop[2:], applied: applied("shop.0001_initial", "shop.0002_price", "shop.0001_squashed_0002")},
		{name: "partial squash with replaced file gone", disk: shop[2:], applied: applied("shop.0001_initial"), pending: []string{"shop.0002_price"}},
		{name: "dependency on a squashed-away migration", disk: append(append([]DiskMigration{}, shop...), disk("blog.0001_initial", "shop.0002_price")),
			applied: applied("blog.0001_initial", "shop.0001_initial"), pending: []string{"shop.0002_price"}, outOfOrder: []string{"blog.0001_initial"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ComparePending(tc.disk, tc.applied)
			assert.Equal(t, tc.pending, pendingNames(r))
			var missing, ooo []string
			for _, m := range r.MissingOnDisk {
				missing = append(missing, m.String())
			}
			for _, o := range r.OutOfOrder {
				ooo = append(ooo, o.Migration.String())
			}
			assert.Equal(t, tc.missing, missing)
			assert.Equal(t, tc.outOfOrder, ooo)
			assert.Equal(t, tc.others, r.OtherApps)
		})
	}
}

func TestParseMigrationFile(t *testing.T) {
	src := `from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):

    replaces = [('shop', '0001_initial'), ("shop", "0002_price"),]  # squashed

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("blog", "0003_rating"),
        # ("old", "0001"),
        ('contenttypes', '__first__'),
    ]

    operations = [migrations.RunSQL("SELECT 'replaces = [1]'")]
`
	m, err := ParseMigrationFile("m.py", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, []MigrationRef{ref("shop.0001_initial"), ref("shop.0002_price")}, m.Replaces)
	assert.Equal(t, []MigrationRef{ref("blog.0003_rating"), ref("contenttypes.__first__")}, m.Dependencies)

	for _, bad := range []struct{ src, want string }{
		{"class M:\n    replaces = [('a', 'b')\n", "m.py:3:1: unterminated list"},
		{"class M:\n    dependencies = ('a', 'b\n", `m.py:2:26: unterminated string literal`},
		{"class M:\n    replaces = foo()\n", "m.py:2:16: expected a list or tuple literal"},
		{"class M:\n    replaces = [('a', 'b') ('c', 'd')]\n", "m.py:2:28: expected ',' or ']'"},
	} {
		_, err := ParseMigrationFile("m.py", []byte(bad.src))
		require.Error(t, err, bad.src)
		assert.Equal(t, bad.want, err.Error()[:len(bad.want)], err.Error())
		var se *MigrationSyntaxError
		assert.ErrorAs(t, err, &se)
	}
}

func FuzzParseMigrationFile(f *testing.F) {
	f.Add("class M:\n    replaces = [('a', 'b'), (\"c\", \"d\")]\n")
	f.Add("class M:\n    dependencies = [migrations.swappable_dependency(settings.X), ('a', '0001')]\n")
	f.Add("class M:\n    dependencies = (\n  # c\n ('a', r'b\\'c'),\n)")
	f.Add("    replaces = [(")
	f.Add("    replaces = ['\\")
	f.Fuzz(func(t *testing.T, src string) {
		m, err := ParseMigrationFile("f.py", []byte(src))
		if err != nil {
			var se *MigrationSyntaxError
			if !assert.ErrorAs(t, err, &se) || se.Line < 1 || se.Column < 1 {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		if m == nil {
			t.Fatal("nil migration without error")
		}
	})
}

func TestFindMigrationFiles(t *testing.T) {
	got, err := FindMigrationFiles("testdata/live/djangoproj")
	require.NoError(t, err)
	var names []string
	for _, m := range got {
		names = append(names, m.String())
	}
	// shop/apps.py sets label = "store".
	assert.Equal(t, []string{"blog.0001_initial", "blog.0002_post_views", "blog.0003_post_rating",
		"store.0001_initial", "store.0001_squashed_0002_item_price", "store.0002_item_price"}, names)
	assert.Equal(t, []MigrationRef{ref("store.0001_initial"), ref("store.0002_item_price")}, got[4].Replaces)
	assert.Equal(t, []MigrationRef{ref("blog.0002_post_views"), ref("store.0002_item_price")}, got[2].Dependencies)
}

// Against real Django: the pending set must equal what Django's own
// `showmigrations` reports as unapplied, for a partly migrated database
// and for a partially applied squash.
func TestPendingAgainstDjango(t *testing.T) {
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		testenv.Unavailable(t, "Debian's /usr/bin/python3 with Django is not installed")
	}
	url := testenv.Postgres(t)
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS("testdata/live/djangoproj")))
	manage := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "/usr/bin/python3", append([]string{"manage.py"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DEPLOYKIT_DATABASE_URL="+url, "PYTHONDONTWRITEBYTECODE=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return string(out)
	}
	djangoUnapplied := func() []string {
		var out []string
		app := ""
		for _, l := range strings.Split(manage("showmigrations"), "\n") {
			if l != "" && !strings.HasPrefix(l, " ") {
				app = strings.TrimSpace(l)
				continue
			}
			if m := regexp.MustCompile(`^\s*\[ \] (\S+)`).FindStringSubmatch(l); m != nil {
				out = append(out, app+"."+m[1])
			}
		}
		sort.Strings(out)
		return out
	}
	ctx := context.Background()
	conn := connect(t, url)

	rep, err := Pending(ctx, conn, dir)
	require.NoError(t, err)
	assert.True(t, rep.NoHistory)
	assert.Len(t, rep.Pending, 4)

	manage("migrate", "blog", "0002")
	rep, err = Pending(ctx, conn, dir)
	require.NoError(t, err)
	assert.False(t, rep.NoHistory)
	assert.Equal(t, djangoUnapplied(), pendingNames(rep))
	assert.Equal(t, []string{"blog.0003_post_rating", "store.0001_squashed_0002_item_price"}, pendingNames(rep))

	// An older deploy applied store.0001 before the squash existed.
	_, err = conn.Exec(ctx, "INSERT INTO django_migrations (app, name, applied) VALUES ('store', '0001_initial', now())")
	require.NoError(t, err)
	rep, err = Pending(ctx, conn, dir)
	require.NoError(t, err)
	assert.Equal(t, djangoUnapplied(), pendingNames(rep))
	assert.Equal(t, []string{"blog.0003_post_rating", "store.0002_item_price"}, pendingNames(rep))

	// A file deleted after being applied.
	require.NoError(t, os.Remove(filepath.Join(dir, "blog", "migrations", "0002_post_views.py")))
	rep, err = Pending(ctx, conn, dir)
	require.NoError(t, err)
	require.Len(t, rep.MissingOnDisk, 1)
	assert.Equal(t, "blog.0002_post_views", rep.MissingOnDisk[0].String())
}
