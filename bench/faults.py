"""What a Bot Connector outage and a hung Bot Connector cost: replies delivered, duplicates, and
the longest wait for Teams' HTTP answer. Run it with `make bench-faults` (see README: Benchmark).

Clerk runs as its own process (`python app.py`, SQLite, the real clock and scheduler); this
process plays three meeting chats and a Bot Connector with a fault switch:
- outage: every post is refused (503) for 60 s, while members keep typing `/action`;
- hang: every post is held for 25 s and then accepted all the same (the worst case: the
  connector did the work, but Clerk could not know), while members keep typing.
After each, it waits for Clerk to deliver what it owes and counts each reply once and its copies.
Prints the figures and writes bench/results/faults.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import BotProcess, activity, serve_connector  # noqa: E402

TEAMS_SECONDS = 15.0
CONVERSATIONS = 3


class FaultyConnector:
    """A Bot Connector whose mode the benchmark switches: ok, down (503) or hung."""

    def __init__(self):
        self.mode = "ok"
        self.hang_until = 0.0
        self.replies: list[tuple[str, str]] = []  # (the message answered, the reply's text), as accepted

    async def post(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.mode == "down":
            return web.json_response({"error": {"code": "ServiceError", "message": "outage"}}, status=503)
        if self.mode == "hang":
            await asyncio.sleep(max(0.0, self.hang_until - time.monotonic()))
        reply_to = request.match_info.get("reply_to")
        if reply_to:
            self.replies.append((reply_to, body.get("text") or ""))
        return web.json_response({"id": f"sent-{uuid.uuid4().hex[:8]}"})

    async def start(self) -> tuple[web.AppRunner, str]:
        return await serve_connector(self.post, self.post)


async def post(session: aiohttp.ClientSession, bot_url: str, body: dict) -> float:
    """Sends one activity; returns how long Teams would have waited for the HTTP answer."""
    started = time.perf_counter()
    async with session.post(f"{bot_url}/api/messages", json=body) as response:
        await response.read()
        if response.status not in (200, 201):
            raise SystemExit(f"the bot answered {response.status}")
    return time.perf_counter() - started


async def phase(name: str, connector: FaultyConnector, session: aiohttp.ClientSession, bot_url: str,
                connector_url: str, conversations: list[str], fault: str, seconds: float, settle_seconds: float) -> dict:
    """Members type one `/action` every 2 s while the fault lasts; then Clerk gets `settle_seconds`
    to deliver what it owes."""
    print(f"{name}: {fault} for {seconds:.0f} s", flush=True)
    connector.replies.clear()
    sent: list[str] = []
    answers: list[float] = []
    connector.mode, connector.hang_until = fault, time.monotonic() + seconds
    started = time.monotonic()
    typing: list[asyncio.Task] = []
    n = 0
    while time.monotonic() - started < seconds:
        body = activity(connector_url, conversations[n % len(conversations)], n % 5, f"/action {name} task {n}")
        body["id"] = f"{name}-{n}"
        sent.append(body["id"])
        typing.append(asyncio.create_task(post(session, bot_url, body)))
        n += 1
        await asyncio.sleep(2.0)
    connector.mode = "ok"
    answers = list(await asyncio.gather(*typing))
    deadline = time.monotonic() + settle_seconds
    while time.monotonic() < deadline:
        if {reply_to for reply_to, _ in connector.replies} >= set(sent):
            break
        await asyncio.sleep(1.0)
    delivered_at = time.monotonic() - started
    await asyncio.sleep(min(70.0, max(0.0, deadline - time.monotonic())))  # a retry's copy would come now
    copies = Counter(reply_to for reply_to, _ in connector.replies if reply_to in sent)
    result = {
        "fault": fault, "fault_seconds": seconds, "messages": len(sent),
        "replies_delivered": sum(1 for message in sent if copies[message]),
        "duplicates": sum(count - 1 for count in copies.values() if count > 1),
        "max_answer_seconds": round(max(answers), 2),
        "all_delivered_after_seconds": round(delivered_at, 1),
    }
    print(f"  {result['replies_delivered']} of {len(sent)} replies delivered "
          f"(all by {result['all_delivered_after_seconds']} s), {result['duplicates']} duplicates, "
          f"longest wait for Teams' answer {result['max_answer_seconds']} s (limit {TEAMS_SECONDS:.0f} s)",
          flush=True)
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage-seconds", type=float, default=60.0)
    parser.add_argument("--hang-seconds", type=float, default=25.0)
    args = parser.parse_args()
    connector = FaultyConnector()
    runner, connector_url = await connector.start()
    with tempfile.TemporaryDirectory(prefix="clerk-faults-") as tmp:
        bot = BotProcess([sys.executable, "app.py"], {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/clerk.db", "HOST": "127.0.0.1", "CLERK_LINK_SECRET": "bench",
        }, Path(tmp) / "bot.log")
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
                await bot.ready(session)
                conversations = [f"19:faults-{n}-{uuid.uuid4().hex[:8]}@thread.v2" for n in range(CONVERSATIONS)]
                for conversation in conversations:
                    await post(session, bot.url, activity(connector_url, conversation, 0, "/start Fault bench"))
                outage = await phase("outage", connector, session, bot.url, connector_url, conversations, "down",
                                     args.outage_seconds, settle_seconds=120)
                hang = await phase("hang", connector, session, bot.url, connector_url, conversations, "hang",
                                   args.hang_seconds, settle_seconds=150)
        finally:
            bot.stop()
            await runner.cleanup()
    results = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "machine": {"python": platform.python_version(), "platform": platform.platform()},
               "outage": outage, "hang": hang}
    out = ROOT / "bench" / "results" / "faults.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Written to {out.relative_to(ROOT)}")
    failed = [name for name, r in (("outage", outage), ("hang", hang))
              if r["replies_delivered"] < r["messages"] or r["max_answer_seconds"] >= TEAMS_SECONDS
              or r["duplicates"] > (r["messages"] if name == "hang" else 0)]
    if failed:
        raise SystemExit(f"not met: {', '.join(failed)}")


if __name__ == "__main__":
    asyncio.run(main())
