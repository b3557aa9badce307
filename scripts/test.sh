#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what it needs, starts a PostgreSQL server on
# 127.0.0.1, and runs every test on SQLite and on PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
pgdir=$(mktemp -d /tmp/clerk-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
CLERK_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$pgdir")
export CLERK_TEST_POSTGRES_URL
.venv/bin/python -m pytest "$@"
