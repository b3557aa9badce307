#!/usr/bin/env bash
# The benchmark from a fresh clone: installs what it needs, starts a throwaway PostgreSQL server on
# 127.0.0.1, and runs bench/run.py on SQLite and PostgreSQL. Extra arguments go to bench/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
pgdir=$(mktemp -d /tmp/clerk-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
CLERK_BENCH_POSTGRES_URL=$(scripts/postgres.sh start "$pgdir")
export CLERK_BENCH_POSTGRES_URL
.venv/bin/python bench/run.py "$@"
