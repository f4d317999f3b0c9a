// Package sarifcheck validates SARIF logs against the official SARIF 2.1.0
// JSON schema (OASIS sarif-spec, vendored beside this file and embedded), and
// any other JSON document against a JSON Schema, offline: the compiler never
// loads anything over the network.
//
// Tests of every analyser call Validate on each SARIF log they write, so that
// GitHub code scanning, which validates uploads against the same schema,
// never rejects one.
package sarifcheck
