#!/usr/bin/env bash
# deploykit test services: installs what is missing, starts the real services
# the integration tests use (PostgreSQL, buildkitd with runc, an OCI registry,
# Azurite) on loopback with throwaway data directories, and writes their
# environment to .testenv/env.
#
#   internal/testenv/services.sh up     start (restarting any that run)
#   internal/testenv/services.sh down   stop and delete the data directories
#   internal/testenv/services.sh env    print the environment file
#
# Installs run only as root on Debian (apt-get, npm ci); otherwise the script
# names what is missing and how to get it, and exits 1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="$ROOT/.testenv"
ENVFILE="$STATE/env"
AZURITE_DIR="$ROOT/internal/testenv/azurite"
GLOB_DIR="$ROOT/internal/testenv/actionsglob"
ACTIONS_CACHE_DIR="$ROOT/internal/testenv/actionscache"
DEBIAN_PY=/usr/bin/python3

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

pg_bindir() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

# missing_packages prints the Debian packages whose files are absent.
missing_packages() {
	local pkgs=()
	pg_bindir >/dev/null || pkgs+=(postgresql)
	[[ -x /usr/sbin/runc || -x /usr/bin/runc ]] || pkgs+=(runc)
	[[ -x /usr/bin/docker-registry ]] || pkgs+=(docker-registry)
	[[ -x /usr/bin/gunicorn ]] || pkgs+=(gunicorn)
	[[ -x /bin/busybox ]] || pkgs+=(busybox-static)
	[[ -x /usr/sbin/pgbouncer ]] || pkgs+=(pgbouncer) # migrate/: apply through transaction pooling
	command -v curl >/dev/null || pkgs+=(curl)
	if [[ -x $DEBIAN_PY ]]; then
		$DEBIAN_PY -c 'import django' 2>/dev/null || pkgs+=(python3-django)
		$DEBIAN_PY -c 'import whitenoise' 2>/dev/null || pkgs+=(python3-whitenoise)
		$DEBIAN_PY -c 'import psycopg2' 2>/dev/null || pkgs+=(python3-psycopg2)
	else
		pkgs+=(python3 python3-django python3-whitenoise python3-psycopg2)
	fi
	command -v zstdmt >/dev/null || pkgs+=(zstd) # cache/: @actions/cache runs zstdmt and unzstd
	command -v shellcheck >/dev/null || pkgs+=(shellcheck) # workflow/: the generated run: scripts pass the real shellcheck
	command -v node >/dev/null || pkgs+=(nodejs)
	command -v npm >/dev/null || pkgs+=(npm)
	echo "${pkgs[@]}"
}

install_missing() {
	local pkgs
	pkgs="$(missing_packages)"
	if [[ -n "$pkgs" ]]; then
		if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
			log "installing Debian packages: $pkgs"
			apt-get update -qq
			# shellcheck disable=SC2086
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
		else
			die "missing: $pkgs; install them with: sudo apt-get install $pkgs"
		fi
	fi
	if [[ ! -f "$GLOB_DIR/node_modules/@actions/glob/package.json" ]]; then
		log "installing @actions/glob (npm ci, version pinned in internal/testenv/actionsglob/package-lock.json)"
		(cd "$GLOB_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
			die "npm ci in $GLOB_DIR failed"
	fi
	if [[ ! -f "$ACTIONS_CACHE_DIR/node_modules/@actions/cache/package.json" ]]; then
		log "installing @actions/cache (npm ci, version pinned in internal/testenv/actionscache/package-lock.json)"
		(cd "$ACTIONS_CACHE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
			die "npm ci in $ACTIONS_CACHE_DIR failed"
	fi
	if [[ ! -x "$AZURITE_DIR/node_modules/.bin/azurite-blob" ]]; then
		log "installing Azurite (npm ci, version pinned in internal/testenv/azurite/package-lock.json)"
		(cd "$AZURITE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
			die "npm ci in $AZURITE_DIR failed"
	fi
}

free_port() {
	$DEBIAN_PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for() { # wait_for SECONDS WHAT COMMAND...
	local secs=$1 what=$2
	shift 2
	local i
	for ((i = 0; i < secs * 10; i++)); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

start_postgres() {
	local bin dir port
	bin="$(pg_bindir)"
	dir="$TMP/postgres"
	port="$(free_port)"
	mkdir -p "$dir"
	local as=()
	if [[ $(id -u) -eq 0 ]]; then
		# PostgreSQL refuses to run as root: run the throwaway cluster as the
		# postgres user that the Debian package creates.
		id postgres >/dev/null 2>&1 || die "no postgres user to run the test cluster as"
		chown postgres: "$dir"
		chmod 755 "$TMP"
		as=(runuser -u postgres --)
	fi
	"${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >"$TMP/postgres-initdb.log" 2>&1 ||
		{ cat "$TMP/postgres-initdb.log" >&2; die "initdb failed"; }
	"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200" \
		start >/dev/null || { cat "$dir/postgres.log" >&2; die "PostgreSQL did not start"; }
	echo "PG_CTL=$bin/pg_ctl" >>"$STATE/state"
	echo "PG_DATA=$dir/data" >>"$STATE/state"
	echo "DEPLOYKIT_TEST_PG_URL=postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" >>"$ENVFILE"
	log "PostgreSQL $("$bin/postgres" --version | awk "{print \$3}") on 127.0.0.1:$port (data $dir/data)"
}

start_buildkit() {
	local bin dir
	dir="$TMP/buildkit"
	mkdir -p "$dir"
	# The buildkitd binary is the exact version pinned by go.mod's tool
	# directive; `go tool -n` builds it (cached) and prints its path.
	bin="$(cd "$ROOT" && go tool -n buildkitd)" || die "cannot build buildkitd (go tool -n buildkitd)"
	local runc
	runc="$(command -v runc || echo /usr/sbin/runc)"
	nohup "$bin" --root "$dir/root" --addr "unix://$dir/buildkitd.sock" \
		--oci-worker=true --containerd-worker=false --oci-worker-binary="$runc" \
		--oci-worker-gc=false >"$dir/buildkitd.log" 2>&1 &
	echo "BUILDKIT_PID=$!" >>"$STATE/state"
	wait_for 60 buildkitd test -S "$dir/buildkitd.sock" || { cat "$dir/buildkitd.log" >&2; die "buildkitd did not start"; }
	echo "DEPLOYKIT_TEST_BUILDKIT_ADDR=unix://$dir/buildkitd.sock" >>"$ENVFILE"
	log "buildkitd (oci worker, $runc) on unix://$dir/buildkitd.sock"
}

start_registry() {
	local dir port
	dir="$TMP/registry"
	port="$(free_port)"
	mkdir -p "$dir/data"
	cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
	nohup /usr/bin/docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
	echo "REGISTRY_PID=$!" >>"$STATE/state"
	wait_for 30 registry curl -fsS "http://127.0.0.1:$port/v2/" || { cat "$dir/registry.log" >&2; die "docker-registry did not start"; }
	echo "DEPLOYKIT_TEST_REGISTRY=127.0.0.1:$port" >>"$ENVFILE"
	log "OCI registry (docker-registry) on 127.0.0.1:$port"
}

start_azurite() {
	local dir port
	dir="$TMP/azurite"
	port="$(free_port)"
	mkdir -p "$dir"
	nohup "$AZURITE_DIR/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" \
		--location "$dir" --skipApiVersionCheck --loose --silent >"$dir/azurite.log" 2>&1 &
	echo "AZURITE_PID=$!" >>"$STATE/state"
	wait_for 60 azurite bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" || { cat "$dir/azurite.log" >&2; die "Azurite did not start"; }
	echo "DEPLOYKIT_TEST_AZURITE_BLOB=http://127.0.0.1:$port/devstoreaccount1" >>"$ENVFILE"
	log "Azurite $(cd "$AZURITE_DIR" && node -p 'require("azurite/package.json").version') blob service on 127.0.0.1:$port"
}

actions_glob_env() {
	echo "DEPLOYKIT_TEST_ACTIONS_GLOB=$GLOB_DIR/node_modules" >>"$ENVFILE"
	log "@actions/glob $(cd "$GLOB_DIR" && node -p 'require("@actions/glob/package.json").version') (the GitHub runner's hashFiles globber) for cache/'s differential test"
}

actions_cache_env() {
	echo "DEPLOYKIT_TEST_ACTIONS_CACHE=$ACTIONS_CACHE_DIR/node_modules" >>"$ENVFILE"
	log "@actions/cache $(node -p "require('$ACTIONS_CACHE_DIR/node_modules/@actions/cache/package.json').version") (the library behind actions/cache) for cache/'s differential tests"
}

gunicorn_env() {
	[[ -x /usr/bin/gunicorn ]] || die "gunicorn is missing"
	echo "DEPLOYKIT_TEST_GUNICORN=/usr/bin/gunicorn" >>"$ENVFILE"
	log "gunicorn $(/usr/bin/gunicorn --version 2>&1 | awk "{print \$NF}" | tr -d ")"), Django $($DEBIAN_PY -c 'import django; print(django.get_version())')"
}

down() {
	[[ -f "$STATE/state" ]] || return 0
	# shellcheck disable=SC1091
	local PG_CTL="" PG_DATA="" BUILDKIT_PID="" REGISTRY_PID="" AZURITE_PID="" TMP=""
	# shellcheck disable=SC1090
	. "$STATE/state"
	if [[ -n "$PG_CTL" && -d "$PG_DATA" ]]; then
		if [[ $(id -u) -eq 0 ]]; then
			runuser -u postgres -- "$PG_CTL" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
		else
			"$PG_CTL" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
		fi
	fi
	local pid
	for pid in $BUILDKIT_PID $REGISTRY_PID $AZURITE_PID; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $BUILDKIT_PID $REGISTRY_PID $AZURITE_PID; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	done
	if [[ -n "$TMP" && -d "$TMP" ]]; then
		# buildkitd may leave overlay mounts behind if it was killed.
		{ grep -o " $TMP/[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
		rm -rf "$TMP" 2>/dev/null || true
	fi
	rm -f "$STATE/state" "$ENVFILE"
	log "services stopped"
}

up() {
	down
	install_missing
	mkdir -p "$STATE"
	TMP="$(mktemp -d /tmp/deploykit-testenv.XXXXXX)"
	: >"$ENVFILE"
	echo "TMP=$TMP" >"$STATE/state"
	start_postgres
	start_buildkit
	start_registry
	start_azurite
	gunicorn_env
	actions_glob_env
	actions_cache_env
	log "environment written to $ENVFILE"
}

case "${1:-}" in
up) up ;;
down) down ;;
env) cat "$ENVFILE" ;;
*) die "usage: $0 up|down|env" ;;
esac
