"""The meeting's Teams transcript, fetched after the meeting and cut to its agenda, for the
secretary and the chair only.

When a Teams meeting Clerk knows the Graph ids of ends, a job waits for its transcript: Graph
answers 404 or an empty list for minutes after a meeting, so the job tries again with a doubling
wait (TRANSCRIPT_POLL_SECONDS, at most 30 minutes) for up to TRANSCRIPT_WAIT_HOURS. The job lives
in the database, so waiting survives a restart. Every other answer is a status the chair reads with
/transcript. Once fetched, the chair and the secretary get the link to the page in their personal
chat; Clerk's copy is deleted TRANSCRIPT_KEEP_DAYS after the minutes are approved, or at once with
/transcript delete. Nothing of it reaches the minutes unless a person records it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Callable, Protocol
from zoneinfo import ZoneInfo

from dialogs import delivery
from dialogs.agenda import agenda_of
from dialogs.committee import committee_zone
from dialogs.context import Person, Private, Reply, Turn
from dialogs.delivery import PersonalChat, Queued
from dialogs.errors import ClerkError, UsageError
from dialogs.guards import meeting_for_the_record
from dialogs.action_parsing import ActionRequest
from dialogs.actions import record_request
from dialogs.minutes import keepers
from dialogs.minutes_record import add_entry
from dialogs.parsing import clock_time, format_minute
from dialogs.transcript_cut import AFTER, BEFORE, Cue, Interval, Section, cut, parse_vtt
from storage.models import Meeting
from storage.vocabulary import EntryKind
from storage.transcript_models import TranscriptJob
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

LONGEST_WAIT = timedelta(minutes=30)
LEASE = timedelta(minutes=5)  # a sweep holds a job this long while it asks Graph


class Status(StrEnum):
    WAITING = "waiting"
    READY = "ready"
    NOT_TRANSCRIBED = "not transcribed"
    ACCESS_OFF = "access off"
    NO_PERMISSION = "no permission"
    ALLOWANCE_USED = "allowance used"
    EXPIRED = "expired"
    DELETED = "deleted"


SAID = {
    Status.WAITING: "Waiting for Teams to make the transcript available",
    Status.READY: "Fetched and cut to the agenda",
    Status.NOT_TRANSCRIBED: "No transcript: the meeting was not transcribed, or Teams did not make one in time",
    Status.ACCESS_OFF: "Transcript access through Microsoft Graph is switched off in this tenant (a Teams admin "
                       "setting)",
    Status.NO_PERMISSION: "Clerk may not read this meeting's transcript: the tenant admin grants it (the "
                          "OnlineMeetingTranscript.Read.Chat permission, or an application access policy)",
    Status.ALLOWANCE_USED: "Microsoft's evaluation allowance for the transcript API is used up (402): the tenant "
                           "needs a paid Graph subscription for it",
    Status.EXPIRED: "The Teams meeting has expired, and its transcript with it",
    Status.DELETED: "Clerk's copy of the transcript was deleted",
}


@dataclass(frozen=True)
class TranscriptFile:
    began: datetime  # createdDateTime: the clock time of its offset 0
    vtt: str
    with_speakers: bool


class TranscriptUnavailable(Exception):
    """Graph did not give the transcript: `status` says what that means, None to try again."""

    def __init__(self, status: Status | None, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


class TranscriptSource(Protocol):
    """Microsoft Graph as the sweep sees it (bot.graph implements it)."""

    async def transcripts(self, tenant_id: str, organizer_id: str, graph_meeting_id: str) -> list[TranscriptFile]:
        """Every transcript of the meeting, oldest first; [] while there is none yet. Raises
        TranscriptUnavailable."""


@dataclass(frozen=True)
class TranscriptTimes:
    poll: timedelta
    wait: timedelta
    keep: timedelta


def start_waiting(uow: UnitOfWork, meeting: Meeting, now: datetime) -> None:
    """Called when a Teams meeting ends: its transcript is fetched later, if Clerk knows its Graph ids."""
    if meeting.graph_resource_id and meeting.organizer_aad_id:
        uow.transcripts.add_job(TranscriptJob(meeting_id=meeting.id, status=Status.WAITING, attempts=0,
                                              created_at=now, next_try_at=now, with_speakers=True))


def _next_wait(times: TranscriptTimes, attempts: int) -> timedelta:
    return min(times.poll * (2 ** max(0, attempts - 1)), LONGEST_WAIT)


@dataclass(frozen=True)
class TranscriptOffer:
    """The link to a meeting's transcript page, for the chair's or the secretary's personal chat:
    `keeper` ("chair" or "secretary") is who the page records lines as, and part of the signed link."""

    meeting_id: int
    title: str
    keeper: str


KEEPERS = ("chair", "secretary")


def keeper_of(meeting: Meeting, person: Person) -> str:
    return "secretary" if person.user_id and person.user_id == meeting.secretary_user_id else "chair"


@dataclass(frozen=True)
class Telling:
    """How the sweep tells the chair and the secretary, as bot/ renders it: their personal chat,
    reached from the committee chat's reference, and the message with the link."""

    personal_chat: Callable[[str, Person], PersonalChat]
    message: Callable[[TranscriptOffer], Queued]


async def fetch_due(new_unit_of_work: UnitOfWorkFactory, source: TranscriptSource, times: TranscriptTimes,
                    telling: Telling, now: datetime) -> None:
    """The sweep: each job whose time has come asks Graph once, in a transaction of its own."""
    async with new_unit_of_work() as uow:
        claimed = [(job.meeting_id, job.attempts, job.created_at)
                   for job, _ in await uow.transcripts.claim_due(now, now + LEASE, 20)]
        await uow.commit()
    for meeting_id, attempts, created_at in claimed:
        if attempts == 0 and now < created_at + times.poll:  # Teams takes minutes: the first wait
            async with new_unit_of_work() as uow:
                (await uow.transcripts.job(meeting_id)).next_try_at = created_at + times.poll
                await uow.commit()
            continue
        await _try(new_unit_of_work, source, times, telling, meeting_id, now)


async def _try(new_unit_of_work: UnitOfWorkFactory, source: TranscriptSource, times: TranscriptTimes,
               telling: Telling, meeting_id: int, now: datetime) -> None:
    async with new_unit_of_work() as uow:
        meeting = await uow.meetings.get_meeting(meeting_id)
        conversation = await uow.committees.get_conversation(meeting.conversation_id)
    files: list[TranscriptFile] = []
    problem: TranscriptUnavailable | None = None
    try:
        files = await source.transcripts(conversation.tenant_id or "common" if conversation else "common",
                                         meeting.organizer_aad_id, meeting.graph_resource_id)
    except TranscriptUnavailable as error:
        problem = error
    async with new_unit_of_work() as uow:
        job = await uow.transcripts.job(meeting_id)
        job.attempts += 1
        job.detail = problem.detail if problem else None
        if files:
            cues = [cue for file in files for cue in parse_vtt(file.vtt, file.began)]
            await uow.transcripts.replace_cues(meeting_id, [dict(start=c.start, end=c.end, speaker=c.speaker,
                                                                 text=c.text) for c in cues])
            job.status, job.ready_at, job.next_try_at = Status.READY, now, None
            job.with_speakers = all(file.with_speakers for file in files)
            if not job.with_speakers:
                job.detail = "Speaker attribution is off in this tenant, so the transcript has no speakers."
            if conversation is not None:
                for keeper, person in keepers(meeting):
                    offer = TranscriptOffer(meeting.id, meeting.title, keeper)
                    await delivery.queue_privately(uow, meeting.committee_id,
                                                   telling.personal_chat(conversation.reference, person),
                                                   [telling.message(offer)], now)
        elif problem is not None and problem.status is not None:
            job.status, job.next_try_at = problem.status, None
        elif now - job.created_at >= times.wait:
            job.status, job.next_try_at = Status.NOT_TRANSCRIBED, None
        else:
            job.next_try_at = now + _next_wait(times, job.attempts)
        await uow.commit()


async def forget_transcripts(new_unit_of_work: UnitOfWorkFactory, times: TranscriptTimes, now: datetime) -> None:
    """Housekeeping: Clerk's copy goes TRANSCRIPT_KEEP_DAYS after the minutes were approved."""
    async with new_unit_of_work() as uow:
        for meeting_id in await uow.transcripts.kept_past(now - times.keep):
            await _delete(uow, meeting_id, now)
        await uow.commit()


async def _delete(uow: UnitOfWork, meeting_id: int, now: datetime) -> None:
    await uow.transcripts.replace_cues(meeting_id, [])
    job = await uow.transcripts.job(meeting_id)
    job.status, job.deleted_at, job.next_try_at, job.detail = Status.DELETED, now, None, None


# Use cases ----------------------------------------------------------------------------------------


async def _job_of(uow: UnitOfWork, turn: Turn) -> tuple[Meeting, TranscriptJob]:
    meeting = await meeting_for_the_record(uow, turn, names_item=True)
    job = await uow.transcripts.job(meeting.id)
    if job is None:
        raise ClerkError(f"Clerk fetches no transcript for '{meeting.title}': it does so for a Teams meeting "
                         "whose details Teams gave when it started.")
    return meeting, job


async def command(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/transcript` says where the transcript stands; `fetch` tries again now; `delete` removes
    Clerk's copy (the command table lets only the chair and the secretary do either)."""
    meeting, job = await _job_of(uow, turn)
    word = args.strip().casefold()
    if word == "fetch":
        if job.status == Status.DELETED:
            raise ClerkError("Clerk's copy was deleted; it is not fetched again.")
        job.status, job.next_try_at = Status.WAITING, turn.now
        job.attempts = max(job.attempts, 1)  # no first wait: now
        return Reply(f"Asking Teams for the transcript of '{meeting.title}' now; /transcript says how it went.")
    if word == "delete":
        await _delete(uow, meeting.id, turn.now)
        return Reply(f"Clerk's copy of the transcript of '{meeting.title}' is deleted.")
    if word:
        raise UsageError("Use /transcript, /transcript fetch or /transcript delete.")
    said = f"Transcript of '{meeting.title}': {SAID[Status(job.status)]}."
    if job.detail:
        said += f" {job.detail}"
    if job.next_try_at is not None:
        said += f" Next try at {clock_time(job.next_try_at, turn.tz)}."
    if job.status == Status.READY:
        offer = TranscriptOffer(meeting.id, meeting.title, keeper_of(meeting, turn.caller))
        return Reply(said + " The link is on its way to your personal chat with Clerk.",
                     privately=[Private(turn.caller, offer)] if turn.caller.user_id else [])
    return Reply(said)


# The page -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptPage:
    title: str
    date: str
    sections: list[Section]
    with_speakers: bool
    tz: ZoneInfo

    @property
    def seconds(self) -> float:
        return sum(section.seconds for section in self.sections)

    def clock(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.tz):%H:%M:%S}"


def intervals_of(agenda, meeting: Meeting) -> list[Interval]:
    """The meeting's time as the agenda recorded it: before the first item, each item and break
    in the order taken, and after the close."""
    taken = sorted((entry for entry in agenda.entries if entry.item.actual_start is not None),
                   key=lambda entry: entry.item.actual_start)
    intervals = [Interval(BEFORE, None, taken[0].item.actual_start if taken else meeting.ended_at)]
    for entry in taken:
        label = "Break" if entry.is_break else f"{entry.number}. {entry.item.title}"
        planned = ", ".join(part for part in (
            format_minute(entry.planned_minute) if entry.planned_minute is not None else None,
            f"{entry.allotted} min" if entry.allotted else None) if part) or None
        intervals.append(Interval(label, entry.item.actual_start, entry.item.actual_end or meeting.ended_at,
                                  planned, entry.allotted, entry.item.id, bool(entry.item.exempt_reason)))
    intervals.append(Interval(AFTER, meeting.ended_at or intervals[-1].end, None))
    return intervals


async def transcript_page(new_unit_of_work: UnitOfWorkFactory, meeting_id: int,
                          default_tz: ZoneInfo) -> TranscriptPage | None:
    async with new_unit_of_work() as uow:
        meeting = await uow.meetings.get_meeting(meeting_id)
        job = await uow.transcripts.job(meeting_id) if meeting else None
        if job is None or job.status != Status.READY:
            return None
        tz = committee_zone(await uow.committees.timezone_of(meeting.committee_id), default_tz)
        cues = [Cue(c.start, c.end, c.speaker, c.text, c.id) for c in await uow.transcripts.cues(meeting_id)]
        sections = cut(cues, intervals_of(await agenda_of(uow, meeting), meeting))
        local = meeting.started_at.astimezone(tz)
        return TranscriptPage(meeting.title, f"{local:%A} {local.day} {local:%B %Y}",
                              [s for s in sections if s.cues or s.interval.item_id], job.with_speakers, tz)


async def record_line(new_unit_of_work: UnitOfWorkFactory, meeting_id: int, keeper: str, cue_id: int, kind: str,
                      now: datetime, default_tz: ZoneInfo, policy) -> str:
    """A line of the transcript made a note, decision or action on the item it was said under, as
    the chair or the secretary whose page it is, quoting the speaker, with history like anything typed."""
    if kind not in (EntryKind.NOTE, EntryKind.DECISION, "action") or keeper not in KEEPERS:
        raise UsageError("A line is recorded as a note, a decision or an action.")
    async with new_unit_of_work() as uow:
        meeting = await uow.meetings.get_meeting(meeting_id)
        job = await uow.transcripts.job(meeting_id) if meeting else None
        if job is None or job.status != Status.READY:
            raise ClerkError("That transcript is no longer kept.")
        cues = [Cue(c.start, c.end, c.speaker, c.text, c.id) for c in await uow.transcripts.cues(meeting_id)]
        line = next((cue for cue in cues if cue.id == cue_id), None)
        if line is None:
            raise ClerkError("That line is not in the transcript.")
        agenda = await agenda_of(uow, meeting)
        section = next(s for s in cut([line], intervals_of(agenda, meeting)) if s.cues)
        item = next((entry.item for entry in agenda.entries if entry.item.id == section.interval.item_id), None)
        if item is None:
            raise ClerkError(f"That line was said {section.interval.label.lower()}: record it under an item with "
                             "/note item N in the chat.")
        person = dict(keepers(meeting)).get(keeper)
        if person is None:
            raise ClerkError(f"The meeting has no {keeper} known by Teams account to record it as.")
        tz = committee_zone(await uow.committees.timezone_of(meeting.committee_id), default_tz)
        turn = Turn(conversation_id=meeting.conversation_id, committee_id=meeting.committee_id, caller=person,
                    now=now, tz=tz, policy=policy)
        said = f"{line.speaker}: “{line.text}”" if line.speaker else f"“{line.text}”"
        if kind == "action":  # on the item, with no owner or date yet: the reply says how to add them
            recorded = await record_request(uow, turn, agenda.number_of(item.id), ActionRequest(said, (), None),
                                            meeting=meeting)
            await uow.commit()
            return recorded.text
        entry = await add_entry(uow, turn, meeting, item, EntryKind(kind), said)
        await uow.commit()
        return f"Recorded as #{entry.number}, a {kind} on {section.interval.label}."
