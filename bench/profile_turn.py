"""Where a Clerk turn spends its time: py-spy samples a Clerk process while sequential `/action`
turns go through /api/messages, and the samples that hold the GIL (Python at work, not waiting
for the network, the database or its thread) are shared out by what they were doing.
Run it with `make profile` (see README: Benchmark); it needs the right to trace a process
(root, or CAP_SYS_PTRACE).

A sample counts for the first of these its stack contains: the reply (Clerk's post of its own JSON,
aiohttp's client; botbuilder's send where it is still used), the database (SQLAlchemy, the drivers, storage/, aiosqlite's thread), the
inbound activity (JSON, reading it into botbuilder's Activity, authentication), the rules (dialogs/), and
otherwise aiohttp's server, botbuilder's pipeline and the event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp

from run import ROOT, SEQUENTIAL_ACTION, BotProcess, Connector, create_postgres_database, sequential

SHARES = [
    ("the reply: Clerk's own JSON posted over aiohttp's client (bot/connector.py, bot/outbox.py)",
     ("send_activit", "(bot/outbox.py", "(bot/connector.py", "aiohttp/client")),
    ("the database: SQLAlchemy, the driver, storage/ (statements and commit)",
     ("sqlalchemy/", "aiosqlite/", "asyncpg/", "(storage/")),
    ("the inbound activity: JSON, reading it into botbuilder's Activity, authentication",
     ("Request.json", "(bot/inbound.py", "Model.deserialize", "authenticate_request")),
    ("the rules: parsing, dates, reminder policy (dialogs/)", ("(dialogs/",)),
]
REST = "aiohttp's server, botbuilder's pipeline and the event loop"


def shares(raw: Path) -> list[tuple[str, float]]:
    """py-spy's raw output (one `frame;frame;... count` line per stack) shared out by SHARES."""
    counts: collections.Counter = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():  # a frame's name broken over lines
            continue
        label = next((label for label, marks in SHARES if any(mark in stack for mark in marks)), REST)
        counts[label] += int(count)
    total = sum(counts.values()) or 1
    return [(label, 100 * counts[label] / total) for label, _ in [*SHARES, (REST, ())]]


async def profile(label: str, database_url: str, turns: int, workdir: Path) -> None:
    connector = Connector()
    runner, connector_url = await connector.start()
    env = {"CLERK_LINK_SECRET": "bench", "HOST": "127.0.0.1", "OUTBOUND_PER_SECOND": "100000",
           "DATABASE_URL": database_url}
    bot = BotProcess([sys.executable, "app.py"], env, workdir / f"{label}.log")
    raw = workdir / f"{label}.txt"
    try:
        async with aiohttp.ClientSession() as session:
            await bot.ready(session)
        await sequential(bot.url, connector, connector_url, SEQUENTIAL_ACTION, 50)  # warm up
        spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(bot.process.pid),
                                "--rate", "500", "--format", "raw", "--output", str(raw), "--gil"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        await asyncio.sleep(1)  # py-spy attaches
        median = await sequential(bot.url, connector, connector_url, SEQUENTIAL_ACTION, turns)
        spy.send_signal(2)  # SIGINT: py-spy writes what it sampled
        _, errors = spy.communicate(timeout=30)
        if not raw.exists():
            raise SystemExit(f"py-spy recorded nothing: {errors.decode().strip()[-300:]}")
    finally:
        bot.stop()
        await runner.cleanup()
    print(f"\n{label}: {turns} sequential /action turns, median {median} ms; samples holding the GIL, by where they were:")
    for share_label, percent in shares(raw):
        print(f"  {percent:5.1f}%  {share_label}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=1000, help="sequential /action turns sampled (default 1000)")
    parser.add_argument("--postgres-url", default=os.environ.get("CLERK_BENCH_POSTGRES_URL"),
                        help="a PostgreSQL server to profile on too (make profile starts one)")
    args = parser.parse_args()
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory(prefix="clerk-profile-") as tmp:
        workdir = Path(tmp)
        await profile("SQLite", f"sqlite+aiosqlite:///{workdir}/clerk.db", args.turns, workdir)
        if args.postgres_url:
            await profile("PostgreSQL", await create_postgres_database(args.postgres_url, "clerk_profile"),
                          args.turns, workdir)


if __name__ == "__main__":
    asyncio.run(main())
