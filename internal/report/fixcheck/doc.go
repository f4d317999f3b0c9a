// Package fixcheck checks an analyser's suggested fixes the way issue 11
// asks every analyser's tests to: apply each fix, re-run the analyser on
// the fixed files, and require that the finding is gone and no new finding
// appeared. It is for tests; analysers' test files call Check on their
// fixtures.
//
// Files are keyed by cleaned paths (filepath.Clean) in what Analyze
// receives after a fix, so "./Dockerfile" arrives as "Dockerfile".
package fixcheck
