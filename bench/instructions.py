"""The work a sequential `/action` turn costs, counted in instructions rather than timed: each bot
runs under valgrind's callgrind, and a turn's count is (the count after warm-up and N turns, less
the count after warm-up alone) / N. Unlike a time, the count barely moves with what else the
machine is doing, so two versions of Clerk, or Clerk and the floor, compare on a noisy machine.
It counts the bot process's own instructions (Python, SQLite in the process, the drivers), not the
kernel's nor PostgreSQL's. Run it with `make bench-instructions` (see README: Benchmark); it needs
valgrind and takes about ten minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import aiohttp

from run import ROOT, SEQUENTIAL_ACTION, BotProcess, Connector, create_postgres_database, sequential

WARM_UP = 30
STARTING_SECONDS = 600  # importing botbuilder and SQLAlchemy under valgrind takes a minute or two
STOPPING_SECONDS = 120
_RUNS = itertools.count()


async def count(command: list[str], env: dict[str, str], turns: int, workdir: Path) -> int:
    """The instructions the bot process ran, from its start until it stopped after WARM_UP + turns."""
    connector = Connector()
    runner, connector_url = await connector.start()
    output = workdir / f"callgrind.{next(_RUNS)}"
    bot = BotProcess(["valgrind", "--tool=callgrind", f"--callgrind-out-file={output}", *command], env,
                     workdir / f"{output.name}.log")
    try:
        async with aiohttp.ClientSession() as session:
            await bot.ready(session, STARTING_SECONDS)
        await sequential(bot.url, connector, connector_url, SEQUENTIAL_ACTION, WARM_UP + turns)
    finally:
        bot.stop(STOPPING_SECONDS)  # callgrind writes its counts as the process ends
        await runner.cleanup()
    totals = [line for line in output.read_text().splitlines() if line.startswith(("totals:", "summary:"))]
    return int(totals[-1].split()[1])


async def per_turn(label: str, command: list[str], env, turns: int, workdir: Path) -> float:
    """`env(run)`: the bot's environment for each of the two runs, each with a new database of its
    own, so both start alike (a new database is migrated at start)."""
    alone = await count(command, await env("alone"), 0, workdir)
    with_turns = await count(command, await env("counted"), turns, workdir)
    millions = round((with_turns - alone) / turns / 1e6, 2)
    print(f"  {label:<18} {millions:>7} million instructions a sequential /action turn", flush=True)
    return millions


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=200, help="turns counted, after the warm-up (default 200)")
    parser.add_argument("--postgres-url", default=os.environ.get("CLERK_BENCH_POSTGRES_URL"),
                        help="a PostgreSQL server to count Clerk on too (make bench-instructions starts one)")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed: the instruction counts need it (apt install valgrind)")
    os.chdir(ROOT)
    figures = {}
    with tempfile.TemporaryDirectory(prefix="clerk-instructions-") as tmp:
        workdir = Path(tmp)

        async def floor_env(run: str) -> dict:
            return {"FLOOR_DATABASE": str(workdir / f"floor-{run}.db")}

        async def echo_env(run: str) -> dict:
            return {}

        def clerk_env(database_url: str) -> dict:
            return {"CLERK_LINK_SECRET": "bench", "HOST": "127.0.0.1", "OUTBOUND_PER_SECOND": "100000",
                    "DATABASE_URL": database_url}

        async def sqlite_env(run: str) -> dict:
            return clerk_env(f"sqlite+aiosqlite:///{workdir}/clerk-{run}.db")

        async def postgresql_env(run: str) -> dict:
            return clerk_env(await create_postgres_database(args.postgres_url, f"clerk_instructions_{run}"))

        print("Instructions per sequential /action turn (callgrind):", flush=True)
        figures["floor"] = await per_turn("floor (bare)", [sys.executable, "bench/floor_bot.py"], floor_env,
                                          args.turns, workdir)
        # botbuilder's echo bot costs a hundred times the floor: a tenth of the turns tell as much.
        figures["echo"] = await per_turn("echo (botbuilder)", [sys.executable, "bench/echo_bot.py"], echo_env,
                                         max(1, args.turns // 10), workdir)
        figures["clerk_sqlite"] = await per_turn("clerk (SQLite)", [sys.executable, "app.py"], sqlite_env,
                                                 args.turns, workdir)
        if args.postgres_url:
            figures["clerk_postgresql"] = await per_turn("clerk (PostgreSQL)", [sys.executable, "app.py"],
                                                         postgresql_env, args.turns, workdir)
    for key in [key for key in figures if key.startswith("clerk")]:
        print(f"  {key}: {round(figures[key] / figures['floor'], 1)}x the floor's instructions, "
              f"1/{round(figures['echo'] / figures[key], 1)} of the echo bot's")
    path = ROOT / "bench" / "results" / "instructions.json"
    path.write_text(json.dumps({"million_instructions_per_sequential_action": figures, "turns": args.turns},
                               indent=2) + "\n")
    print(f"\nFigures written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    asyncio.run(main())
