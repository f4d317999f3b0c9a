#!/usr/bin/env bash
# make test: start the real services, lint, run every test with the race
# detector, and stop the services whatever happens.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export PATH="$PATH:/usr/local/go/bin"
SERVICES="$ROOT/internal/testenv/services.sh"

trap '"$SERVICES" down' EXIT
"$SERVICES" up
set -a
# shellcheck disable=SC1091
. "$ROOT/.testenv/env"
set +a

make --no-print-directory lint

echo "go test -race -count=1 ./..."
go test -race -count=1 -timeout 30m ./...
