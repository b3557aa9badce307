"""Clerk's web routes: the Bot Framework endpoint (checked before botbuilder sees a request), the
health check, and the signed document links (minutes, the time page, the action log)."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from datetime import datetime
from typing import Callable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter

from bot.handler import ClerkBot
from bot.inbound import read_activity
from bot.links import LinkSigner
from bot.outbox import ANSWER_BY, ANSWER_SECONDS, INCOMING
from bot.signing_keys import SigningKeysUnavailable
from config import Settings
from dialogs.action_log import LOG_FORMATS, build_action_log
from dialogs.timekeeping import stage_page
from dialogs.export import (FORMATS, filename, render_link_refused, render_panel, render_panel_setup,
                            render_privacy, render_transcript, render_transcript_docx, render_stage,
                            render_terms)
from dialogs.panel import build_panel
from dialogs.errors import ClerkError
from dialogs.parsing import whole_number
from dialogs.transcript import record_line, transcript_page
from dialogs.turns import HANDLED_ACTIVITIES_KEPT
from dialogs.minutes import minutes_by_id
from storage.db import Database

log = logging.getLogger("clerk")

class AccessLog(AbstractAccessLogger):
    """One line a request: who asked, for what, the answer, its size and how long it took. The path
    without its query, which for a page is its signature (bot.links): a link kept in a log would
    open the page for whoever reads the log. Cheaper too than aiohttp's default, which formats an
    atom at a time and the time again (about 1.5% of a turn)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info('%s "%s %s" %s %s %.1f ms "%s"', request.remote, request.method, request.path,
                         response.status, response.body_length, 1000 * time, request.headers.get("User-Agent", "-"))


# A token is verified within this, or the request gets 503: Teams gives up on an answer after 15 s.
AUTHENTICATION_SECONDS = 5.0


def add_routes(app: web.Application, adapter: CloudAdapter, bot: ClerkBot, settings: Settings, db: Database,
               links: LinkSigner, clock: Callable[[], datetime]) -> None:
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
            activity = read_activity(body)
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
            turn_context.turn_state[INCOMING] = body
            await bot.on_turn(turn_context)

        response = await adapter.process_activity(authenticated, activity, turn)
        if response:
            try:
                return web.json_response(response.body, status=response.status)
            except (TypeError, ValueError):  # an invoke answer that is not JSON: never a 500
                log.warning("an invoke response could not be serialised; answered 400")
                return web.json_response({"error": "invoke not handled"}, status=400)
        return web.Response(status=201)

    async def privacy(request: web.Request) -> web.Response:
        """Named in the Teams manifest (privacyUrl), as an admin expects before approving the app."""
        return download(render_privacy(HANDLED_ACTIVITIES_KEPT.days, settings.export_link_hours,
                                       settings.transcript_keep_days),
                        "text/html; charset=utf-8", True, "privacy.html")

    async def terms(request: web.Request) -> web.Response:
        return download(render_terms(), "text/html; charset=utf-8", True, "terms.html")

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

    async def panel(request: web.Request) -> web.Response:
        if not signed(request):
            return refused_link("/panel")
        page = await build_panel(db.unit_of_work, int(request.match_info["meeting_id"]), clock(), settings.timezone)
        if page is None:
            return web.Response(status=404, text="No such meeting.")
        return download(render_panel(page), "text/html; charset=utf-8", True, "panel.html")

    async def transcript(request: web.Request) -> web.Response:
        """The transcript cut to the agenda, for the chair or the secretary whose link it is; a line
        posted from it is recorded as them (the same signed address, so only they can)."""
        if not signed(request):
            return refused_link("/transcript")
        meeting_id, keeper, fmt = (int(request.match_info["meeting_id"]), request.match_info["keeper"],
                                   request.match_info["fmt"])
        notice = None
        if request.method == "POST" and fmt == "html":
            form = await request.post()
            cue = whole_number(str(form.get("cue", "")))
            try:
                notice = await record_line(db.unit_of_work, meeting_id, keeper, cue or 0, str(form.get("kind", "")),
                                           clock(), settings.timezone, settings.reminder_policy)
            except ClerkError as error:
                notice = error.message
        page = await transcript_page(db.unit_of_work, meeting_id, settings.timezone)
        if page is None:
            return web.Response(status=404, text="No transcript of that meeting is kept.")
        if fmt == "docx":
            return download(render_transcript_docx(page), FORMATS["docx"].media_type, False, "transcript.docx")
        word = links.link(f"/meetings/{meeting_id}/transcript/{keeper}.docx", clock())
        return download(render_transcript(page, notice=notice, word=word), "text/html; charset=utf-8", True,
                        "transcript.html")

    async def panel_setup(request: web.Request) -> web.Response:
        return download(render_panel_setup(), "text/html; charset=utf-8", True, "setup.html")

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

    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/privacy", privacy)
    app.router.add_get("/terms", terms)
    # Ids of at most nine digits: a longer one names nothing, and is a 404 rather than an error.
    app.router.add_get(r"/minutes/{meeting_id:[0-9]{1,9}}.{fmt:%s}" % "|".join(FORMATS), minutes_document(False))
    app.router.add_get(r"/minutes/{meeting_id:[0-9]{1,9}}/confidential.{fmt:%s}" % "|".join(FORMATS),
                       minutes_document(True))
    app.router.add_get(r"/meetings/{meeting_id:[0-9]{1,9}}/time.html", stage)
    app.router.add_get(r"/meetings/{meeting_id:[0-9]{1,9}}/panel.html", panel)
    app.router.add_get("/panel/setup", panel_setup)
    transcript_path = r"/meetings/{meeting_id:[0-9]{1,9}}/transcript/{keeper:chair|secretary}.{fmt:html|docx}"
    app.router.add_get(transcript_path, transcript)
    app.router.add_post(transcript_path, transcript)
    app.router.add_get(r"/committees/{committee_id:[0-9]{1,9}}/actions.{fmt:%s}" % "|".join(LOG_FORMATS),
                       action_log_document)


def refused_link(command: str) -> web.Response:
    """An expired or altered link: a page that says so, and how to get a new one."""
    return web.Response(status=403, body=render_link_refused(command), content_type="text/html", charset="utf-8")


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
    channel_data = body.get("channelData") or {}
    for key in ("team", "tenant", "meeting", "channel", "settings", "notification"):
        if channel_data.get(key) is not None and not isinstance(channel_data[key], dict):
            return f"channelData.{key} must be an object"
    for key in ("text", "id", "name", "channelId"):
        if body.get(key) is not None and not isinstance(body[key], str):
            return f"{key} must be a string"
    identities = [body.get("id"), body.get("serviceUrl"), body.get("channelId"), conversation.get("id"),
                  conversation.get("tenantId"), conversation.get("conversationType"),
                  *(part.get(key) for part in (body.get("from"), body.get("recipient"), channel_data.get("tenant"),
                                               channel_data.get("meeting"), channel_data.get("team"))
                    if isinstance(part, dict) for key in ("id", "aadObjectId"))]
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


