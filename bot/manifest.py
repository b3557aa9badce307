"""Builds the Teams app package (manifest and two icons, zipped) for an admin to upload.

`appPackage/manifest.json` is the template: the builder fills in the bot's id (MicrosoftAppId),
a stable Teams app id derived from it, and the command menu from the command table, so the menu in
Teams never disagrees with /help. Run: `python -m bot.manifest [output.zip]`.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlparse

from bot.commands import COMMANDS

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "appPackage"
DEFAULT_OUTPUT = Path("build") / "clerk-teams-app.zip"

# Teams shows at most 10 commands per scope: in a committee's chat, the ones used most during a
# meeting; in a personal chat, the personal desk (the commands that work there).
MENU = ("help", "agenda", "next", "time", "note", "question", "answer", "action", "actions", "outcome")
PERSONAL_MENU = ("help",) + tuple(command.name for command in COMMANDS if command.personal is not None)


def command_list(names: tuple[str, ...] = MENU) -> list[dict]:
    by_name = {command.name: command for command in COMMANDS}
    return [{"title": name, "description": by_name[name].summary[:128]} for name in names]


def teams_app_id(bot_id: str) -> str:
    """The Teams app's id: stable for a bot, so a rebuilt package updates the installed app."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"clerk:{bot_id}"))


def build_manifest(bot_id: str, public_url: str = "") -> dict:
    """`public_url`: where Clerk serves its pages (CLERK_PUBLIC_URL); its host is a valid domain, so
    Teams may show Clerk's page in a meeting's in-meeting notification, and the manifest names
    Clerk's own privacy statement and terms there."""
    template = (PACKAGE_DIR / "manifest.json").read_text()
    template = template.replace("${{BOT_ID}}", bot_id)
    template = template.replace("${{TEAMS_APP_ID}}", teams_app_id(bot_id))
    manifest = json.loads(template)
    for bot in manifest["bots"]:
        for commands in bot["commandLists"]:
            commands["commands"] = command_list(PERSONAL_MENU if commands["scopes"] == ["personal"] else MENU)
    host = urlparse(public_url).hostname
    if host:
        manifest["validDomains"] = [host]
        base = public_url.rstrip("/")
        manifest["developer"].update(websiteUrl=base, privacyUrl=f"{base}/privacy", termsOfUseUrl=f"{base}/terms")
        # The live panel, in a meeting's side panel and on its stage (its page is served by Clerk).
        manifest["configurableTabs"] = [{"configurationUrl": f"{base}/panel/setup", "canUpdateConfiguration": True,
                                         "scopes": ["groupChat"],
                                         "context": ["meetingSidePanel", "meetingStage", "meetingChatTab"]}]
    return manifest


def build_package(bot_id: str, output: Path, public_url: str = "") -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(build_manifest(bot_id, public_url), indent=2))
        for icon in ("color.png", "outline.png"):
            archive.write(PACKAGE_DIR / icon, icon)
    return output


def main() -> None:
    bot_id = os.environ.get("MicrosoftAppId", "")
    if not bot_id:
        sys.exit("Set MicrosoftAppId to the bot's Azure app id before building the Teams package.")
    public_url = os.environ.get("CLERK_PUBLIC_URL", "")
    if not public_url.startswith("https://"):
        sys.exit("Set CLERK_PUBLIC_URL to Clerk's public https address: the manifest names its privacy statement "
                 "and terms there (/privacy, /terms), which an admin reads before approving the app.")
    output = build_package(bot_id, Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT, public_url)
    print(f"Teams app package written to {output}")


if __name__ == "__main__":
    main()
