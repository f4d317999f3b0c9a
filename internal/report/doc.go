// Package report is the one diagnostic model of deploykit's analysers
// (Dockerfile lint, migration risk, gunicorn validation, workflow checks)
// and its renderings, so that every analyser prints, serialises and fixes
// findings the same way.
//
// A [Diagnostic] is shaped like golang.org/x/tools/go/analysis.Diagnostic:
// a range (Pos, End: file, 1-based line, 1-based byte column), a stable rule
// ID and its documentation URL, a [Severity], a message, [SuggestedFix]es
// whose [TextEdit]s make mechanical fixes, and [Related] positions.
// Analysers re-export these types as aliases, so users never name this
// internal package.
//
// [Write] renders diagnostics in one of four formats:
//
//   - text: "file:line:col: severity: message [RULE]" with indented fix
//     and see lines;
//   - github: workflow commands (::error file=...,line=...,endLine=...::)
//     that the Actions runner turns into annotations;
//   - sarif: SARIF 2.1.0 that the official schema accepts (tests validate
//     it with internal/report/sarifcheck), with rule metadata, regions,
//     partialFingerprints, relatedLocations and fixes as artifactChanges;
//   - json: a stable, documented schema (schema.md, schema.json) with a
//     schemaVersion, which only grows by adding fields.
//
// Mechanical fixes: [ApplyEdits] applies edits to one file's bytes,
// refusing overlaps; [ApplyFixes] computes every file's fixed contents in
// memory (the first suggested fix with edits of each diagnostic);
// [ApplyFixesToFiles] is -fix: all or nothing, each file replaced
// atomically; [UnifiedDiff] is -diff: what -fix would change, as diff -u
// hunks that patch -p1 and git apply accept.
package report
