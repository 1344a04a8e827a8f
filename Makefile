# carrierdesk: the commands the README names, and the ones CI runs.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help

# The PostgreSQL database the tests use when TEST_DATABASE_URL is unset; the
# test harness has the same default.
DEFAULT_TEST_DATABASE_URL := postgres://postgres@127.0.0.1:5432/test?sslmode=disable
# The streaming standby of that cluster the read-replica tests use when
# CARRIERDESK_TEST_REPLICA_URL is unset (make replica makes it); the tests
# have the same default.
DEFAULT_TEST_REPLICA_URL := postgres://postgres@127.0.0.1:5433/test?sslmode=disable
PGO_TMP := /tmp/carrierdesk-pgo

.PHONY: help run test replica test-browser generate seed bench pgo release soak check-generated migrate migration graphiql-vendor

help:
	@echo 'make run              serve on :8080 (GraphiQL at /), SQLite file carrierdesk.db by default'
	@echo 'make test             the whole suite: SQLite, and PostgreSQL when reachable'
	@echo 'make replica          (root) a streaming replica of the test PostgreSQL on port 5433, for the read-replica tests'
	@echo 'make test-browser     GraphiQL in a headless Chromium, no network: sign in, reload, docs; saves docs/graphiql.png'
	@echo 'make generate         go mod tidy, then go generate ./...'
	@echo 'make check-generated  make generate, then fail if anything changed'
	@echo "make seed             load the demo portfolio (ARGS='--scale 10' for more)"
	@echo 'make soak             mixed traffic against an in-process server for SOAK_DURATION (60s): errors by kind, memory'
	@echo 'make bench            seed a large portfolio into PostgreSQL, measure the server against a SQL baseline (bench/results)'
	@echo 'make release          build bin/carrierdesk as it ships, with profile-guided optimisation'
	@echo 'make pgo              refresh server/release.pgo, the profile of release builds, from the benchmark'
	@echo 'make migrate          apply pending PostgreSQL migrations to DATABASE_URL'
	@echo 'make migration NAME=x write the next migration from the ent schema'
	@echo 'make graphiql-vendor  fetch the pinned GraphiQL and React builds from npm into internal/graphiql/vendor'

run:
	go run ./server

seed:
	go run ./server seed $(ARGS)

migrate:
	go run ./server migrate

# migration plans the next migration in a scratch schema of DATABASE_URL's
# database (the test database by default) and drops the scratch schema after.
migration:
	@test -n "$(NAME)" || { echo 'usage: make migration NAME=add_something' >&2; exit 1; }
	DATABASE_URL="$${DATABASE_URL:-$${TEST_DATABASE_URL:-$(DEFAULT_TEST_DATABASE_URL)}}" go run ./server migrate diff $(NAME)

# test runs every test. Without PostgreSQL the harness skips the PostgreSQL
# half, which is easy to miss in the output, so a banner says so before and
# after. CARRIERDESK_TEST_POSTGRES=require makes the harness fail instead.
test:
	@url="$${TEST_DATABASE_URL:-$(DEFAULT_TEST_DATABASE_URL)}"
	# host:port of the URL, for the check without psql and for the banner
	# (never the password).
	hostport="$${url#*://}"; hostport="$${hostport%%[/?]*}"; hostport="$${hostport##*@}"
	case "$$hostport" in
	\[*\]*) host="$${hostport%%]*}"; host="$${host#[}"; port="$${hostport##*]}"; port="$${port#:}" ;;
	*:*) host="$${hostport%:*}"; port="$${hostport##*:}" ;;
	*) host="$$hostport"; port= ;;
	esac
	host="$${host:-127.0.0.1}"; port="$${port:-5432}"
	reachable() {
		if command -v psql >/dev/null 2>&1; then
			PGCONNECT_TIMEOUT=3 psql -X -w -q -At -d "$$url" -c 'SELECT 1' >/dev/null 2>&1
		elif command -v pg_isready >/dev/null 2>&1; then
			pg_isready -q -d "$$url" -t 3
		else
			timeout 3 bash -c "exec 3<>/dev/tcp/$$host/$$port" 2>/dev/null
		fi
	}
	banner() {
		{
			echo
			echo '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'
			echo "!!! PostgreSQL not reachable at $$host:$$port (TEST_DATABASE_URL)."
			echo "!!! $$1"
			echo '!!! Start PostgreSQL there, or run with CARRIERDESK_TEST_POSTGRES=require'
			echo '!!! to make its absence a failure.'
			echo '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'
			echo
		} >&2
	}
	skipped=
	if ! reachable; then
		if [ "$${CARRIERDESK_TEST_POSTGRES:-}" = require ]; then
			echo "!!! CARRIERDESK_TEST_POSTGRES=require, but PostgreSQL is not reachable at $$host:$$port: the PostgreSQL tests will fail." >&2
		else
			skipped=1
			banner 'The PostgreSQL half of the suite will be SKIPPED; only SQLite runs.'
		fi
	fi
	# The read-replica tests need a streaming standby (make replica).
	replica_url="$${CARRIERDESK_TEST_REPLICA_URL:-$(DEFAULT_TEST_REPLICA_URL)}"
	replica_at="$${replica_url#*://}"; replica_at="$${replica_at##*@}"; replica_at="$${replica_at%%\?*}" # never the password
	replica_skipped=
	if [ -z "$$skipped" ] && command -v psql >/dev/null 2>&1 &&
		[ "$$(PGCONNECT_TIMEOUT=3 psql -X -w -q -At -d "$$replica_url" -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" != t ]; then
		if [ "$${CARRIERDESK_TEST_REPLICA:-}" = require ]; then
			echo "!!! CARRIERDESK_TEST_REPLICA=require, but there is no streaming replica at $$replica_at: the read-replica tests will fail." >&2
		else
			replica_skipped=1
		fi
	fi
	replica_banner() {
		{
			echo
			echo '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'
			echo "!!! No streaming replica at $$replica_at (CARRIERDESK_TEST_REPLICA_URL)."
			echo "!!! $$1"
			echo '!!! Make one with `make replica` (as root), or run with'
			echo '!!! CARRIERDESK_TEST_REPLICA=require to make its absence a failure.'
			echo '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'
			echo
		} >&2
	}
	[ -z "$$replica_skipped" ] || replica_banner 'The read-replica tests will be SKIPPED.'
	status=0
	go test -count=1 -timeout 30m ./... || status=$$?
	if [ -n "$$skipped" ]; then
		banner 'The PostgreSQL half of the suite was SKIPPED; only SQLite ran.'
	fi
	[ -z "$$replica_skipped" ] || replica_banner 'The read-replica tests were SKIPPED.'
	exit $$status

# replica makes (or starts) a streaming replica of the local test cluster on
# port 5433 with pg_basebackup -R; run as root. CI runs it before the tests.
replica:
	.ci/replica

# test-browser loads GraphiQL in a headless Chromium that reaches nothing but
# the in-process test server, signs in as the demo manager, reloads, opens the
# docs and runs a query and a subscription, then saves the README's screenshot.
# Not part of make test: it needs Chromium (apt-get install -y chromium) and
# the browser build tag, and takes about 10 s once compiled.
test-browser:
	command -v chromium >/dev/null || echo '!!! no chromium on PATH: TestGraphiQLBrowser will SKIP (apt-get install -y chromium)' >&2
	GRAPHIQL_SCREENSHOT="$(CURDIR)/docs/graphiql.png" go test -tags browser ./server -run '^TestGraphiQLBrowser$$' -count=1 -v 2>&1 | grep -v ' INFO request '

# graphiql-vendor rebuilds internal/graphiql/vendor from the npm registry at
# the versions and integrity pinned in internal/graphiql/vendor.sh.
graphiql-vendor:
	internal/graphiql/vendor.sh

generate:
	go mod tidy
	go generate ./...

# soak drives queries, mutations and subscriptions at an in-process server on
# loopback (PostgreSQL when reachable, else SQLite) and reports errors by kind
# and memory at start and end. Not part of make test: it needs -soak.
soak:
	SOAK_DURATION="$${SOAK_DURATION:-60s}" go test ./server -run '^TestSoak$$' -count=1 -v -soak -timeout 0

# bench seeds a large portfolio into its own PostgreSQL database
# (BENCH_DATABASE_URL, default carrierdesk_bench at 127.0.0.1:5432; reused
# once seeded), starts the real server and measures the web app's pages, the
# mobile home screen and two reports over HTTP against a hand-written SQL
# baseline. Results, profiles and server logs go to bench/results; a run
# compares itself with the one before. ARGS passes flags, e.g.
# ARGS='-duration 60s -workloads account'; see go run ./bench -h.
bench:
	go run ./bench $(ARGS)
	go test ./server -run '^TestSubscriberLoad$$' -subscribers 10000 -count=1 -v

# release builds the server as it ships: profile-guided optimisation with
# server/release.pgo. Only release builds use the profile (it is not named
# default.pgo, which go build, go run and go test would pick up): with it
# every dependency gets a second, server-only variant in the build cache, and
# each refresh of the profile would invalidate them for make run and make test.
release:
	CGO_ENABLED=0 go build -trimpath -pgo=server/release.pgo -o bin/carrierdesk ./server

# pgo refreshes server/release.pgo, the CPU profile release builds use for
# profile-guided optimisation of the server (about 15% less CPU per page in
# the benchmark): 30 s under the carrier page and 30 s under the account page
# and the me query, merged. Run it after large changes to the request path.
pgo:
	go run ./bench -workloads carrier -duration 5s -profile 30s -out $(PGO_TMP)/carrier
	go run ./bench -workloads account,me -duration 5s -profile 30s -out $(PGO_TMP)/account
	go tool pprof -proto $(PGO_TMP)/carrier/cpu.pprof $(PGO_TMP)/account/cpu.pprof > server/release.pgo

# check-generated proves the committed generated code is current: after
# regenerating, nothing tracked may differ and nothing new may appear.
check-generated: generate
	@git diff --exit-code --stat || { echo 'generated code is not current: run make generate and commit the result' >&2; exit 1; }
	untracked=$$(git ls-files --others --exclude-standard)
	if [ -n "$$untracked" ]; then
		printf 'untracked files after make generate:\n%s\n' "$$untracked" >&2
		exit 1
	fi
	echo 'generated code is current'
