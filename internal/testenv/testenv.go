// Package testenv hands integration tests the real services that `make
// services` (and `make test`) start on loopback: PostgreSQL, BuildKit, an OCI
// registry, Azurite and gunicorn with Django.
//
// Each helper reads one environment variable. The names are a contract other
// tools rely on:
//
//	DEPLOYKIT_TEST_PG_URL        superuser URL of a throwaway PostgreSQL cluster
//	DEPLOYKIT_TEST_BUILDKIT_ADDR buildkitd address, unix:///.../buildkitd.sock
//	DEPLOYKIT_TEST_REGISTRY      OCI registry, 127.0.0.1:PORT (plain HTTP)
//	DEPLOYKIT_TEST_AZURITE_BLOB  Azurite blob endpoint, http://127.0.0.1:PORT/devstoreaccount1
//	DEPLOYKIT_TEST_GUNICORN      path to the gunicorn executable
//	DEPLOYKIT_TEST_ACTIONS_GLOB  node_modules with @actions/glob 0.4.0 (the runner's globber)
//
// When a variable is unset the test is skipped with a message that names the
// variable and `make test`, except when CI=true: then a missing service is a
// test failure, because an integration test that skipped proved nothing.
//
// To run one package's integration tests by hand:
//
//	make services && set -a && . .testenv/env && set +a && go test ./migrate/...
package testenv

import (
	"os"
	"strconv"
	"testing"
)

// Environment variable names read by the helpers in this package.
const (
	EnvPostgresURL  = "DEPLOYKIT_TEST_PG_URL"
	EnvBuildKitAddr = "DEPLOYKIT_TEST_BUILDKIT_ADDR"
	EnvRegistry     = "DEPLOYKIT_TEST_REGISTRY"
	EnvAzuriteBlob  = "DEPLOYKIT_TEST_AZURITE_BLOB"
	EnvGunicorn     = "DEPLOYKIT_TEST_GUNICORN"
	// EnvActionsGlob is a node_modules directory holding @actions/glob at
	// the version the GitHub runner's hashFiles bundles (0.4.0).
	EnvActionsGlob = "DEPLOYKIT_TEST_ACTIONS_GLOB"
)

// InCI reports whether the tests run under CI (CI=true), where a missing
// service fails the test instead of skipping it.
func InCI() bool {
	v, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && v
}

// lookup returns the value of the environment variable name, or ends the
// test: skipped outside CI, failed under CI.
func lookup(t testing.TB, name, service string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	msg := service + " is not available: " + name + " is unset; run `make test`, or `make services && set -a && . .testenv/env && set +a` before `go test`"
	if InCI() {
		t.Fatal("CI=true and " + msg)
		return ""
	}
	t.Skip(msg)
	return ""
}

// BuildKit returns the address of the test buildkitd (OCI worker, runc),
// suitable for github.com/moby/buildkit/client.New.
func BuildKit(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvBuildKitAddr, "BuildKit (buildkitd)")
}

// Registry returns host:port of the test OCI registry. It speaks plain HTTP
// on loopback and needs no credentials.
func Registry(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvRegistry, "the OCI registry (docker-registry)")
}

// ActionsGlob returns a node_modules directory that holds @actions/glob at
// the version the GitHub runner's hashFiles uses, for differential tests
// run with node.
func ActionsGlob(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvActionsGlob, "@actions/glob (node)")
}

// Unavailable ends a test whose prerequisite (a tool, an interpreter, a
// package) is missing: skipped with msg outside CI, failed under CI=true,
// where make test has installed everything and a skip would hide a broken
// harness.
func Unavailable(t testing.TB, msg string) {
	t.Helper()
	if InCI() {
		t.Fatal("CI=true and " + msg)
		return
	}
	t.Skip(msg)
}
