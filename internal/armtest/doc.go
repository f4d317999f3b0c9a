// Package armtest is test support for deploykit's Azure-facing packages
// (appservice, cdn). Azure cannot be reached from tests, so clients talk to
// the SDK's own fake servers (the generated `fake` packages) and this
// package adds what those fakes lack:
//
//   - [Recorder], a transport that records every request's verb, path,
//     API name and raw body, so a test can prove that a PATCH carries only
//     owned fields (the fakes hand their handlers typed bodies in which an
//     absent field and an explicit null look the same);
//   - [Transient], a transport that answers the first N matching requests
//     with real 429/503 responses, because the fakes' ErrorResponder marks
//     its errors non-retriable and azcore's retry policy never retries them;
//   - [Store], a stateful document store with PUT (replace) and PATCH
//     (JSON merge patch) semantics, so that handlers behind the fakes keep
//     state and apply → plan round trips are real;
//   - responder helpers ([Respond], [Fail], [Done]) and [ClientOptions]
//     with millisecond retries for tests.
package armtest
