"""README.md stays true: every chat command and every environment variable is documented."""

import re
from pathlib import Path

from bot.commands import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_command_is_in_the_reference():
    for command in COMMANDS:
        assert f"- `{command.syntax}` — {command.description}\n" in README, command.name


def test_every_environment_variable_read_by_the_code_is_documented():
    source = (ROOT / "config.py").read_text()
    names = set(re.findall(r'env\.get\("([A-Za-z_]+)"', source)) | set(re.findall(r'_int\(env, "([A-Z_]+)"', source))
    assert names, "config.py reads no variables?"
    for name in names:
        assert f"`{name}`" in README, name
