// Package appservice manages an Azure App Service app (a Linux container
// behind an App Service plan) as a reviewable plan and an exact apply, tunes
// its autoscale setting so that it cannot flap, and deploys new images
// blue/green behind a health gate with automatic swap-back.
//
// # Desired state, plan, apply
//
// A [Spec] names the target (subscription, resource group, app, plan) and
// the fields deploykit owns: the container image (LinuxFxVersion
// "DOCKER|image"), registry identity, WEBSITES_PORT, HTTP/2, Always On,
// minimum TLS, FTPS, the health check path, the startup command, app
// settings (merged; deletions explicit; values secret in every output),
// sticky slot settings, the plan's SKU, capacity and per-site scaling, an
// autoscale setting and an optional Application Insights component. Load
// one from JSON with [LoadSpec]: unknown fields, wrong types and invalid
// values are reported together with file:line:col.
//
// [Client.Plan] reads exactly the owned resources, concurrently, and
// returns a [Plan] with ARM what-if's change types and per-field old → new;
// changes that restart the app or change the bill are marked, with the
// monthly delta from an embedded price table (data/prices.json, with its
// source and date). Tier problems (Always On below Basic, autoscale, slots
// and per-site scaling below Standard, too many instances; data/tiers.json)
// are errors before any write, and before any call when the spec names the
// SKU. [Diff] computes the same plan offline from a saved [State].
//
// [Client.Apply] writes only what changed: the site config by PATCH of the
// changed owned fields (never a GET echoed back), app settings by list →
// merge → PUT (unknown keys such as WEBSITE_RUN_FROM_PACKAGE kept byte for
// byte), sticky names merged, the SKU by plan GET → edit → PUT. Given a
// saved plan it refuses a stale one ([ErrStale]). Applying twice is a
// no-op: the second plan is empty and makes no write.
//
// # Autoscale
//
// Rules are written in the az CLI's words ({"when": "CpuPercentage > 70 avg
// 5m", "scale": "out 1", "cooldown": "5m"}) and built into an
// AutoscaleSettingResource with Enabled set, the plan as target and
// namespace microsoft.web/serverfarms. Validation rejects a scale-out
// without a scale-in, different metrics for out and in, margins the
// projection guard would block, inconsistent min/max/default, and
// autoscale below Standard. [Simulate] replays a CSV metric trace through
// Azure's documented engine (scale-out if any rule fires, scale-in only if
// all do, projection metric × c/(c−n) before a scale-in) and reports every
// scale event and every flap the guard prevented. [LintAutoscale] applies
// the same validation to autoscale settings written in ARM JSON, Bicep or
// Terraform and reports what it cannot evaluate as not modelled.
//
// # Blue/green
//
// [Client.Deploy] sets the staging slot's image and config (creating the
// slot), warms it up until N consecutive 2xx (a redirect, a Django
// DisallowedHost 400 or a timeout is reported by cause), runs a caller
// step such as migrations, swaps (optionally with preview), verifies
// production over a window and swaps back when it fails. Every error path,
// cancellation included, ends with production on the old or the new
// version and no preview pending, reported in a [DeployResult].
package appservice
