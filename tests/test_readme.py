"""README.md stays true: every chat command and every environment variable is documented."""

import re
from pathlib import Path

from bot.commands import COMMANDS
from config import VARIABLES, Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_command_is_in_the_reference():
    for command in COMMANDS:
        assert f"- `{command.syntax}` — {command.description}\n" in README, command.name


def test_the_configuration_table_is_config_pys_table():
    for variable in VARIABLES:
        assert variable.readme_row + "\n" in README, variable.name


def test_every_environment_variable_read_by_the_code_is_in_the_table():
    names = {variable.name for variable in VARIABLES}
    for path in [ROOT / "app.py", ROOT / "config.py", *ROOT.glob("bot/*.py"), *ROOT.glob("dialogs/*.py")]:
        for name in re.findall(r'env(?:iron)?\.get\("([A-Za-z_]+)"', path.read_text()):
            assert name in names, (path.name, name)


def test_settings_built_in_code_have_the_production_defaults():
    in_code, from_environment = Settings(), Settings.from_env({})
    differing = {name for name in vars(in_code) if getattr(in_code, name) != getattr(from_environment, name)}
    assert differing == {"link_secret"}  # random at each start, either way


def test_the_document_formats_named_are_the_registry():
    from dialogs.export import FORMATS
    assert f"`/minutes/<meeting>.<{'|'.join(FORMATS)}>`" in README
    for document in FORMATS.values():
        assert document.label in README, document.label
