"""Clerk's web application: builds the settings, database, adapter, bot, routes and scheduler, and
wires them together. The routes are in bot/routes.py, the timed work in bot/sweeps.py."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import socket
import sys
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.connector import ReusingAuthentication
from bot.handler import ClerkBot
from bot.links import LinkSigner
from bot.outbox import Outbox
from bot.rate_limits import RateLimiter
from bot.routes import AccessLog, add_routes
from bot.signing_keys import SigningKeyStore
from bot.sweeps import Sweeps
from bot.graph import Graph
from bot.teams_api import TeamsMeetings
from config import ConfigError, Settings
from storage.db import Database, describe_database

log = logging.getLogger("clerk")

DB = web.AppKey("db", Database)
SWEEPS = web.AppKey("sweeps", Sweeps)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def create_app(settings: Settings, clock: Callable[[], datetime] = utc_now,
               start_scheduler: bool = True) -> web.Application:
    # The log's checkpoints are made by a sweep, off the event loop, when the sweeps run.
    db = Database(settings.database_url, background_checkpoints=start_scheduler)
    signing_keys = SigningKeyStore().install()
    authentication = ReusingAuthentication(ConfigurationBotFrameworkAuthentication(settings))
    adapter = CloudAdapter(authentication)
    meetings = TeamsMeetings(settings.APP_ID, settings.APP_PASSWORD)
    links = LinkSigner(settings.link_secret, settings.base_url, timedelta(hours=settings.export_link_hours))
    instance = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    limiter = RateLimiter(settings.outbound_per_second, settings.outbound_per_tenant_per_second)
    outbox = Outbox(adapter, settings.APP_ID, limiter, db.unit_of_work, instance, clock,
                    shared_budget=not db.is_sqlite, meetings=meetings)
    bot = ClerkBot(db, settings, clock, meetings, links, outbox)
    graph = Graph.for_settings(settings)
    sweeps = Sweeps(db, outbox, settings, clock, links, graph)
    app = web.Application(client_max_size=1024 * 1024)
    app[DB] = db
    app[SWEEPS] = sweeps
    add_routes(app, adapter, bot, settings, db, links, clock)
    scheduler = AsyncIOScheduler(timezone=settings.timezone)

    async def startup(app: web.Application) -> None:
        await db.migrate()
        await sweeps.start()
        if not settings.link_secret_from_env:
            log.warning("CLERK_LINK_SECRET is not set: minutes links stop working when Clerk restarts.")
        if not settings.auth_enabled:
            log.warning("MicrosoftAppId is not set: Bot Framework authentication is OFF. "
                        "Serve local clients only (Agents Playground, Bot Framework Emulator).")
        if start_scheduler:
            sweeps.schedule(scheduler)
            scheduler.start()

    async def cleanup(app: web.Application) -> None:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        await sweeps.stop()
        for close in (meetings.close, graph.close, authentication.close, signing_keys.close, db.dispose):
            await close()

    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    return app


def startup_lines(settings: Settings) -> str:
    """What a newcomer needs once `make run` is up: where to point a client, and what it runs on."""
    endpoint = f"http://{settings.host}:{settings.port}/api/messages"
    if settings.auth_enabled:
        auth = f"on (app id {settings.APP_ID}): every request needs a Bot Framework token"
        talk = ["Talk to it: from Teams, through the Azure Bot whose messaging endpoint is this address."]
    else:
        auth = "OFF (MicrosoftAppId is not set): serve local clients only"
        talk = ["Talk to it:",
                "  - Microsoft 365 Agents Playground: `make playground` in another terminal, "
                "then open http://127.0.0.1:56150",
                f"  - Bot Framework Emulator: open {endpoint} with the app id and password left empty"]
    return "\n".join([
        "Clerk is running.",
        f"Messaging endpoint: {endpoint}",
        f"Database: {describe_database(settings.database_url)}",
        f"Authentication: {auth}",
        *talk,
        f"Health check: http://{settings.host}:{settings.port}/healthz   (Ctrl+C stops Clerk)",
    ])


def event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop where it is installed (every platform but Windows), asyncio's own
    otherwise. A round trip to PostgreSQL through asyncpg costs about half on it, and a PostgreSQL
    turn is nine of them (bench/RESULTS.md)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


# Python walks every object of the process (some 190,000 here, 150 to 250 ms on the benchmark's
# machine, with every turn waiting) once ten collections of its middle generation have passed and
# the objects promoted to the oldest since the last walk are a quarter of those there. Under load
# each young collection promotes the objects of the turns in flight, so that came every few seconds:
# seven or eight walks in a benchmark run, each a cluster of late turns. Waiting for a hundred
# middle collections leaves one walk a run, and the young collections as they were (collecting the
# young less often did as much for the walks, and made a sequential turn dearer; bench/RESULTS.md).
OLDEST_GENERATION_THRESHOLD = 100


def tune_garbage_collection() -> None:
    gc.set_threshold(*gc.get_threshold()[:2], OLDEST_GENERATION_THRESHOLD)


def main() -> None:
    tune_garbage_collection()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per sweep is noise
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        sys.exit(f"Configuration error: {error}")
    # aiohttp calls `print` once the socket is bound; Clerk's lines replace its "Running on ...".
    web.run_app(create_app(settings), host=settings.host, port=settings.port, access_log_class=AccessLog,
                print=lambda _: print(startup_lines(settings), flush=True), loop=event_loop())


if __name__ == "__main__":
    main()
