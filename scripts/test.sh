#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what it needs, starts a PostgreSQL server on
# 127.0.0.1, and runs every test on SQLite and on PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
if ! command -v npm >/dev/null; then
  echo "Installing Node.js and npm (Debian packages)..." >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2
fi
# The end-to-end suite drives Debian's Chromium (never a browser downloaded by a test tool).
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium (Debian package chromium)..." >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi
# Node packages the tests use: Microsoft's adaptivecards library validates every card Clerk posts;
# the Agents Playground and playwright-core run the end-to-end suite (tests/e2e).
if [ ! -d node_modules/adaptivecards ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --silent
fi
pgdir=$(mktemp -d /tmp/clerk-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
CLERK_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$pgdir")
export CLERK_TEST_POSTGRES_URL
.venv/bin/python -m pytest "$@"
