// Package plan is the one plan/apply model that deploykit's Azure-facing
// packages (appservice, cdn) share: a reviewable list of resource changes
// with ARM what-if's change types, per-field old → new values with secrets
// masked, marks for changes that restart the app or change the monthly cost,
// a fingerprint of the state the plan was computed from (so that a stale
// plan is refused), Terraform-style text, JSON with a stable schema, and
// -detailed-exitcode semantics.
//
// The package holds no Azure code: callers read their resources, diff the
// fields they own and build a [Plan] from [ResourceChange] values.
package plan
