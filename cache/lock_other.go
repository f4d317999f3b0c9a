//go:build !unix

package cache

// lockFile is a no-op where flock is unavailable: saves still replace the
// file atomically, but concurrent savers may drop each other's entries.
func lockFile(string) (func(), error) { return func() {}, nil }
