// Package cdn puts Azure Front Door Standard/Premium in front of a Django
// app's static files on App Service, proves that caching works over real
// HTTP, and keeps it cheap.
//
// Caching only works when both sides agree, so the package covers both:
//
//   - Django: [RenderSettings] writes the settings snippet (WhiteNoise's
//     manifest storage, STATIC_URL from an environment variable, in the
//     STATICFILES_STORAGE form before Django 4.2 and the STORAGES form from
//     4.2), [CheckSettings] flags settings that defeat a CDN, such as a
//     WHITENOISE_MAX_AGE of a year (it applies only to unhashed files:
//     WhiteNoise already gives hashed ones ten years and "immutable"), and
//     [ReadManifest] reads staticfiles.json by its version field.
//   - Front Door: a [Spec] is the desired state (profile, endpoint, origin
//     group with a HEAD probe, the App Service origin with an explicit host
//     header, a cached /static/* route with compression, optionally an
//     uncached /* route and a short Cache-Control rule for unhashed files).
//     [PlanChanges] diffs the owned fields against the [State] read by
//     [ReadState], with the plan model appservice uses too; [Apply] carries
//     the plan out with PATCHes of the changed fields only. Classic
//     Standard_Microsoft profiles are read and planned with the retirement
//     warning, never created.
//   - [Verify] requests every hashed file and a sample of unhashed ones
//     from the origin or the edge and checks status, Cache-Control,
//     Content-Type, compression, validators, CORS for fonts and X-Cache.
//   - [PurgePaths] and [Purge] purge only the unhashed files that changed
//     between two deploys' manifests.
//   - [Upload] copies collectstatic output to Blob Storage with the right
//     headers, skipping unchanged files by MD5, resumable after a kill.
//   - [EstimateCost] prices a month of traffic with the embedded, sourced
//     price table ([Prices]).
//
// Diagnostics use deploykit's shared model (file, line, column, rule,
// severity, message, suggested fixes); the command examples/cdn renders
// them as text, JSON, SARIF or GitHub annotations.
package cdn
