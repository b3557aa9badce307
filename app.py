"""Clerk's web application: the Bot Framework endpoint, the health check, and the wiring."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity


from bot.connector import ReusingAuthentication
from bot.handler import ClerkBot
from bot.links import LinkSigner
from bot.outbox import ANSWER_BY, ANSWER_SECONDS, Outbox, RateLimiter
from bot.proactive import render_in_meeting, render_text
from bot.signing_keys import SigningKeysUnavailable, SigningKeyStore
from bot.teams_api import MeetingRoles
from config import ConfigError, Settings
from dialogs import reminders
from dialogs.agenda import Notice, send_overtime_notices, stage_page
from dialogs.export import FORMATS, filename, render_stage
from dialogs.action_log import LOG_FORMATS, build_action_log
from dialogs.minutes import minutes_by_id
from dialogs.turns import forget_handled_activities
from storage.db import Database, describe_database

log = logging.getLogger("clerk")

DB = web.AppKey("db", Database)
SWEEPS = web.AppKey("sweeps", object)
# A token is verified within this, or the request gets 503: Teams gives up on an answer after 15 s.
AUTHENTICATION_SECONDS = 5.0
OUTBOX_SWEEP_SECONDS = 2


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Sweeps:
    """Work the bot does on a timer, wired to its services. Tests call these with an injected clock.
    What a sweep queues is delivered before it returns; `deliver` takes up what could not go at once."""

    def __init__(self, db: Database, outbox: Outbox, settings: Settings, clock: Callable[[], datetime],
                 links: LinkSigner):
        self.db, self.outbox, self.settings, self.clock, self.links = db, outbox, settings, clock, links
        self.instance = outbox.instance

    async def reminders(self) -> None:
        await reminders.send_due(self.db.unit_of_work, render_text, self.instance,
                                 self.settings.reminder_policy, self.settings.timezone, self.clock)
        await self.outbox.sweep()

    async def digest(self) -> None:
        await reminders.send_digests(self.db.unit_of_work, render_text, self.instance,
                                     self.settings.reminder_policy, self.settings.timezone, self.clock)
        await self.outbox.sweep()

    async def housekeeping(self) -> None:
        await forget_handled_activities(self.db.unit_of_work, self.clock())

    async def timekeeping(self) -> None:
        await send_overtime_notices(self.db.unit_of_work, self._notice, self.clock(), self.settings.timezone)
        await self.outbox.sweep()

    def _notice(self, notice: Notice) -> str:
        """In the chat of a Teams meeting under way, the notice also appears on the meeting's stage."""
        if not notice.in_meeting:
            return render_text(notice.text)
        page = self.links.link(f"/meetings/{notice.meeting_id}/time.html", self.clock())
        return render_in_meeting(notice.text, page, self.settings.APP_ID)

    async def deliver(self) -> None:
        await self.outbox.sweep()


def create_app(settings: Settings, clock: Callable[[], datetime] = utc_now,
               start_scheduler: bool = True) -> web.Application:
    db = Database(settings.database_url)
    signing_keys = SigningKeyStore().install()
    authentication = ReusingAuthentication(ConfigurationBotFrameworkAuthentication(settings))
    adapter = CloudAdapter(authentication)
    roles = MeetingRoles(settings.APP_ID, settings.APP_PASSWORD)
    links = LinkSigner(settings.link_secret, settings.base_url, timedelta(hours=settings.export_link_hours))
    instance = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    limiter = RateLimiter(settings.outbound_per_second, settings.outbound_per_tenant_per_second)
    outbox = Outbox(adapter, settings.APP_ID, limiter, db.unit_of_work, instance, clock)
    bot = ClerkBot(db, settings, clock, roles, links, outbox)
    sweeps = Sweeps(db, outbox, settings, clock, links)

    async def on_turn_error(context: TurnContext, error: Exception):
        log.error("unhandled error in a turn", exc_info=error)
        try:
            await context.send_activity("Something went wrong on my side. Please try again.")
        except Exception:
            log.exception("could not tell the user about the error")

    adapter.on_turn_error = on_turn_error

    async def messages(request: web.Request) -> web.Response:
        answer_by = time.monotonic() + ANSWER_SECONDS
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError, RecursionError):  # not JSON, or nested past any activity
            return web.json_response({"error": "body is not JSON"}, status=400)
        except LookupError:  # Content-Type names a charset Python does not know
            return web.json_response({"error": "unknown charset"}, status=415)
        problem = activity_problem(body)
        if problem:
            return web.json_response({"error": problem}, status=400)
        try:
            activity = Activity().deserialize(body)
        except Exception:
            return web.json_response({"error": "body is not an activity"}, status=400)
        try:
            async with asyncio.timeout(AUTHENTICATION_SECONDS):
                authenticated = await adapter.bot_framework_authentication.authenticate_request(
                    activity, request.headers.get("Authorization", "")
                )
        except (SigningKeysUnavailable, TimeoutError) as error:
            log.warning("could not verify an activity's token: %s", error or "timed out")
            return web.json_response({"error": "cannot verify the token now"}, status=503,
                                     headers={"Retry-After": "30"})
        except Exception as error:  # botframework raises PermissionError, PyJWT its own errors
            log.info("refused an activity that failed authentication: %s", error)
            return web.json_response({"error": "unauthorized"}, status=401)
        tenant = activity_tenant(body)
        if tenant is _CONFLICTING_TENANTS:
            log.warning("refused an activity whose channelData and conversation name different tenants")
            return web.json_response({"error": "conflicting tenant ids"}, status=400)
        if settings.allowed_tenants and (tenant or "").lower() not in settings.allowed_tenants:
            log.warning("refused an activity from tenant %r, which ALLOWED_TENANTS does not list", tenant)
            return web.json_response({"error": "tenant not allowed"}, status=403)
        async def turn(turn_context: TurnContext) -> None:
            turn_context.turn_state[ANSWER_BY] = answer_by  # the reply is sent within what is left
            await bot.on_turn(turn_context)

        response = await adapter.process_activity(authenticated, activity, turn)
        if response:
            try:
                return web.json_response(response.body, status=response.status)
            except (TypeError, ValueError):  # an invoke answer that is not JSON: never a 500
                log.warning("an invoke response could not be serialised; answered 400")
                return web.json_response({"error": "invoke not handled"}, status=400)
        return web.Response(status=201)

    async def healthz(request: web.Request) -> web.Response:
        if await db.ping():
            return web.json_response({"status": "ok", "database": "ok"})
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)

    def signed(request: web.Request) -> bool:
        query = request.query
        return links.valid(request.path, query.get("expires", ""), query.get("signature", ""), clock())

    def minutes_document(confidential: bool):
        async def serve(request: web.Request) -> web.Response:
            if not signed(request):
                return refused_link("/minutes confidential" if confidential else "/minutes")
            meeting_id, fmt = int(request.match_info["meeting_id"]), request.match_info["fmt"]
            minutes = await minutes_by_id(db.unit_of_work, meeting_id, settings.timezone, confidential)
            if minutes is None:
                return web.Response(status=404, text="No such minutes.")
            document = FORMATS[fmt]
            name = ("confidential-" if confidential else "") + filename(minutes, fmt)
            return download(document.render(minutes), document.media_type, document.inline, name)
        return serve

    async def stage(request: web.Request) -> web.Response:
        if not signed(request):
            return refused_link("/time")
        page = await stage_page(db.unit_of_work, int(request.match_info["meeting_id"]), clock(), settings.timezone)
        if page is None:
            return web.Response(status=404, text="No such meeting.")
        return download(render_stage(*page), "text/html; charset=utf-8", True, "time.html")

    async def action_log_document(request: web.Request) -> web.Response:
        if not signed(request):
            return refused_link("/actionlog")
        committee_id, fmt = int(request.match_info["committee_id"]), request.match_info["fmt"]
        now = clock()
        log = await build_action_log(db.unit_of_work, committee_id, settings.timezone, now)
        if log is None:
            return web.Response(status=404, text="No such committee.")
        document = LOG_FORMATS[fmt]
        body = document.render(log, lambda meeting_id: links.link(f"/minutes/{meeting_id}.html", now))
        return download(body, document.media_type, document.inline, f"action-log-{committee_id}.{fmt}")

    app = web.Application(client_max_size=1024 * 1024)
    app[DB] = db
    app[SWEEPS] = sweeps
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    # Ids of at most nine digits: a longer one names nothing, and is a 404 rather than an error.
    app.router.add_get(r"/minutes/{meeting_id:[0-9]{1,9}}.{fmt:%s}" % "|".join(FORMATS), minutes_document(False))
    app.router.add_get(r"/minutes/{meeting_id:[0-9]{1,9}}/confidential.{fmt:%s}" % "|".join(FORMATS),
                       minutes_document(True))
    app.router.add_get(r"/meetings/{meeting_id:[0-9]{1,9}}/time.html", stage)
    app.router.add_get(r"/committees/{committee_id:[0-9]{1,9}}/actions.{fmt:%s}" % "|".join(LOG_FORMATS),
                       action_log_document)
    scheduler = AsyncIOScheduler(timezone=settings.timezone)

    async def startup(app: web.Application) -> None:
        await db.migrate()
        if not settings.link_secret_from_env:
            log.warning("CLERK_LINK_SECRET is not set: minutes links stop working when Clerk restarts.")
        if not settings.auth_enabled:
            log.warning("MicrosoftAppId is not set: Bot Framework authentication is OFF. "
                        "Serve local clients only (Agents Playground, Bot Framework Emulator).")
        if start_scheduler:
            scheduler.add_job(sweeps.timekeeping, "interval", seconds=settings.timekeeping_sweep_seconds,
                              id="timekeeping", max_instances=1, coalesce=True)
            # The first sweep runs at start: reminders missed while the bot was down go out now.
            scheduler.add_job(sweeps.reminders, "interval", seconds=settings.reminder_sweep_seconds,
                              id="reminders", max_instances=1, coalesce=True, next_run_time=datetime.now(timezone.utc))
            scheduler.add_job(sweeps.digest, CronTrigger.from_crontab(settings.digest_cron, timezone=settings.timezone),
                              id="digest", max_instances=1, coalesce=True)
            # Delivers what turns, reminders and notices left queued; at start, what a stop left.
            scheduler.add_job(sweeps.deliver, "interval", seconds=OUTBOX_SWEEP_SECONDS, id="outbox", max_instances=1,
                              coalesce=True, next_run_time=datetime.now(timezone.utc))
            scheduler.add_job(sweeps.housekeeping, "interval", hours=6, id="housekeeping", max_instances=1,
                              coalesce=True, next_run_time=datetime.now(timezone.utc))
            scheduler.start()

    async def cleanup(app: web.Application) -> None:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        await roles.close()
        await authentication.close()
        await signing_keys.close()
        await db.dispose()

    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    return app


def refused_link(command: str) -> web.Response:
    """An expired or altered link: a page that says so, and how to get a new one."""
    page = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Link not valid</title></head>"
            "<body><main><h1>This link has expired or is not valid</h1>"
            f"<p>Links Clerk gives are signed and expire. Ask Clerk for a new one with {command} in the "
            "committee's chat.</p></main></body></html>")
    return web.Response(status=403, text=page, content_type="text/html")


def download(body: bytes, media_type: str, inline: bool, name: str) -> web.Response:
    disposition = "inline" if inline else "attachment"
    return web.Response(body=body, headers={"Content-Type": media_type,
                                            "Content-Disposition": f'{disposition}; filename="{name}"'})


def activity_problem(body: object) -> str | None:
    """What makes a request body unusable as an activity, checked before botbuilder sees it."""
    if not isinstance(body, dict):
        return "an activity is a JSON object"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "activity type is missing"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str) or not conversation["id"]:
        return "conversation.id is missing"
    if not isinstance(body.get("serviceUrl"), str) or not body["serviceUrl"].startswith(("http://", "https://")):
        return "serviceUrl is missing"
    for key in ("from", "recipient", "channelData"):
        if body.get(key) is not None and not isinstance(body[key], dict):
            return f"{key} must be an object"
    for key in ("text", "id", "name", "channelId"):
        if body.get(key) is not None and not isinstance(body[key], str):
            return f"{key} must be a string"
    identities = [body.get("id"), body.get("serviceUrl"), body.get("channelId"), conversation.get("id"),
                  conversation.get("tenantId"), *(part.get("id") for part in (body.get("from"), body.get("recipient"))
                                                  if isinstance(part, dict))]
    if any(isinstance(value, str) and _LONE_SURROGATE.search(value) for value in identities):
        return "an id holds text that is not Unicode"
    entities = body.get("entities")
    if entities is not None and (not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities)):
        return "entities must be a list of objects"
    return None


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONFLICTING_TENANTS = object()


def activity_tenant(body: dict) -> str | None | object:
    """The Teams tenant an activity comes from: channelData.tenant.id and conversation.tenantId, which
    must agree (case aside) when both are given; _CONFLICTING_TENANTS when they do not."""
    tenant = (body.get("channelData") or {}).get("tenant")
    channel_tenant = tenant.get("id") if isinstance(tenant, dict) and isinstance(tenant.get("id"), str) else None
    conversation_tenant = body["conversation"].get("tenantId")
    conversation_tenant = conversation_tenant if isinstance(conversation_tenant, str) else None
    if channel_tenant and conversation_tenant and channel_tenant.lower() != conversation_tenant.lower():
        return _CONFLICTING_TENANTS
    return channel_tenant or conversation_tenant


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


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per sweep is noise
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        sys.exit(f"Configuration error: {error}")
    # aiohttp calls `print` once the socket is bound; Clerk's lines replace its "Running on ...".
    web.run_app(create_app(settings), host=settings.host, port=settings.port,
                print=lambda _: print(startup_lines(settings), flush=True))


if __name__ == "__main__":
    main()
