package testenv

import "testing"

// EnvActionsCache is a node_modules directory holding @actions/cache at the
// version pinned in internal/testenv/actionscache/package-lock.json (the
// library actions/cache runs), for differential tests run with node.
const EnvActionsCache = "DEPLOYKIT_TEST_ACTIONS_CACHE"

// ActionsCache returns a node_modules directory that holds @actions/cache,
// for differential tests of archives, cache paths and cache versions: it
// is skipped when unset outside CI and fails under CI=true.
func ActionsCache(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvActionsCache, "@actions/cache (node)")
}
