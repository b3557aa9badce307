"""The Teams app package: a valid manifest whose menu comes from the command table."""

import json
import zipfile

from bot.commands import COMMANDS
from bot.manifest import build_package

BOT_ID = "00000000-0000-0000-0000-0000000000aa"


def test_package_holds_manifest_and_icons(tmp_path):
    path = build_package(BOT_ID, tmp_path / "clerk.zip")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        assert archive.read("color.png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert "${{" not in json.dumps(manifest)
    bot = manifest["bots"][0]
    assert bot["botId"] == BOT_ID
    assert set(bot["scopes"]) == {"personal", "groupChat", "team"}
    commands = bot["commandLists"][0]["commands"]
    assert 0 < len(commands) <= 10
    names = {command.name for command in COMMANDS}
    assert all(c["title"] in names and len(c["description"]) <= 128 for c in commands)
    permissions = {p["name"] for p in manifest["authorization"]["permissions"]["resourceSpecific"]}
    assert "ChatMessage.Read.Chat" in permissions


def test_app_id_is_stable_for_a_bot(tmp_path):
    first = build_package(BOT_ID, tmp_path / "a.zip")
    second = build_package(BOT_ID, tmp_path / "b.zip")
    ids = [json.loads(zipfile.ZipFile(p).read("manifest.json"))["id"] for p in (first, second)]
    assert ids[0] == ids[1]
