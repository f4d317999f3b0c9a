// Package deploykit is the map of a Go SDK that makes the build and deploy of
// Python web apps (Django first) on Azure App Service fast, small and safe.
// This package holds no code: each capability is an importable package of
// its own, useful alone, and composed only by its callers (see examples/).
//
// # cache
//
// Package cache computes GitHub Actions cache keys outside the runner: a
// hashFiles that returns the runner's exact hex for the same patterns and
// tree, only faster (parallel hashing in walk order, an optional persistent
// stat cache), cache-key templates such as
// `${{ runner.os }}-poetry-${{ hashFiles('**/poetry.lock') }}`, restore-key
// resolution with actions/cache's rules, tar+zstd cache archives, and stores
// on local disk or Azure Blob Storage.
//
// # imagebuild
//
// Package imagebuild analyses Dockerfiles with BuildKit's own parser and
// checks plus deploykit's rules for Python images (context copies over a
// venv, chown layers that double /app, caches baked into layers, unpinned
// bases, root users), generates an optimised multi-stage Dockerfile and
// .dockerignore from a project, drives real BuildKit builds with registry
// layer caching, and reports image size and wasted bytes per layer.
//
// # migrate
//
// Package migrate gates Django/PostgreSQL migrations on their risk: it
// parses `manage.py sqlmigrate` output with PostgreSQL's own parser, knows
// which lock each statement takes, whether it rewrites or scans a table and
// whether the app version still running during a deploy survives it; it
// traces migrations on a real database (pg_locks, relfilenode) and applies
// them with lock timeouts, bounded retries and an advisory lock.
//
// # gunicornconf
//
// Package gunicornconf knows every gunicorn setting: it parses and validates
// gunicorn.conf.py (misspelled names gunicorn silently ignores, settings
// that do nothing with the chosen worker class, timeouts App Service
// overrides), sizes workers and threads for an App Service SKU, and renders
// a commented configuration with the matching startup command.
//
// # appservice
//
// Package appservice manages an App Service app and its plan as a
// reviewable plan and an exact apply (only the fields the desired state
// owns, app setting values secret in every output, tier problems before
// any write), validates autoscale rules written in the az CLI's words and
// replays a CPU trace through Azure's autoscale engine to show flapping,
// and deploys an image blue/green behind a health gate with automatic
// swap-back.
//
// # cdn
//
// Package cdn puts Azure Front Door in front of a Django app's static
// files: the desired profile, endpoint, origin and routes as plan/apply
// (classic CDN profiles planned with their retirement warning), a check of
// the Django settings that defeat a CDN, cache-header verification over
// real HTTP, purges of only the unhashed files that changed, uploads to
// Blob Storage and a cost estimate from a dated price table.
//
// # workflow
//
// Package workflow checks a GitHub Actions pipeline with actionlint and
// deploykit's deploy rules (Docker Hub library pushes, :latest deploys,
// migrations inside the running app, venv caches that ignore the
// interpreter, deploys not gated on tests) and generates a ci-cd.yml with
// parallel test and lint, an immutable image tag with a registry cache,
// a migration gate and a health-gated slot swap.
//
// # Composition
//
// A deploy pipeline composes them: cache keys for the CI dependency cache,
// imagebuild to lint, generate and build the image with a registry cache,
// migrate to check and apply the migrations before the new image is
// swapped in, gunicornconf to size the server for the target plan,
// appservice and cdn to plan the App Service app and Front Door, and
// workflow to check and generate the pipeline that runs it all. No package
// imports another: the composition lives in callers. examples/deployplan
// composes every package over an embedded sample Django project
// (go run ./examples/deployplan), and examples/ holds one thin command per
// package.
package deploykit
