"""The Teams app package: a valid manifest whose menu comes from the command table."""

import json
import re
import subprocess
import zipfile

from bot.commands import COMMANDS
from bot.manifest import build_manifest, build_package
from tests.conftest import ROOT

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


def schema_problems(manifest: dict) -> list[str]:
    """Problems Microsoft's Teams manifest schema finds (tests/validate_manifest.cjs)."""
    result = subprocess.run(["node", str(ROOT / "tests" / "validate_manifest.cjs")], input=json.dumps(manifest),
                            capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(result.stdout)


def test_the_manifest_is_valid_against_microsofts_schema():
    manifest = build_manifest(BOT_ID, "https://clerk.example.org")
    assert schema_problems(manifest) == []
    assert manifest["validDomains"] == ["clerk.example.org"]  # the page an in-meeting notification shows
    lists = {tuple(c["scopes"]): [command["title"] for command in c["commands"]]
             for c in manifest["bots"][0]["commandLists"]}
    assert lists[("personal",)] == ["help", "actions", "remind", "meetings"]
    assert "next" in lists[("groupChat", "team")] and len(lists[("groupChat", "team")]) <= 10
    broken = {**manifest, "bots": [{**manifest["bots"][0], "scopes": ["everywhere"]}]}
    assert schema_problems(broken)  # the check can fail


def test_the_manifest_names_clerks_own_privacy_statement_and_terms(tmp_path):
    """Issue 29: example.org placeholders are what an admin refuses."""
    manifest = build_manifest(BOT_ID, "https://clerk.council.example")
    assert manifest["developer"]["privacyUrl"] == "https://clerk.council.example/privacy"
    assert manifest["developer"]["termsOfUseUrl"] == "https://clerk.council.example/terms"
    assert schema_problems(manifest) == []


async def test_privacy_and_terms_are_served(chat):
    for path, words in (("/privacy", ("What Clerk stores", "Having it corrected or deleted", "2 days")),
                        ("/terms", ("terms of use",))):
        async with chat.session.get(f"{chat.bot.url}{path}") as response:
            assert response.status == 200 and response.headers["Content-Type"].startswith("text/html")
            page = await response.text()
        assert all(word in page for word in words), path


def test_the_manifest_uses_the_newest_schema_microsofts_package_ships_and_asks_only_for_what_clerk_uses():
    """Issue 29: the newest manifest schema in @microsoft/app-manifest, localizationInfo, and each
    resource-specific permission Clerk asks for named in README with the reason."""
    schemas = ROOT / "node_modules" / "@microsoft" / "app-manifest" / "build" / "json-schemas" / "teams"
    versions = [tuple(int(n) for n in p.name[1:].split(".")) for p in schemas.iterdir()
                if re.fullmatch(r"v\d+\.\d+", p.name)]
    newest = ".".join(str(n) for n in max(versions))
    manifest = build_manifest(BOT_ID, "https://clerk.example.org")
    assert manifest["manifestVersion"] == newest and newest in manifest["$schema"]
    assert manifest["localizationInfo"]["defaultLanguageTag"] == "en-gb"
    asked = {p["name"] for p in manifest["authorization"]["permissions"]["resourceSpecific"]}
    readme = (ROOT / "README.md").read_text()
    for permission in asked:
        assert f"`{permission}`" in readme, permission
    assert "OnlineMeetingNotification.Send.Chat" in asked and "ChannelMeeting.ReadBasic.Group" in asked
    assert schema_problems(manifest) == []
