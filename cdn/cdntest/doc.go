// Package cdntest is a fake Azure Front Door for tests of code that uses
// package cdn: the armcdn/v2 SDK's own fake servers behind one stateful
// store (internal/armtest), so that what a PUT or PATCH writes is what the
// next GET returns, with PATCH bodies merged as JSON merge patches (an
// explicit null removes a field), a recording transport to assert on what
// was sent, and optional 429/503 injection.
package cdntest
