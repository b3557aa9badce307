#!/usr/bin/env bash
# The benchmark from a fresh clone: installs what it needs, starts a throwaway PostgreSQL server on
# 127.0.0.1, and runs bench/run.py on SQLite and PostgreSQL. Extra arguments go to bench/run.py.
# With --profile first, it runs bench/profile_turn.py instead (py-spy comes with the test tools);
# with --faults first, bench/faults.py (the fault benchmark, its two-instance part on PostgreSQL);
# with --instructions first, bench/instructions.py (a turn's instructions under callgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
script=bench/run.py
if [ "${1:-}" = "--profile" ]; then
  shift
  script=bench/profile_turn.py
  scripts/setup.sh --dev
elif [ "${1:-}" = "--faults" ]; then
  shift
  script=bench/faults.py
  scripts/setup.sh
elif [ "${1:-}" = "--instructions" ]; then
  shift
  script=bench/instructions.py
  scripts/setup.sh
else
  scripts/setup.sh
fi
pgdir=$(mktemp -d /tmp/clerk-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
CLERK_BENCH_POSTGRES_URL=$(scripts/postgres.sh start "$pgdir")
export CLERK_BENCH_POSTGRES_URL
.venv/bin/python "$script" "$@"
