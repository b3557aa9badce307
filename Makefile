.PHONY: run test bench bench-faults bench-instructions profile package playground

# Start Clerk on SQLite (data/clerk.db), listening on 127.0.0.1:3978.
run:
	scripts/setup.sh
	.venv/bin/python app.py

# Run the whole test suite (SQLite and a throwaway PostgreSQL server).
test:
	scripts/test.sh

# The benchmark: turns against botbuilder's echo bot, the reminder sweep, minutes rendering.
bench:
	scripts/bench.sh

# What a Bot Connector outage, a hang, a hang-then-drop, a killed instance and two instances sharing
# one PostgreSQL cost: replies delivered, duplicates, Teams' wait, the busiest second.
bench-faults:
	scripts/bench.sh --faults

# A sequential /action turn's instructions under callgrind, Clerk against the floor and the echo
# bot: a figure a noisy machine barely moves (needs valgrind).
bench-instructions:
	scripts/bench.sh --instructions

# Where a sequential /action turn spends its time, on SQLite and PostgreSQL (py-spy; needs ptrace).
profile:
	scripts/bench.sh --profile

# Build the Teams app package (build/clerk-teams-app.zip) for an admin to upload.
package:
	scripts/setup.sh
	.venv/bin/python -m bot.manifest

# Open the Microsoft 365 Agents Playground (a local Teams emulator) on http://127.0.0.1:56150,
# connected to a Clerk started with `make run`.
playground:
	npm install --no-audit --no-fund --silent
	TEAMSAPPTESTER_BROWSER=none NODE_OPTIONS="--require ./scripts/loopback.cjs" npx agentsplayground \
		-e http://127.0.0.1:3978/api/messages -c msteams --disable-telemetry \
		-p 56150 --service-url http://127.0.0.1:56150/_connector
