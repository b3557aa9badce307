"""What a Bot Connector outage, a hung Bot Connector and a killed instance cost: replies delivered,
duplicates, and the longest wait for Teams' HTTP answer. Run it with `make bench-faults` (see
README: Benchmark).

Clerk runs as its own process (`python app.py`, the real clock and scheduler); this process plays
meeting chats and a Bot Connector with a fault switch:
- outage: every post is refused (503) for 60 s, while members keep typing `/action`;
- hang: every post is held for 25 s and then accepted all the same (the worst case: the
  connector did the work, but Clerk could not know), while members keep typing;
- hang-then-drop: every post is held for 150 s and then dropped unanswered, nothing posted;
- kill: Clerk is killed (SIGKILL) while it sends a reply, and started again: how long the chat's
  next reply takes, and how often the interrupted one is posted;
- two instances (PostgreSQL, when CLERK_BENCH_POSTGRES_URL is set): 60 chats type 5 commands each
  through two instances at once: the busiest second for the tenant and for one chat.
After each, it waits for Clerk to deliver what it owes and counts each reply once and its copies.
Prints the figures and writes bench/results/faults.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import signal
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
from dialogs.delivery import FOLDED  # noqa: E402

TEAMS_SECONDS = 15.0
CONVERSATIONS = 3


class FaultyConnector:
    """A Bot Connector whose mode the benchmark switches: ok, down (503), hang (held, then posted all
    the same), drop (held, then the connection closed with nothing posted) or hold (held, then
    posted only if the sender is still there to be answered)."""

    def __init__(self):
        self.mode = "ok"
        self.hang_until = 0.0
        # (the message answered, the reply's text, the chat, when), as accepted
        self.replies: list[tuple[str, str, str, float]] = []
        self.posts: list[tuple[str, float]] = []  # (the chat, when) of every message accepted

    async def post(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.mode == "down":
            return web.json_response({"error": {"code": "ServiceError", "message": "outage"}}, status=503)
        if self.mode in ("hang", "drop", "hold"):
            mode = self.mode
            await asyncio.sleep(max(0.0, self.hang_until - time.monotonic()))
            gone = request.transport is None or request.transport.is_closing()
            if mode == "drop" or (mode == "hold" and gone):  # nothing posted: the connection is closed unanswered
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=502)
        reply_to = request.match_info.get("reply_to")
        conversation = request.match_info.get("conversation", "")
        now = time.monotonic()
        self.posts.append((conversation, now))
        if reply_to:
            self.replies.append((reply_to, body.get("text") or "", conversation, now))
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


def _delivered(name: str, sent: list[str], replies: list[tuple]) -> set[str]:
    """The messages answered: by a reply of their own or, after an outage, in the one message a
    chat's stale confirmations come as ("While Teams could not be reached, Clerk recorded: ...",
    answering the first of them), by their words."""
    answered = {reply[0] for reply in replies}
    folded = "\n".join(reply[1] for reply in replies if reply[1].startswith(FOLDED))
    return {message for n, message in enumerate(sent)
            if message in answered or re.search(rf"\b{name} task {n}\b", folded)}


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
        if len(_delivered(name, sent, connector.replies)) == len(sent):
            break
        await asyncio.sleep(1.0)
    delivered_at = time.monotonic() - started
    await asyncio.sleep(min(70.0, max(0.0, deadline - time.monotonic())))  # a retry's copy would come now
    copies = Counter(reply[0] for reply in connector.replies if reply[0] in sent)
    result = {
        "fault": fault, "fault_seconds": seconds, "messages": len(sent),
        "replies_delivered": len(_delivered(name, sent, connector.replies)),
        "duplicates": sum(count - 1 for count in copies.values() if count > 1),
        "max_answer_seconds": round(max(answers), 2),
        "all_delivered_after_seconds": round(delivered_at, 1),
    }
    print(f"  {result['replies_delivered']} of {len(sent)} replies delivered "
          f"(all by {result['all_delivered_after_seconds']} s), {result['duplicates']} duplicates, "
          f"longest wait for Teams' answer {result['max_answer_seconds']} s (limit {TEAMS_SECONDS:.0f} s)",
          flush=True)
    return result


async def replied(connector: FaultyConnector, message_id: str, seconds: float) -> float | None:
    """When (monotonic) the reply to `message_id` reached the connector, waiting up to `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for reply_to, _, _, at in connector.replies:
            if reply_to == message_id:
                return at
        await asyncio.sleep(0.05)
    return None


async def kill_phase(connector: FaultyConnector, session: aiohttp.ClientSession, environment: dict, log_dir: Path,
                     connector_url: str) -> dict:
    """SIGKILL while a reply is being sent (the connector holds it), a new instance on the same
    database, and the chat's next command: its reply's wait, and the interrupted reply's copies."""
    print("kill: SIGKILL mid-send, then a new instance", flush=True)
    bot = BotProcess([sys.executable, "app.py"], environment, log_dir / "killed.log")
    await bot.ready(session)
    conversation = f"19:faults-kill-{uuid.uuid4().hex[:8]}@thread.v2"
    await post(session, bot.url, activity(connector_url, conversation, 0, "/start Kill bench"))
    connector.mode, connector.hang_until = "hold", time.monotonic() + 3.0
    interrupted = activity(connector_url, conversation, 0, "/action Interrupted task")
    sending = asyncio.create_task(post(session, bot.url, interrupted))
    await asyncio.sleep(1.0)  # the reply is in flight, held by the connector
    os.kill(bot.process.pid, signal.SIGKILL)
    bot.process.wait()
    await asyncio.gather(sending, return_exceptions=True)  # its request died with the process
    connector.mode = "ok"
    again = BotProcess([sys.executable, "app.py"], environment, log_dir / "restarted.log")
    try:
        await again.ready(session)
        following = activity(connector_url, conversation, 0, "/action Next task")
        started = time.monotonic()
        await post(session, again.url, following)
        arrived = await replied(connector, following["id"], 60.0)
        await asyncio.sleep(10.0)  # a second copy of the interrupted reply would come by now
    finally:
        again.stop()
    copies = sum(1 for reply in connector.replies if reply[0] == interrupted["id"])
    result = {"next_reply_seconds": round(arrived - started, 2) if arrived else None, "interrupted_copies": copies}
    print(f"  the chat's next reply after {result['next_reply_seconds']} s; the interrupted reply posted "
          f"{copies} time(s)", flush=True)
    return result


async def two_instances_phase(connector: FaultyConnector, session: aiohttp.ClientSession, postgres_url: str,
                              log_dir: Path, connector_url: str, chats: int = 60, commands: int = 5) -> dict:
    """Two instances on one PostgreSQL database; every chat types its commands at once, through
    both: the busiest second for the tenant and for one chat, and what was lost or doubled."""
    from storage.db import create_postgres_database
    print(f"two instances: {chats} chats x {commands} commands", flush=True)
    database = await create_postgres_database(postgres_url, "clerk_faults")
    environment = {"DATABASE_URL": database, "HOST": "127.0.0.1", "CLERK_LINK_SECRET": "bench"}
    bots = [BotProcess([sys.executable, "app.py"], environment, log_dir / f"instance-{n}.log") for n in range(2)]
    try:
        for bot in bots:
            await bot.ready(session)
        conversations = [f"19:faults-two-{n}-{uuid.uuid4().hex[:6]}@thread.v2" for n in range(chats)]
        await asyncio.gather(*(post(session, bots[n % 2].url, activity(connector_url, c, 0, "/start Two"))
                               for n, c in enumerate(conversations)))
        connector.posts.clear()
        sent = []
        bodies = []
        for round_ in range(commands):
            for n, conversation in enumerate(conversations):
                body = activity(connector_url, conversation, round_ % 5, f"/note Point {round_}")
                sent.append(body["id"])
                bodies.append((bots[(n + round_) % 2].url, body))
        await asyncio.gather(*(post(session, url, body) for url, body in bodies))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not {reply[0] for reply in connector.replies} >= set(sent):
            await asyncio.sleep(1.0)
        await asyncio.sleep(5.0)
    finally:
        for bot in bots:
            bot.stop()
    times = sorted(at for _, at in connector.posts)
    busiest_tenant = max((sum(1 for t in times if start <= t < start + 1.0) for start in times), default=0)
    by_chat: dict[str, list[float]] = {}
    for conversation, at in connector.posts:
        by_chat.setdefault(conversation, []).append(at)
    busiest_chat = max((sum(1 for t in chat_times if start <= t < start + 1.0) for chat_times in by_chat.values()
                        for start in chat_times), default=0)
    copies = Counter(reply[0] for reply in connector.replies if reply[0] in set(sent))
    result = {"messages": len(sent), "lost": sum(1 for message in sent if not copies[message]),
              "duplicated": sum(count - 1 for count in copies.values() if count > 1),
              "busiest_second_tenant": busiest_tenant, "busiest_second_chat": busiest_chat}
    print(f"  {result['lost']} lost, {result['duplicated']} duplicated; busiest second: {busiest_tenant} for the "
          f"tenant (limit 50), {busiest_chat} in one chat (limit 7)", flush=True)
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage-seconds", type=float, default=60.0)
    parser.add_argument("--hang-seconds", type=float, default=25.0)
    parser.add_argument("--drop-seconds", type=float, default=150.0)
    args = parser.parse_args()
    postgres_url = os.environ.get("CLERK_BENCH_POSTGRES_URL")
    connector = FaultyConnector()
    runner, connector_url = await connector.start()
    with tempfile.TemporaryDirectory(prefix="clerk-faults-") as tmp:
        environment = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/clerk.db", "HOST": "127.0.0.1",
                       "CLERK_LINK_SECRET": "bench"}
        bot = BotProcess([sys.executable, "app.py"], environment, Path(tmp) / "bot.log")
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
                # An unknown outcome is tried again after 60 s, then 120 s, 240 s...: the settle
                # covers the retries of a message first sent as the drop ends.
                drop = await phase("drop", connector, session, bot.url, connector_url, conversations, "drop",
                                   args.drop_seconds, settle_seconds=args.drop_seconds + 300)
                bot.stop()
                killed = await kill_phase(connector, session, environment, Path(tmp), connector_url)
                two = (await two_instances_phase(connector, session, postgres_url, Path(tmp), connector_url)
                       if postgres_url else None)
        finally:
            if bot.process.poll() is None:
                bot.stop()
            await runner.cleanup()
    results = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "machine": {"python": platform.python_version(), "platform": platform.platform()},
               "outage": outage, "hang": hang, "hang_then_drop": drop, "kill": killed, "two_instances": two}
    out = ROOT / "bench" / "results" / "faults.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Written to {out.relative_to(ROOT)}")
    failed = [name for name, r in (("outage", outage), ("hang", hang), ("drop", drop))
              if r["replies_delivered"] < r["messages"] or r["max_answer_seconds"] >= TEAMS_SECONDS
              or r["duplicates"] > (r["messages"] if name == "hang" else 0)]
    if killed["next_reply_seconds"] is None or killed["next_reply_seconds"] > 5 or killed["interrupted_copies"] != 1:
        failed.append("kill")
    if two and (two["lost"] or two["duplicated"] or two["busiest_second_tenant"] > 50
                or two["busiest_second_chat"] > 7):
        failed.append("two instances")
    if failed:
        raise SystemExit(f"not met: {', '.join(failed)}")


if __name__ == "__main__":
    asyncio.run(main())
