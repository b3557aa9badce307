"""Buttons instead of syntax (issue 19): every button is an Action.Execute that Teams sends as an
`adaptiveCard/action` invoke; the HTTP answer carries the card as the presser now sees it. Through
/api/messages on SQLite and PostgreSQL, checking the answer's card and the record."""

from tests.conftest import CHAIR, Chat, MEMBER, OFFICER, card_text, said, validate_cards

KERRY = ("29:kerry", "Kerry Reid", "aad-kerry")


def button(card: dict, title: str) -> dict:
    """The Action.Execute titled so, on the card, in an ActionSet, or inside an Action.ShowCard's form."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute" and node.get("title") == title:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card)
    assert found, f"no button {title!r} in {card_text(card)}"
    return found[0]


async def an_action_owned_by_sam(chat) -> dict:
    await chat.say("/members add Marion Oswald, Chair; Tom Sorrell, Member")
    await chat.say("/start")
    await chat.say("/agenda add 10:00 Checking tool presenter: Data Lab")
    await chat.say("/next")
    await chat.say("/action Circulate the paper <at>Sam Todd</at> due: 2026-05-29", sender=MEMBER, mentions=[OFFICER])
    return chat.connector.cards()[-1]


async def test_the_action_confirmation_is_a_card_whose_buttons_record_as_the_presser(chat):
    card = await an_action_owned_by_sam(chat)
    assert [a["title"] for a in card["actions"]] == ["Done", "Add update", "New due date", "Reassign"]
    assert validate_cards([card]) == [[]]
    refused = await chat.press(button(card, "Mark done")["verb"], {"action": 1, "note": "sent"}, sender=MEMBER)
    assert "Only the owners of action 1 (Sam Todd), the chair or the secretary can change it." in card_text(refused)
    assert "(done)" not in card_text(refused)
    update = button(card, "Add update")
    answered = await chat.press(update["verb"], {**update["data"], "text": "draft *shared* with the Lab"})
    assert "Progress noted on action 1." in card_text(answered)  # the chair may
    due = button(card, "Set due date")
    answered = await chat.press(due["verb"], {**due["data"], "due": "2026-06-05", "nextMeeting": "false"},
                                sender=OFFICER)
    assert "Action 1 is now due Fri 5 June 2026." in card_text(answered)
    opened = await chat.press(button(card, "Reassign")["verb"], button(card, "Reassign")["data"], sender=OFFICER)
    reassign = button(opened, "Reassign")  # the confirmation's Reassign opens the card with the people
    choices = next(a for a in opened["actions"] if a["title"] == "Reassign")["card"]["body"][0]["choices"]
    tom = next(c["value"] for c in choices if c["title"] == "Tom Sorrell")
    answered = await chat.press(reassign["verb"], {**reassign["data"], "owners": f"{tom}"}, sender=OFFICER)
    assert "Action 1 is now owned by Tom Sorrell." in card_text(answered)
    done = await chat.press(button(card, "Mark done")["verb"], {"action": 1, "note": "paper sent"}, sender=MEMBER)
    assert "Action 1 done: Circulate the paper." in card_text(done) and "(done)" in card_text(done)
    assert "actions" not in done  # nothing left to press on a closed action
    history = await chat.say("/history action 1")
    for line in ("Tom Sorrell: done — paper sent", "Marion Oswald: update — draft *shared* with the Lab",
                 "Sam Todd: due", "Sam Todd: assigned — Tom Sorrell"):
        assert line in history, (line, history)


async def test_every_action_button_refuses_whoever_is_not_an_owner_chair_or_secretary(chat):
    await an_action_owned_by_sam(chat)
    card = await chat.press("clerk.action.open", {"action": 1}, sender=KERRY)  # anyone may look
    inputs = {"Mark done": {"note": "x"}, "Add update": {"text": "x"}, "Set due date": {"due": "2026-06-05"},
              "Reassign": {"owners": "member:2"}}
    for title, given in inputs.items():
        pressed = button(card, title)
        refused = await chat.press(pressed["verb"], {**pressed["data"], **given}, sender=KERRY)
        assert "Only the owners of action 1 (Sam Todd), the chair or the secretary can change it." in \
            card_text(refused), title
    snooze = await chat.press("clerk.action.snooze", {"action": 1, "reminder": True}, sender=KERRY)
    assert "Only the owners of action 1" in card_text(snooze)
    assert "Kerry Reid" not in await chat.say("/history action 1")  # nothing was recorded as Kerry


async def test_the_actions_list_has_done_and_more_on_each_open_action(chat):
    await an_action_owned_by_sam(chat)
    listed = await chat.card("/actions")
    done = button(listed, "Done")
    assert done["data"] == {"action": 1, "list": ""}
    more = await chat.press(button(listed, "More…")["verb"], button(listed, "More…")["data"], sender=KERRY)
    assert [a["title"] for a in more["actions"]] == ["Done", "Add update", "New due date", "Reassign"]
    relisted = await chat.press(done["verb"], done["data"], sender=OFFICER)
    assert "Action 1 done: Circulate the paper." in card_text(relisted)
    assert "Open actions" in card_text(relisted) and "No open actions." in card_text(relisted)


async def test_a_reminder_is_snoozed_for_a_week_from_its_card(chat, clock):
    from tests.test_meeting_record import LONDON
    from tests.test_reminders import sweep
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await an_action_owned_by_sam(chat)
    clock.set_local(2026, 5, 22, 9, 0, LONDON)  # D-7 of 29 May
    await sweep(chat)
    reminder = chat.connector.proactive()[-1]["attachments"][0]["content"]
    snooze = button(reminder, "Snooze a week")
    answered = await chat.press(snooze["verb"], snooze["data"], sender=OFFICER)
    assert "Reminders for action 1 snoozed for 7 days." in card_text(answered)
    clock.set_local(2026, 5, 28, 9, 30, LONDON)  # D-1 falls inside the week: held
    await sweep(chat)
    assert len(chat.connector.proactive()) == 1
    assert "Sam Todd: snoozed — 7 days" in await chat.say("/history action 1")


async def test_the_new_action_form_records_exactly_as_the_command_does(chat):
    await chat.say("/members add Tom Sorrell, Member")
    await chat.say("/start")
    await chat.say("/agenda add 10:00 Welcome\n")
    await chat.say("/agenda add 10:10 Checking tool presenter: Data Lab")
    await chat.say("/item 2")
    form = await chat.card("/action")
    assert [block.get("id") for block in form["body"] if block["type"].startswith("Input.")] == \
        ["text", "owners", "due", "nextMeeting", "item"]
    assert validate_cards([form]) == [[]]
    owners = next(block for block in form["body"] if block.get("id") == "owners")["choices"]
    values = {choice["title"]: choice["value"] for choice in owners}
    assert {"Tom Sorrell", "Sam Todd"} <= set(values)  # the committee's members and the chat's
    item = next(block for block in form["body"] if block.get("id") == "item")
    assert item["value"] == "2"
    before = len(chat.connector.posted)
    answered = await chat.press(button(form, "Record the action")["verb"],
                                {"text": "Share the (draft) _impact_ assessment, not the due: diligence notes",
                                 "item": "2",
                                 "owners": f"{values['Tom Sorrell']},{values['Sam Todd']}", "due": "2026-06-01",
                                 "nextMeeting": "false"}, sender=OFFICER)
    assert "Action 1 recorded: Share the (draft) _impact_ assessment, not the due: diligence notes — Tom Sorrell, " \
           "Sam Todd, due Mon 1 June 2026." in card_text(answered)  # the form's text is never parsed
    posted = chat.connector.posted[before:]
    assert posted and posted[0]["text"].startswith("Action 1 recorded")  # the chat sees it too
    listed = card_text(await chat.card("/actions"))
    assert "item 2" in listed
    assert "Write what is to be done." in card_text(await chat.press(button(form, "Record the action")["verb"],
                                                                     {"text": " "}))
    agenda = await chat.card("/agenda")
    assert button(agenda, "New action")["verb"] == "clerk.action.form"


async def test_the_agenda_card_gives_the_chair_and_secretary_next_item_and_start_break(chat):
    await chat.say("/start")
    await chat.say("/secretary @Sam Todd", mentions=[OFFICER])
    await chat.say("/agenda set\n10:00 Welcome\n10:10 Tool for PSD (in principle submission) *draft* _v2_\n"
                   "10:40 Break\n10:50 Close")
    card = await chat.card("/agenda")
    assert card["refresh"]["userIds"] == [CHAIR[0], OFFICER[0]]
    runs = [run["text"] for block in card["body"] if block["type"] == "ColumnSet"
            for column in block["columns"] for item in column["items"] if item["type"] == "RichTextBlock"
            for run in item["inlines"]]
    assert "Tool for PSD (in principle submission) *draft* _v2_" in runs  # exactly as typed, on every client
    refresh = card["refresh"]["action"]
    as_member = await chat.press(refresh["verb"], refresh["data"], sender=MEMBER, trigger="automatic")
    assert [a["title"] for a in as_member["actions"]] == ["New action"]
    as_secretary = await chat.press(refresh["verb"], refresh["data"], sender=OFFICER, trigger="automatic")
    assert [a["title"] for a in as_secretary["actions"]] == ["Next item", "Start break", "New action"]
    refused = await chat.press("clerk.agenda.next", {}, sender=MEMBER)
    assert card_text(refused) == "Only the chair (Marion Oswald) or the secretary (Sam Todd) can move the meeting on."
    moved = await chat.press("clerk.agenda.next", {}, sender=OFFICER)
    assert "Item 1: Welcome. Started" in card_text(moved) and "▶ Welcome" in card_text(moved)
    on_break = await chat.press("clerk.agenda.break", {}, sender=OFFICER)
    assert "Break" in card_text(on_break) and "▶ Break" in card_text(on_break)
    assert "no break left" in card_text(await chat.press("clerk.agenda.break", {}))


async def test_buttons_that_are_not_clerks_are_answered_in_the_card(chat):
    await chat.say("/start")
    assert "not one of mine" in card_text(await chat.press("clerk.nothing", {}))
    assert "There is no action 9." in card_text(await chat.press("clerk.action.done", {"action": 9}))
    assert "names no action" in card_text(await chat.press("clerk.action.done", {"action": "x"}))


async def test_the_timekeeping_notice_also_appears_on_the_meeting_stage(start_bot, connector, clock):
    """Issue 19: in a Teams meeting's chat whose chair Clerk knows by no Teams account (opened by
    Teams, no /chair yet), the "reached its time" notice carries channelData.notification.alertInMeeting,
    with the page Teams shows on the meeting stage. (With a chair by account, the chair alone gets it:
    tests/test_inside_meeting.py.)"""
    from urllib.parse import parse_qs, urlparse

    from app import SWEEPS
    from tests.conftest import Chat
    bot = await start_bot()
    meeting_chat = Chat(bot, connector)
    group_chat = Chat(bot, connector, conversation_id="19:group@thread.v2", meeting_id=None)
    connector.meeting_roles[CHAIR[2]] = "Organizer"
    await meeting_chat.post(meeting_chat.event("application/vnd.microsoft.meetingStart", {"Title": "Budget"}))
    await group_chat.say("/start")
    for chat in (meeting_chat, group_chat):
        await chat.say("/agenda add 10:00 Tool (5 min)")
        await chat.say("/next")
    clock.advance(minutes=6)
    await bot.app[SWEEPS].timekeeping()
    in_meeting = connector.in_conversation(meeting_chat.conversation_id)[-1]
    assert in_meeting["text"].startswith("⏱ Item 1 (Tool) has reached its 5 min.")
    notification = in_meeting["channelData"]["notification"]
    assert notification["alertInMeeting"] is True
    bubble = urlparse(notification["externalResourceUrl"])
    assert bubble.netloc == "teams.microsoft.com" and bubble.path.startswith("/l/bubble/")
    page = parse_qs(bubble.query)["url"][0]
    async with meeting_chat.session.get(page) as response:
        assert response.status == 200
        assert "Item 1 (Tool): 6 min elapsed of 5 min allotted, 1 min over." in await response.text()
    async with meeting_chat.session.get(page.split("?")[0]) as response:
        assert response.status == 403  # unsigned
    in_group = connector.in_conversation(group_chat.conversation_id)[-1]
    assert in_group["text"].startswith("⏱ Item 1 (Tool)") and "notification" not in (in_group.get("channelData") or {})
    for chat in (meeting_chat, group_chat):
        await chat.close()


async def test_a_private_reminder_reaches_a_created_personal_chat_and_its_done_works_there(chat, clock):
    """Issue 19: /remind me privately sends the person's own reminders to their 1:1 chat with Clerk,
    which the Bot Connector creates; the reminder's buttons name the committee, so Done works there."""
    from app import SWEEPS
    from tests.test_meeting_record import LONDON
    from tests.test_reminders import sweep
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/committee name Ethics Committee")
    await an_action_owned_by_sam(chat)
    await chat.say("/action Book the room owner: Tom Sorrell due: 2026-05-29")
    assert await chat.say("/remind me privately", sender=OFFICER) == \
        "Your reminders will come to your personal chat with Clerk."
    await chat.bot.app[SWEEPS].deliver()
    assert [c["members"][0]["id"] for c in chat.connector.created] == [OFFICER[0]]
    personal = f"a:personal-{OFFICER[0]}"
    assert chat.connector.in_conversation(personal)[0]["text"].startswith("Your reminders will come here")
    clock.set_local(2026, 5, 22, 9, 0, LONDON)
    await sweep(chat)
    private = chat.connector.in_conversation(personal)[-1]
    assert said(private).startswith("Ethics Committee: Reminder: action 1, 'Circulate the paper'")
    in_chat = [said(a) for a in chat.connector.in_conversation(chat.conversation_id) if "Reminder" in said(a)]
    assert in_chat == ["Tom Sorrell: Reminder: action 2, 'Book the room' (from Ethics Committee meeting, 13 May 2026, "
                       "Wed 13 May 2026), is due Fri 29 May 2026 (in 7 days). When it is done, press Done below "
                       "(or type /done 2)."]
    mark_done = button(private["attachments"][0]["content"], "Mark done")
    personal_chat = Chat(chat.bot, chat.connector, conversation_id=personal, personal=True)
    refused = await personal_chat.press(mark_done["verb"], {**mark_done["data"], "note": "x"}, sender=KERRY)
    assert card_text(refused) == ("Only the owners of action 1 can change it here; the chair and the secretary "
                                  "change it in the committee's chat.")  # nothing of the committee to a stranger
    answered = await personal_chat.press(mark_done["verb"], {**mark_done["data"], "note": "sent on Friday"},
                                         sender=OFFICER)
    assert "Action 1 done: Circulate the paper." in card_text(answered)
    assert "sent on Friday" in await chat.say("/history action 1")
    await personal_chat.close()


async def two_committees(start_bot, connector) -> tuple:
    """A bot with the Ethics and the Audit Committee's chats (their commands come fast: no rate limit)."""
    bot = await start_bot(outbound_per_second=10_000, outbound_per_tenant_per_second=10_000)
    ethics, audit = Chat(bot, connector), Chat(bot, connector, conversation_id="19:audit@thread.v2")
    await ethics.say("/committee name Ethics Committee")
    await audit.say("/committee name Audit Committee")
    return bot, ethics, audit


async def test_the_personal_desk_lists_meetings_and_due_backs_across_committees(start_bot, connector):
    bot, ethics, audit = await two_committees(start_bot, connector)
    await ethics.say("/nextmeeting 2026-06-10 10:00")
    for committee in (ethics, audit):
        await committee.say("/start")
        await committee.say("/agenda add 10:00 Checking tool presenter: Data Lab")
        await committee.say("/next")
    await ethics.say("/dueback <at>Sam Todd</at> with the false-positive rates", mentions=[OFFICER])
    await audit.say("/present Sam Todd, Data Lab")
    personal = Chat(bot, connector, conversation_id="a:personal-sam", personal=True)
    desk = await personal.say("meetings", sender=OFFICER)
    assert "- Ethics Committee: next meeting Wed 10 June 2026 at 10:00" in desk
    assert "you are due back with 'Checking tool': with the false-positive rates" in desk
    assert "- Audit Committee: next meeting not set yet" in desk
    for conversation in (ethics, audit, personal):
        await conversation.close()


async def test_the_personal_desk_has_the_same_buttons_for_every_committee(start_bot, connector):
    bot, ethics, audit = await two_committees(start_bot, connector)
    await ethics.say("/action Circulate the paper <at>Tom Sorrell</at> due: Friday", mentions=[MEMBER])
    await audit.say("/action Check the figures <at>Tom Sorrell</at> due: Friday", mentions=[MEMBER])
    personal = Chat(bot, connector, conversation_id="a:personal-tom", personal=True)
    done = button(await personal.card("actions", sender=MEMBER), "Done")
    assert done["data"] == {"action": 1, "list": "desk", "committee": 1}
    relisted = card_text(await personal.press(done["verb"], done["data"], sender=MEMBER))
    assert "Action 1 done: Circulate the paper." in relisted
    assert "Circulate the paper\n" not in relisted and "Audit Committee" in relisted and "Check the figures" in relisted
    assert "(done)" in card_text(await ethics.card("/actions all"))
    for conversation in (ethics, audit, personal):
        await conversation.close()
