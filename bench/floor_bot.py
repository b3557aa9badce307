"""The floor: a bare bot that does the same work as a Clerk turn and nothing more, to measure how
far Clerk is from the least a turn can cost on this stack. aiohttp, one SQLite file with Clerk's
settings (WAL, synchronous=NORMAL), and per message: parse the activity, one INSERT, one reply POST
to the connector over a shared session. No authentication, no outbox, no rules."""

import json
import os
import sqlite3
import tempfile

import aiohttp
from aiohttp import web

DATABASE = os.environ.get("FLOOR_DATABASE") or os.path.join(tempfile.mkdtemp(prefix="clerk-floor-"), "floor.db")


def open_database() -> sqlite3.Connection:
    connection = sqlite3.connect(DATABASE, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, conversation TEXT, text TEXT)")
    return connection


async def messages(request: web.Request) -> web.Response:
    activity = await request.json()
    conversation = activity["conversation"]["id"]
    request.app["db"].execute("INSERT INTO notes (conversation, text) VALUES (?, ?)",
                              (conversation, activity.get("text") or ""))
    reply = {"type": "message", "text": f"Recorded: {activity.get('text') or ''}", "replyToId": activity["id"],
             "conversation": {"id": conversation}, "from": activity["recipient"], "recipient": activity["from"]}
    url = f"{activity['serviceUrl'].rstrip('/')}/v3/conversations/{conversation}/activities/{activity['id']}"
    async with request.app["session"].post(url, data=json.dumps(reply),
                                           headers={"Content-Type": "application/json"}) as response:
        await response.read()
    return web.Response(status=201)


async def session(app: web.Application):
    app["session"] = aiohttp.ClientSession()
    app["db"] = open_database()
    yield
    await app["session"].close()
    app["db"].close()


def main() -> None:
    app = web.Application()
    app.cleanup_ctx.append(session)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", lambda request: web.json_response({"status": "ok"}))
    web.run_app(app, host="127.0.0.1", port=int(os.environ["PORT"]), print=None, access_log=None)


if __name__ == "__main__":
    main()
