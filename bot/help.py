"""/help, generated from the command table: the list, one command's usage with who may and an
example, the first commands a newcomer needs, and where a committee command belongs."""

from __future__ import annotations

from bot.commands import BY_NAME, COMMANDS, Command, family
from dialogs.roles import Role

HOW_TO_ADDRESS = ("Start a command with /. In a personal chat the / may be left out; in a group or meeting "
                  "chat a command without / needs an @mention of Clerk.")
# The commands a newcomer needs first, in the order a meeting uses them.
FIRST_COMMANDS = ("start", "agenda add", "next", "note", "action", "end")


def not_in_a_personal_chat(command: Command) -> str:
    """What a committee command typed in a personal chat is answered with."""
    here = "; ".join(c.syntax for c in COMMANDS if c.personal is not None)
    return f"/{command.name} belongs in your committee's chat, with Clerk added to it. Here: {here}."


def short_help() -> str:
    lines = ["Clerk keeps the minutes. To begin:"]
    lines += [f"- {BY_NAME[name].help_line}" for name in FIRST_COMMANDS]
    lines.append("/help lists every command.")
    return "\n".join(lines)


def help_text(topic: str = "") -> str:
    topic = " ".join(topic.lower().lstrip("/").split())
    if not topic:
        lines = [f"Clerk keeps the minutes. {HOW_TO_ADDRESS} Commands:"]
        lines += [f"- {c.help_line}" for c in COMMANDS]
        lines.append("Type /help <command> for its syntax and an example, e.g. /help agenda add.")
        return "\n".join(lines)
    if topic in BY_NAME:
        return usage(BY_NAME[topic]) + ("" if len(family(topic)) == 1 else
                                        "\n\n" + "\n\n".join(usage(c) for c in family(topic) if c.name != topic))
    related = family(topic)  # "/help previous": the family's commands
    if related:
        return "\n\n".join(usage(c) for c in related)
    return f"There is no command '{topic}'. /help lists them all."


def usage(command: Command) -> str:
    who = "" if command.role is Role.ANYONE else (f"\nWho may: {command.role.value}"
                                                  + (" (anyone may look)." if command.open_to_view else "."))
    return f"{command.syntax}\n{command.summary}{who}\nExample: {command.example}"
